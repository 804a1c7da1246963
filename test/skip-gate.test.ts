// The skip gate holds: vitest, run with this repository's vitest.config.ts
// on a planted test file, fails a CI run (PAUSEKIT_REQUIRE_ENGINES=1) that
// skips a test not on the allow-list, whatever reporter the command line
// picks, and a test whose need is missing fails in CI with what is missing;
// outside CI both are skips, listed with the reason.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';
import { judgeSkips, type SkippedTest } from './support/skip-reporter.ts';
import { run } from './support/processes.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');
const GATE = join(ROOT, 'test/support/gate.ts');
mkdirSync(join(ROOT, 'build'), { recursive: true });
const base = mkdtempSync(join(ROOT, 'build', 'skip-gate-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** Runs vitest on one planted test file (the config's include: test/**); exit code and output. */
async function vitestOn(name: string, source: string, options: { ci: boolean; args?: string[] }): Promise<{ code: number | null; out: string }> {
  const dir = join(base, name);
  mkdirSync(join(dir, 'test'), { recursive: true });
  writeFileSync(join(dir, 'test', `${name}.test.ts`), source);
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'PAUSEKIT_REQUIRE_ENGINES'));
  const result = await run(process.execPath, [VITEST, 'run', '--dir', dir, ...(options.args ?? [])], {
    env: { ...env, ...(options.ci ? { PAUSEKIT_REQUIRE_ENGINES: '1' } : {}) },
    timeoutMs: 50_000,
  });
  return { code: result.code, out: result.stdout + result.stderr };
}

const PLANTED_SKIP = "import { test } from 'vitest';\ntest('runs', () => {});\ntest.skip('a planted skip', () => {});\n";
const PLANTED_TODO = "import { test } from 'vitest';\ntest('runs', () => {});\ntest.todo('a planted todo');\n";
const PLANTED_NEED = `import { describe, test } from 'vitest';
import { cannotRun, need } from ${JSON.stringify(GATE)};
describe.skipIf(cannotRun('the planted tests', need('a planted need', () => 'it is planted missing')))('planted', () => {
  test('needs it', () => {});
});
`;

describe('a CI run (PAUSEKIT_REQUIRE_ENGINES=1)', () => {
  test.each([['the configured reporters', []], ['--reporter dot', ['--reporter', 'dot']]])(
    'fails when a test is skipped, and names it, with %s',
    async (_label, args) => {
      const result = await vitestOn(`skip-${args.length}`, PLANTED_SKIP, { ci: true, args });
      expect(result.code, result.out).toBe(1);
      expect(result.out).toMatch(/test\/skip-\d\.test\.ts: 1 skipped, such as "a planted skip"/);
      expect(result.out).toContain('PAUSEKIT_REQUIRE_ENGINES=1: 1 skipped test(s) not on the allow-list: the run fails');
    },
  );

  test('fails when a test is todo', async () => {
    const result = await vitestOn('todo', PLANTED_TODO, { ci: true });
    expect(result.code, result.out).toBe(1);
    expect(result.out).toContain('test/todo.test.ts: 1 todo, such as "a planted todo"');
  });

  test('fails where the gate finds a need missing, with a test that says what is missing', async () => {
    const result = await vitestOn('need', PLANTED_NEED, { ci: true });
    expect(result.code, result.out).toBe(1);
    expect(result.out).toContain('PAUSEKIT_REQUIRE_ENGINES=1 but the planted tests cannot run here: it is planted missing');
  });
});

describe('a run outside CI', () => {
  test('passes with a skipped test, and lists it', async () => {
    const result = await vitestOn('local-skip', PLANTED_SKIP, { ci: false });
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain('test/local-skip.test.ts: 1 skipped, such as "a planted skip"');
  });

  test('skips the tests whose need is missing, and prints why', async () => {
    const result = await vitestOn('local-need', PLANTED_NEED, { ci: false });
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain('skipping the planted tests: it is planted missing');
    expect(result.out).toContain('test/local-need.test.ts: 1 skipped, such as "planted > needs it"');
  });
});

describe('the verdict on the skips', () => {
  const skipped: SkippedTest[] = [{ file: 'test/a.test.ts', title: 'a > b', mode: 'skip', note: undefined }];

  test('lets an allow-listed skip pass in CI', () => {
    const allowList = [{ file: 'test/a.test.ts', title: /^a > b$/, reason: 'planted' }];
    expect(judgeSkips(skipped, { required: true, filtered: false, reasons: [], allowList }).failed).toBe(false);
    expect(judgeSkips(skipped, { required: true, filtered: false, reasons: [], allowList: [] }).failed).toBe(true);
  });

  test('does not judge a run whose tests a name filter chose', () => {
    expect(judgeSkips(skipped, { required: true, filtered: true, reasons: [], allowList: [] }).failed).toBe(false);
  });
});
