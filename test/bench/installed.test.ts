// `pausekit bench` run from an installed package (node_modules/pausekit of
// another project) writes nothing inside the package: its builds go to the
// user's cache directory ($XDG_CACHE_HOME/pausekit), and what cannot run is
// one line saying what it needs. Here the package is laid out as npm
// installs it (package.json, build/asm, build/native/<arch>/), with the
// sources in src/ run through tsx in place of the compiled dist/ (the same
// paths, one level under the package), and its dependencies linked in,
// @grpc/* left out as a user's project leaves them out.
//
// Runs, each checked to leave the package's files as they were:
// - as nobody, --quick: the harness's parts need root (one line); the model
//   and the sizes run; nothing is written anywhere, not even the cache;
// - as root without the C sources: one line names them; exit 1 without
//   --quick (targets that could not be judged);
// - as root with bench/ and native/ sources: everything builds into the
//   cache and runs; the Kubernetes rows name the option they need;
// - as root, --only cri: one line names the npm packages to install.
import { execFile } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ROOT } from '../../src/bench/build.ts';
import type { BenchResult } from '../../src/bench/result.ts';
import { CRI_CONTAINERD_NEEDS } from '../../src/cri/containerd.ts';
import { PREBUILT_ARCHES } from '../../src/engines/kernel/engine.ts';
import { BENCH, processesTagged, taggedEnv } from '../support/bench.ts';
import { cannotRun, commands } from '../support/gate.ts';

const BASE = mkdtempSync(join(tmpdir(), 'pausekit-installed-'));
const PROJECT = join(BASE, 'project');
const PACKAGE = join(PROJECT, 'node_modules', 'pausekit');
const CACHE = join(BASE, 'cache');
const NOBODY_HOME = join(BASE, 'nobody');
afterAll(() => rmSync(BASE, { recursive: true, force: true }));

/** Every file and directory under the package, with its size and modification time. */
function snapshot(dir = PACKAGE): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort().map((name) => {
    const stat = statSync(join(dir, name));
    return `${name} ${stat.isDirectory() ? 'dir' : stat.size} ${stat.mtimeMs}`;
  });
}

/** Lays the package out as npm installs it; the C sources only when asked. */
function install(withSources: boolean): void {
  const copy = (path: string): void => cpSync(join(ROOT, path), join(PACKAGE, path), { recursive: true });
  if (!existsSync(PACKAGE)) {
    for (const path of ['package.json', 'src', 'build/asm/pause.wasm']) copy(path);
    for (const arch of readdirSync(join(ROOT, 'build/native'))) {
      if (existsSync(join(ROOT, 'build/native', arch, 'pause-sigwait'))) copy(`build/native/${arch}`);
    }
    for (const name of ['tsx', 'fast-check', '@wasmer', 'tar-stream']) symlinkSync(join(ROOT, 'node_modules', name), join(PROJECT, 'node_modules', name));
  }
  if (withSources) for (const path of ['bench', 'native/pause.c', 'native/Makefile', 'native/sys']) copy(path);
}

interface Ran { code: number | null; stdout: string; stderr: string }

