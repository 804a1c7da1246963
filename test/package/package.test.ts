// pausekit as a stranger meets it: the project packed with `npm pack`,
// installed from the tarball into a new project outside the checkout (its
// dependencies from the npm cache or registry), and used there:
//
// - `npx pausekit --help`, `npx pausekit run --engine model` and
//   `npx pausekit run` (the kernel, with no compiler on PATH: the package's
//   prebuilt static binaries);
// - the user's vitest file that README.md shows (its ```ts block marked
//   `<!-- file: test/reaping.test.ts ... -->`) passes; the one with a
//   planted bug that docs/library.md shows fails with a shrunk
//   counterexample and the seed (and path) that replay it, and the replay
//   fails the same way at once;
// - `tsc --noEmit` type-checks the user's files against the package's .d.ts
//   (and rejects a misuse of a matcher).
//
// One packed and installed project is shared by every test of this file.
import { execFile, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { DESIGNS } from '../../src/scenario/types.ts';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cannotRun, KERNEL, need, skipNow } from '../support/gate.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};

/** The cross compilers `npm run build:prebuilt` needs, and their Debian packages. */
const COMPILERS: [string, string][] = [
  ['x86_64-linux-gnu-gcc', 'gcc-x86-64-linux-gnu (or gcc on an x86-64 machine)'],
  ['aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu libc6-dev-arm64-cross'],
];

/** Why the package cannot be built here (a cross compiler or its static C library is missing), or undefined. */
function missingCompiler(): string | undefined {
  for (const [cc, debian] of COMPILERS) {
    const libc = spawnSync(cc, ['-print-file-name=libc.a'], { encoding: 'utf8' });
    if (libc.error !== undefined || !(libc.stdout ?? '').startsWith('/')) {
      return `${cc} with a static C library is needed to build the package's binaries (Debian: apt-get install ${debian})`;
    }
  }
  return undefined;
}

const SKIP = cannotRun('the package test', need('the cross compilers', missingCompiler));
const QEMU_ARM64 = 'qemu-aarch64-static';

/** The ```ts block of a page that follows `<!-- file: NAME ...-->`. */
function snippet(page: string, name: string): string {
  const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
  const marker = lines.findIndex((line) => line.startsWith(`<!-- file: ${name} `));
  if (marker < 0 || lines[marker + 1] !== '```ts') throw new Error(`${page}: no \`\`\`ts block marked <!-- file: ${name} ... -->`);
  const end = lines.indexOf('```', marker + 2);
  return lines.slice(marker + 2, end).join('\n') + '\n';
}

interface Run {
  code: number;
  /** stdout and stderr together, without colours. */
  out: string;
}

let project = '';
let scratch = '';
/** The environment of the user's shell: no vitest variables of ours. */
let env: NodeJS.ProcessEnv = {};

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, {
      cwd: options.cwd ?? project,
      env: options.env ?? env,
      encoding: 'utf8',
      timeout: options.timeoutMs ?? 60_000,
      maxBuffer: 16 << 20,
    }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      // eslint-disable-next-line no-control-regex
      resolve({ code, out: `${stdout}${stderr}`.replace(/\x1b\[[0-9;]*m/g, '') });
    });
  });
}

