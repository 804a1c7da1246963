// `--html FILE` on run, diff, explore and bench: the page is written and
// named; --json's stdout stays JSON; a FILE that cannot be written is one
// line naming it, exit 2, before anything runs, and nothing is left.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'src/cli/bin.mjs');
const EXAMPLE = join(ROOT, 'src/scenario/examples/coalesced-sigchld.json');
let dir: string;

async function pausekit(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pausekit-cli-html-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--html FILE', () => {
  test('run: writes the page and says so after the tables; with --json, on stderr, stdout staying JSON', async () => {
    const tables = await pausekit('run', '--engine', 'model', '--html', 'seed.html');
    expect(tables.code, tables.stderr).toBe(0);
    expect(tables.stdout).toMatch(/stderr: Shutting down, got signal: Terminated\nhtml: seed\.html\n$/);
    expect(readFileSync(join(dir, 'seed.html'), 'utf8')).toMatch(/^<!doctype html>\n<html lang="en">[^]*<\/html>\n$/);
    const json = await pausekit('run', '--engine', 'model', '--json', '--html', 'seed-json.html');
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toHaveLength(11);
    expect(json.stderr).toBe('html: seed-json.html\n');
  });

  test('explore and bench --from: the page is written and named', async () => {
    const explored = await pausekit('explore', EXAMPLE, '--mutant', 'REAP_ONCE', '--html', 'explore.html');
    expect(explored.code, explored.stderr).toBe(1);
    expect(explored.stdout).toMatch(/\nhtml: explore\.html\n$/);
    expect(readFileSync(join(dir, 'explore.html'), 'utf8')).toContain('invariant 1 breaks: w2 is a zombie child of pause after settling');
    const bench = await pausekit('bench', '--from', join(ROOT, 'bench/results/results.json'), '--html', 'bench.html');
    expect(bench.code, bench.stderr).toBe(0);
    expect(bench.stdout).toMatch(/\nhtml: bench\.html\n$/);
    expect(readFileSync(join(dir, 'bench.html'), 'utf8')).toContain('Time to reap N orphans as PID 1');
  });

  test.each([
    ['run', ['--engine', 'model']],
    ['diff', [EXAMPLE, '--design', 'sigwait']],
    ['explore', [EXAMPLE]],
    ['bench', ['--from', join(ROOT, 'bench/results/results.json')]],
  ])('%s: a FILE that cannot be written is one line, exit 2, before anything runs, and nothing is left', async (command, args) => {
    mkdirSync(join(dir, 'a-directory'), { recursive: true });
    const before = readdirSync(dir).sort();
    for (const [file, why] of [
      ['no/such/dir/page.html', `no such directory: ${join(dir, 'no/such/dir')}`],
      ['a-directory', 'it is a directory'],
      ['', 'no file named'],
    ]) {
      const result = await pausekit(command, ...args, '--html', file);
      expect(result.code, `${command} --html '${file}': ${result.stderr}`).toBe(2);
      expect(result.stderr).toBe(`pausekit: ${command}: --html: cannot write ${file}: ${why}\n`);
      expect(result.stdout).toBe('');
    }
    expect(readdirSync(dir).sort()).toEqual(before);
  });
});