/** `pausekit bench ARGS` from the project, as root or as nobody. */
function bench(args: string[], options: { nobody?: boolean; env?: NodeJS.ProcessEnv } = {}): Promise<Ran> {
  const node = [process.execPath, '--import', 'tsx', join(PACKAGE, 'src/cli/main.ts'), 'bench', ...args];
  const [command, ...argv] = options.nobody ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...node] : node;
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CACHE_HOME: CACHE, ...(options.nobody ? { HOME: NOBODY_HOME } : {}), ...options.env };
  delete env['PAUSEKIT_NATIVE_DIR'];
  delete env['PAUSEKIT_K8S_PAUSE_SOURCE'];
  return new Promise((resolve) => {
    execFile(command!, argv, { cwd: PROJECT, env, timeout: 240_000, maxBuffer: 1 << 24 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

/** The lines of a run's Skipped section. */
const skippedLines = (stdout: string): string[] => (stdout.split('\nSkipped\n')[1]?.split('\n\n')[0]?.split('\n') ?? []).filter(Boolean);

describe.skipIf(cannotRun('the installed-package bench tests', ...BENCH))('pausekit bench from an installed package', () => {
  beforeAll(() => {
    mkdirSync(join(PROJECT, 'node_modules'), { recursive: true });
    mkdirSync(NOBODY_HOME);
    chmodSync(NOBODY_HOME, 0o777);
    // mkdtemp makes its directory private; nobody must reach the package.
    chmodSync(BASE, 0o755);
    install(false);
  });

  const noSetpriv = cannotRun('the bench as nobody', commands(['setpriv'], 'util-linux'));
  test.skipIf(noSetpriv)('as nobody, --quick: the harness\'s parts need root, in one line; nothing is written anywhere', async () => {
    const before = snapshot();
    const run = await bench(['--quick'], { nobody: true });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.not.stringMatching(/\n\s+at /) as string });
    expect(skippedLines(run.stdout)).toEqual(['latency, init, footprint, reaping: needs root: each sample starts the program as PID 1 of a new PID namespace']);
    expect(run.stdout).toContain('The model through its TypeScript API');
    expect(run.stdout).toContain('Binary size per architecture and design');
    expect(snapshot()).toEqual(before);
    expect(existsSync(CACHE)).toBe(false);
  }, 250_000);

  test('as root without the C sources: one line names them, and a run that cannot judge its targets exits 1', async () => {
    const before = snapshot();
    const run = await bench(['--only', 'latency']);
    expect(skippedLines(run.stdout)).toEqual([
      'latency: needs pausekit\'s C sources (bench/harness.c, bench/Makefile), which this installation does not have: run it from a checkout',
    ]);
    expect({ code: run.code, last: run.stderr.trim().split('\n').at(-1) })
      .toEqual({ code: 1, last: 'pausekit bench: latency could not run here, so their targets were not judged' });
    expect(snapshot()).toEqual(before);
  }, 250_000);

  test('as root with the C sources, --quick: every part builds into the cache and runs; the Kubernetes rows name their option', async () => {
    install(true);
    const before = snapshot();
    const { env, tag } = taggedEnv();
    const run = await bench(['--quick', '--json'], { env });
    expect(run.code, run.stderr).toBe(0);
    expect(skippedLines(run.stdout)).toContain(
      'k8s-pause-musl, k8s-pause-glibc: no Kubernetes pause.c given (--k8s-pause-source FILE, or PAUSEKIT_K8S_PAUSE_SOURCE)');
    expect(run.stdout).toMatch(/^pause-0\.1\.0 +\d/m);
    expect(snapshot()).toEqual(before);
    const built = readdirSync(join(CACHE, 'pausekit', 'bench'));
    expect(built).toEqual(expect.arrayContaining(['harness', 'floor', 'init-floor', 'pause-0.1.0']));
    expect(readdirSync(join(CACHE, 'pausekit', 'quick')).sort()).toEqual(['latency.svg', 'results.json']);
    // The results name the package's own binaries relative to it, and the cache's where they are.
    const file = join(CACHE, 'pausekit', 'quick', 'results.json');
    expect(run.stdout).toContain(`\njson: ${file}\n`);
    const argv = Object.fromEntries((JSON.parse(readFileSync(file, 'utf8')) as BenchResult).programs.map((p) => [p.id, p.argv[0]]));
    expect({ pause: argv['pause'], floor: argv['floor'] })
      .toEqual({ pause: `build/native/${PREBUILT_ARCHES[process.arch]}/pause`, floor: join(CACHE, 'pausekit', 'bench', 'floor') });
    expect(processesTagged(tag)).toEqual([]);
  }, 250_000);

  // A machine without containerd says that first, in the same one line; the packages come next.
  const noContainerd = cannotRun('the installed --only cri case', commands(CRI_CONTAINERD_NEEDS));

  test.skipIf(noContainerd)('as root, --only cri without the gRPC packages: one line names what to install', async () => {
    const before = snapshot();
    const run = await bench(['--only', 'cri']);
    expect(skippedLines(run.stdout)).toEqual(['cri: the CRI client needs the npm packages @grpc/grpc-js and @grpc/proto-loader, which are not installed: ' +
      'npm install @grpc/grpc-js @grpc/proto-loader']);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot()).toEqual(before);
  }, 250_000);
});