async function ok(command: string, args: string[], options: { cwd?: string; timeoutMs?: number } = {}): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.code}):\n${result.out}`);
  return result.out;
}

describe.skipIf(SKIP)('the npm package, installed from its tarball in a new project', () => {
  beforeAll(async () => {
    env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('VITEST') && key !== 'NODE_OPTIONS' && key !== 'TEST'));
    env['NO_COLOR'] = '1';
    scratch = mkdtempSync(join(tmpdir(), 'pausekit-package-'));
    // The compiled JavaScript and the binaries of both architectures, then
    // the tarball as `npm pack` makes it (its own scripts would rebuild the
    // model under the other test files' feet: they run here instead).
    await ok('npm', ['run', '-s', 'build:ts'], { cwd: ROOT, timeoutMs: 120_000 });
    await ok('npm', ['run', '-s', 'build:prebuilt'], { cwd: ROOT, timeoutMs: 120_000 });
    const packed = JSON.parse(await ok('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], { cwd: ROOT })) as { filename: string }[];
    const tarball = join(scratch, packed[0]!.filename);
    project = join(scratch, 'user-project');
    mkdirSync(join(project, 'test'), { recursive: true });
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }, null, 2));
    const dev = PACKAGE.devDependencies;
    await ok('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--save-dev', tarball,
      `vitest@${dev['vitest']}`, `typescript@${dev['typescript']}`, `@types/node@${dev['@types/node']}`, `fast-check@${PACKAGE.dependencies['fast-check']}`,
    ], { timeoutMs: 120_000 });
    writeFileSync(join(project, 'test/reaping.test.ts'), snippet('README.md', 'test/reaping.test.ts'));
    writeFileSync(join(project, 'test/reap-once.test.ts'), snippet('docs/library.md', 'test/reap-once.test.ts'));
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: ['node'],
        strict: true, noEmit: true, skipLibCheck: false,
      },
      include: ['test'],
    }, null, 2));
  }, 300_000);

  afterAll(() => {
    if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
  });

  test('is installed from the tarball, outside the checkout, with its binaries executable', () => {
    const installed = JSON.parse(readFileSync(join(project, 'node_modules/pausekit/package.json'), 'utf8')) as { version: string };
    expect(installed.version).toBe(PACKAGE.version);
    expect(project.startsWith(ROOT)).toBe(false);
    // No build of its own: the kernel engine can only use the prebuilt binaries.
    expect(spawnSync('test', ['-e', join(project, 'node_modules/pausekit/build/native/pausekit-driver')]).status).toBe(1);
    for (const arch of ['amd64', 'arm64']) {
      for (const name of ['pause', 'pause-sigwait', 'pause-handlers', 'pausekit-driver']) {
        const file = join(project, 'node_modules/pausekit/build/native', arch, name);
        const elf = readFileSync(file).subarray(0, 4);
        expect(elf.toString('latin1'), file).toBe('\x7fELF');
        expect(spawnSync('test', ['-x', file]).status, `${file} is executable`).toBe(0);
      }
    }
  });

  test("docs/library.md shows the README's file as written", () => {
    const page = readFileSync(join(ROOT, 'docs/library.md'), 'utf8');
    expect(page).toContain(`\`\`\`ts\n${snippet('README.md', 'test/reaping.test.ts')}\`\`\`\n`);
  });

  test('the arm64 binaries run (under qemu-user): pause prints its version, the driver probes the kernel', async (context) => {
    if (spawnSync(QEMU_ARM64, ['--version']).error !== undefined) {
      skipNow(context, "the arm64 binaries' run", `${QEMU_ARM64} is missing (Debian: apt-get install qemu-user-static)`);
    }
    const dir = join(project, 'node_modules/pausekit/build/native/arm64');
    for (const design of DESIGNS) {
      expect(await run(QEMU_ARM64, [join(dir, `pause-${design}`), '-v'])).toEqual({ code: 0, out: `pause.c ${PACKAGE.version}\n` });
    }
    const probe = await run(QEMU_ARM64, [join(dir, 'pausekit-driver'), '--probe']);
    expect(probe.out, probe.out).toMatch(/^(ok (root|userns)|no .+)\n$/);
  });

  test('npx pausekit --help lists the commands', async () => {
    const result = await run('npx', ['pausekit', '--help']);
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/^usage: pausekit <command> \[options\]\n/);
    expect(result.out).toContain('\n  run      run a scenario');
  });

  test('npx pausekit run --engine model tells the seed story as the checkout does', async () => {
    const result = await run('npx', ['pausekit', 'run', '--engine', 'model']);
    const checkout = await run(process.execPath, [join(ROOT, 'src/cli/bin.mjs'), 'run', '--engine', 'model'], { cwd: ROOT });
    expect(result).toEqual({ code: 0, out: checkout.out });
    expect(result.out).toContain('step 9: outside sends SIGTERM to pause\n');
    expect(result.out).toContain('  stderr: Shutting down, got signal: Terminated\n');
  });

  test('npx pausekit run plays the seed story on the kernel with no compiler on PATH', async (context) => {
    const noKernel = KERNEL.missing();
    if (noKernel !== undefined) skipNow(context, 'npx pausekit run on the kernel', noKernel);
    // PATH holds node, npm, npx and the shell npm runs a bin with: no cc, no make.
    const bin = join(scratch, 'bin');
    mkdirSync(bin, { recursive: true });
    for (const tool of ['node', 'npm', 'npx']) symlinkSync(join(dirname(process.execPath), tool), join(bin, tool));
    symlinkSync('/bin/sh', join(bin, 'sh'));
    const result = await run(join(bin, 'npx'), ['pausekit', 'run', '--json'], { env: { ...env, PATH: bin } });
    expect(result.code, result.out).toBe(0);
    const expected = readFileSync(join(ROOT, 'src/scenario/examples/seed-story.expected.json'), 'utf8');
    expect(JSON.parse(result.out)).toEqual(JSON.parse(expected));
  });

  test("the user's property of reaping, as README.md shows it, passes", async () => {
    const result = await run('npx', ['vitest', 'run', 'test/reaping.test.ts']);
    expect(result.code, result.out).toBe(0);
    expect(result.out).toMatch(/Tests\s+1 passed \(1\)/);
  });

  test('the same property on a pause that reaps once per SIGCHLD fails with a shrunk counterexample and its replay seed', async () => {
    const result = await run('npx', ['vitest', 'run', 'test/reap-once.test.ts']);
    expect(result.code, result.out).toBe(1);
    expect(result.out).toMatch(/Tests\s+1 failed \(1\)/);
    // fast-check's report: the seed and path that replay it, the shrunk scenario in words.
    const replay = result.out.match(/\{ seed: (-?\d+), path: "([\d:]+)", endOnFailure: true \}/);
    expect(replay, result.out).not.toBeNull();
    // The arbitrary plays init mode too: `pause as PID 1 running "app" (init mode): ...`.
    const counterexample = result.out.match(/Counterexample: \[(pause as PID 1(?: running "\w+" \(init mode\))?: .*)\]\n/)?.[1];
    expect(counterexample, result.out).toBeDefined();
    expect(result.out).toMatch(/Shrunk \d+ time\(s\)/);
    // The matcher's reason: a zombie left behind.
    expect(result.out).toMatch(/expected pause to reap every zombie child, but\n\s+after step \d+: \w+ (is a zombie child|.* are zombie children) of pause/);
    const steps = counterexample!.split(' · ');
    expect(steps.length).toBeLessThanOrEqual(12);
    // A zombie needs a death: an exit, or a signal that killed (a seed shrank to a SIGKILL).
    expect(steps.some((s) => / exits with code | sends SIG\w+ to /.test(s)), counterexample).toBe(true);

    // The seed and path replay it: the first run fails, with the same scenario.
    const [, seed, path] = replay!;
    const source = snippet('docs/library.md', 'test/reap-once.test.ts');
    const options = `{ seed: ${seed}, path: '${path}', endOnFailure: true }`;
    const replayed = source.replace(/\n {4}\}\),\n {2}\);\n/, `\n    }),\n    ${options},\n  );\n`);
    expect(replayed).not.toBe(source);
    writeFileSync(join(project, 'test/replay.test.ts'), replayed);
    const again = await run('npx', ['vitest', 'run', 'test/replay.test.ts']);
    expect(again.code, again.out).toBe(1);
    expect(again.out).toContain('Property failed after 1 tests');
    expect(again.out).toContain(`Counterexample: [${counterexample}]`);
  });

  test("tsc --noEmit type-checks the user's files against the package's .d.ts, and catches a misused matcher", async () => {
    // One run over the user's files and a misuse: the misuse's two errors, and nothing else.
    writeFileSync(join(project, 'test/misuse.test.ts'), [
      "import { expect } from 'vitest';",
      "import { runModel, SEED_STORY } from 'pausekit';",
      "import 'pausekit/vitest';",
      "expect(await runModel(SEED_STORY, { design: 'sigwait' })).toExitWith('zero');",
      "await runModel(SEED_STORY, { design: 'fast' });",
      '',
    ].join('\n'));
    try {
      const typed = await run('npx', ['tsc', '--noEmit', '-p', '.']);
      const errors = typed.out.split('\n').filter((line) => / error TS\d+:/.test(line));
      expect(typed.code, typed.out).not.toBe(0);
      expect(errors, typed.out).toEqual([
        expect.stringMatching(/^test\/misuse\.test\.ts\(4,\d+\): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'/),
        expect.stringMatching(/^test\/misuse\.test\.ts\(5,\d+\): error TS2322: Type '"fast"' is not assignable to type '("sigwait" \| "handlers" \| "autoreap"|Design)'/),
      ]);
    } finally {
      rmSync(join(project, 'test/misuse.test.ts'));
    }
  });
});
