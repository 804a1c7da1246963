// pausekit as a stranger meets it: the project packed with `npm pack` (its
// `prepare` and `prepack` scripts build what ships, in a clean clone of the
// checkout), and the tarball installed into new projects outside the
// checkout, from the npm cache (offline where it can be):
//
// - the tarball: its bin and binaries executable, the six architectures'
//   pause and the two drivers, every relative link of every page it ships
//   resolving inside it, and no module of dist/ importing a package the
//   install does not bring (but the optional peers, imported lazily);
// - a project as README.md says (`npm install --save-dev pausekit vitest
//   fast-check`), as root and as an unprivileged user (nobody, with a HOME
//   of its own): every command README.md and docs/library.md show, as
//   written and with their output checked as test/docs checks it (those
//   marked `checkout only` left out); `npx pausekit image` with every
//   platform; `npx pausekit bench --quick`, which writes nothing inside
//   node_modules; `npx pausekit run ... | head -1`, which ends quietly;
//   `npx pausekit --version`. As root also: the README's vitest file passes,
//   docs/library.md's failing one fails with a counterexample and a seed
//   that replay it; `tsc` type-checks them (and the format page's JSON
//   given inline) against the package's .d.ts; the kernel runs with no
//   compiler on PATH; the arm64 binaries run under qemu;
// - a project with `npm install pausekit` alone: no optional peer, and each
//   feature that needs one says so in one line;
// - a project pinned to the oldest fast-check and vitest the package
//   supports: the README's file type-checks and passes.
//
// One tarball serves every project of this file.
import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { PLATFORMS, platformName } from '../../src/image/platforms.ts';
import { DESIGNS } from '../../src/scenario/types.ts';
import { cannotRun, KERNEL, need, skipNow } from '../support/gate.ts';
import {
  UNAVAILABLE, checkRan, cloneCheckout, fileBlock, headingAnchors, parsePage, readerEnvironment, relativeLinks, runCommand, type Command,
} from '../docs/pages.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  peerDependenciesMeta: Record<string, { optional?: boolean }>;
  devDependencies: Record<string, string>;
};

/** The oldest fast-check and vitest the peer ranges admit: a project pinned to them must work. */
const OLDEST = { 'fast-check': '3.0.0', vitest: '3.2.0' };

/**
 * The optional peers, each imported only lazily (a dynamic import) by the
 * module listed, which says in one line what to install when it is missing.
 */
const LAZY_PEERS: Record<string, string[]> = {
  '@grpc/grpc-js': ['dist/cri/client.js'],
  '@grpc/proto-loader': ['dist/cri/client.js'],
  '@wasmer/wasi': ['dist/engines/model/hosts.js'],
  vitest: ['dist/vitest.js'],
};

const NOBODY = { uid: 65534, gid: 65534 };
const COMMAND_TIMEOUT_MS = 120_000;
const INSTALL_TIMEOUT_MS = 300_000;
/** A test that runs vitest or tsc in a project, or several commands: a guard against a hang, not a bound on speed. */
const TOOL_TIMEOUT_MS = 300_000;

/** The cross compilers `npm run build:prebuilt` needs, and their Debian packages. */
const COMPILERS: [string, string][] = [
  ['x86_64-linux-gnu-gcc', 'gcc-x86-64-linux-gnu (or gcc on an x86-64 machine)'],
  ['aarch64-linux-gnu-gcc', 'gcc-aarch64-linux-gnu libc6-dev-arm64-cross'],
  ['arm-linux-gnueabihf-gcc', 'gcc-arm-linux-gnueabihf'],
  ['powerpc64le-linux-gnu-gcc', 'gcc-powerpc64le-linux-gnu'],
  ['s390x-linux-gnu-gcc', 'gcc-s390x-linux-gnu'],
  ['riscv64-linux-gnu-gcc', 'gcc-riscv64-linux-gnu'],
];

/** Why the package cannot be built here (a cross compiler, or the static C library the drivers need, is missing), or undefined. */
function missingCompiler(): string | undefined {
  for (const [cc, debian] of COMPILERS) {
    const found = spawnSync(cc, ['--version']);
    const libc = spawnSync(cc, ['-print-file-name=libc.a'], { encoding: 'utf8' });
    const needsLibc = cc.startsWith('x86_64') || cc.startsWith('aarch64');
    if (found.error !== undefined || (needsLibc && !(libc.stdout ?? '').startsWith('/'))) {
      return `${cc}${needsLibc ? ' with a static C library' : ''} is needed to build the package's binaries (Debian: apt-get install ${debian})`;
    }
  }
  return undefined;
}

const SKIP = cannotRun('the package test', need('the cross compilers', missingCompiler));
const AS_ROOT = process.getuid?.() === 0;
const QEMU_ARM64 = 'qemu-aarch64-static';

interface Run {
  code: number;
  /** stdout and stderr together, without colours. */
  out: string;
  stdout: string;
}

/** Runs a program (as `user`, if given: the test runs as root), never through a shell. */
function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number; user?: typeof NOBODY }): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, {
      cwd: options.cwd, env: options.env, encoding: 'utf8', timeout: options.timeoutMs ?? COMMAND_TIMEOUT_MS, maxBuffer: 64 << 20,
      ...(options.user ?? {}),
    }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      // eslint-disable-next-line no-control-regex
      resolve({ code, out: `${stdout}${stderr}`.replace(/\x1b\[[0-9;]*m/g, ''), stdout });
    });
  });
}

/** Runs a program that must succeed; its stdout. */
async function ok(command: string, args: string[], options: Parameters<typeof run>[2]): Promise<string> {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${result.code}) in ${options.cwd}:\n${result.out}`);
  return result.stdout;
}

/** The JSON `npm pack --json` prints after what its scripts print. */
function packJson(stdout: string): { filename: string }[] {
  const at = stdout.startsWith('[\n') ? 0 : stdout.lastIndexOf('\n[\n') + 1;
  return JSON.parse(stdout.slice(at)) as { filename: string }[];
}

/** The scenarios docs/scenario-format.md shows as ```json blocks: the format as a user writes it. */
function formatPageScenarios(): string[] {
  return [...readFileSync(join(ROOT, 'docs/scenario-format.md'), 'utf8').matchAll(/^```json\n([\s\S]*?)^```$/gm)].map((m) => m[1]!.trim());
}

/** Every file and folder under `dir`, with size and modification time: what "nothing written" compares. */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort().map((name) => {
    const stat = lstatSync(join(dir, name));
    return `${name} ${stat.isDirectory() ? 'dir' : stat.size} ${stat.mtimeMs}`;
  });
}

/** A bare import of a module of dist/: what it names, and whether it is a dynamic import(). */
interface BareImport {
  file: string;
  specifier: string;
  lazy: boolean;
}

/** The bare (package or builtin) imports of a JavaScript module, static and dynamic; a computed import() is an error. */
function bareImports(file: string, text: string): BareImport[] {
  const found: BareImport[] = [];
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
  const visit = (node: ts.Node): void => {
    let specifier: ts.Expression | undefined;
    let lazy = false;
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined) specifier = node.moduleSpecifier;
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      specifier = node.arguments[0];
      lazy = true;
      if (specifier === undefined || !ts.isStringLiteralLike(specifier)) throw new Error(`${file}: import() of a computed name`);
    }
    if (specifier !== undefined && ts.isStringLiteralLike(specifier) && !/^[./]/.test(specifier.text)) found.push({ file, specifier: specifier.text, lazy });
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The npm package an import names: `@scope/name` or `name`, without a subpath. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** The commands of README.md and docs/library.md a package user runs (not those marked checkout only). */
function packageUserCommands(): Command[] {
  return ['README.md', 'docs/library.md']
    .flatMap((name) => parsePage(name, readFileSync(join(ROOT, name), 'utf8')).commands)
    .filter((c) => c.checkoutOnly === undefined);
}

describe.skipIf(SKIP)('the npm package, packed and installed in new projects', () => {
  let scratch = '';
  let tarball = '';
  /** The tarball unpacked (its `package/` folder). */
  let unpacked = '';
  /** The tarball's entries, paths under `package/`, with their modes. */
  let entries = new Map<string, number>();
  /** The environment of a user's shell; npm offline, its cache given per project. */
  const userEnv = (npmCache: string, home?: string): NodeJS.ProcessEnv => ({
    ...readerEnvironment(npmCache),
    XDG_CACHE_HOME: join(home ?? scratch, '.cache'),
    ...(home !== undefined ? { HOME: home } : {}),
  });
  /** npm install's environment: the machine's npm cache (or `cache`), offline where it can be. */
  const installEnv = (cache?: string, home?: string): NodeJS.ProcessEnv => {
    const env: NodeJS.ProcessEnv = { ...userEnv(cache ?? '', home), npm_config_prefer_offline: 'true' };
    delete env['npm_config_offline'];
    if (cache === undefined) delete env['npm_config_cache'];
    return env;
  };

  /** A new project outside the checkout with `packages` installed (as `user`, if given). */
  async function project(name: string, packages: string[], options: { user?: typeof NOBODY; home?: string; cache?: string } = {}): Promise<string> {
    const dir = join(scratch, name);
    mkdirSync(join(dir, 'test'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, type: 'module' }, null, 2));
    if (options.user !== undefined) for (const path of [dir, join(dir, 'test'), join(dir, 'package.json')]) chownSync(path, options.user.uid, options.user.gid);
    await ok('npm', ['install', '--no-audit', '--no-fund', '--save-dev', ...packages], {
      cwd: dir, env: installEnv(options.cache, options.home), timeoutMs: INSTALL_TIMEOUT_MS, user: options.user,
    });
    return dir;
  }

  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'pausekit-package-'));
    chmodSync(scratch, 0o755); // nobody reads the tarball and has its project here
    // `npm pack` in a clean clone: its prepare and prepack scripts build
    // everything the package ships there, and nothing in the checkout.
    const clone = join(scratch, 'clone');
    mkdirSync(clone);
    cloneCheckout(ROOT, clone);
    symlinkSync(join(ROOT, 'node_modules'), join(clone, 'node_modules'));
    const packed = packJson(await ok('npm', ['pack', '--json', '--pack-destination', scratch], { cwd: clone, env: installEnv(), timeoutMs: INSTALL_TIMEOUT_MS }));
    tarball = join(scratch, packed[0]!.filename);
    rmSync(clone, { recursive: true, force: true });
    for (const line of (await ok('tar', ['-tvzf', tarball], { cwd: scratch, env: process.env })).split('\n').filter(Boolean)) {
      const [mode, , , , , path] = line.split(/\s+/);
      entries.set(path!.replace(/^package\//, ''), parseInt(mode!.slice(1).replace(/[^-]/g, '1').replace(/-/g, '0'), 2));
    }
    await ok('tar', ['-xzf', tarball, '-C', scratch], { cwd: scratch, env: process.env });
    unpacked = join(scratch, 'package');
  }, INSTALL_TIMEOUT_MS);

  afterAll(() => {
    if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
  });

  describe('the tarball', () => {
    test('ships the bin and every binary executable: pause of every design for the six architectures, the driver for amd64 and arm64', () => {
      const expected = PLATFORMS.flatMap((p) => ['pause', ...DESIGNS.map((d) => `pause-${d}`)].map((n) => `build/native/${p.arch}/${n}`))
        .concat(['build/native/amd64/pausekit-driver', 'build/native/arm64/pausekit-driver']);
      expect([...entries.keys()].filter((path) => path.startsWith('build/native/')).sort()).toEqual(expected.sort());
      for (const path of [PACKAGE.bin['pausekit']!, ...expected]) {
        expect((entries.get(normalize(path))! & 0o111).toString(8), `${path}'s mode in the tarball`).toBe('111');
        if (path.startsWith('build/')) expect(readFileSync(join(unpacked, path)).subarray(0, 4).toString('latin1'), path).toBe('\x7fELF');
      }
      expect(entries.has('LICENSE')).toBe(true);
      expect(readFileSync(join(unpacked, 'LICENSE'), 'utf8')).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    });

    test('every relative link of every page it ships resolves inside it', () => {
      const pages = [...entries.keys()].filter((path) => path.endsWith('.md'));
      expect(pages).toEqual(expect.arrayContaining(['README.md', 'docs/library.md', 'ARCHITECTURE.md']));
      const broken: string[] = [];
      for (const page of pages) {
        for (const link of relativeLinks(page, readFileSync(join(unpacked, page), 'utf8'))) {
          const target = link.target === '' ? page : normalize(join(dirname(page), link.target));
          if (!entries.has(target) && ![...entries.keys()].some((e) => e.startsWith(`${target}/`))) {
            broken.push(`${page}:${link.line}: ${link.target} (${target} is not in the package)`);
          } else if (link.anchor !== undefined && target.endsWith('.md') && !headingAnchors(readFileSync(join(unpacked, target), 'utf8')).has(link.anchor)) {
            broken.push(`${page}:${link.line}: ${link.target}#${link.anchor} (no such heading in ${target})`);
          }
        }
      }
      expect(broken).toEqual([]);
    });

    test("every bare import in dist/ is a builtin, a dependency, a peer, or an optional peer imported lazily by the module that says it is missing", () => {
      const files = readdirSync(join(unpacked, 'dist'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.js'));
      const imports = files.flatMap((f) => bareImports(`dist/${f}`, readFileSync(join(unpacked, 'dist', f), 'utf8')));
      const optional = (name: string) => PACKAGE.peerDependenciesMeta[name]?.optional === true;
      const wrong = imports.filter(({ file, specifier, lazy }) => {
        const name = packageOf(specifier);
        if (specifier.startsWith('node:') || isBuiltin(specifier)) return false;
        if (name in PACKAGE.dependencies) return false;
        if (name in PACKAGE.peerDependencies && !optional(name)) return false;
        return !(optional(name) && lazy && (LAZY_PEERS[name] ?? []).includes(file));
      }).map(({ file, specifier, lazy }) => `${file}: ${lazy ? 'import()' : 'import'} '${specifier}'`);
      expect(wrong).toEqual([]);
      // Each listed lazy import is there (the list says where the one-line error is).
      for (const [name, modules] of Object.entries(LAZY_PEERS)) {
        expect(optional(name), `${name} is an optional peer`).toBe(true);
        for (const file of modules) expect(imports.some((i) => i.file === file && packageOf(i.specifier) === name && i.lazy), `${file} imports ${name} lazily`).toBe(true);
      }
    });
  });

  // A user's project as README.md installs it, as root and as nobody: the
  // commands the pages show, and what the package promises a command does.
  describe.each([
    { who: 'root', user: undefined },
    { who: 'an unprivileged user (nobody)', user: NOBODY },
  ])('a project as README.md says, installed and used by $who', ({ who, user }) => {
    let dir = '';
    let env: NodeJS.ProcessEnv = {};
    let skipAll = '';
    const shell = (command: string) => runCommand(command, { cwd: dir, env, timeoutMs: COMMAND_TIMEOUT_MS, ...(user ?? {}) });

    beforeAll(async () => {
      if (user !== undefined && !AS_ROOT) {
        skipAll = 'the test runs as a user already: it is the unprivileged case';
        return;
      }
      const dev = PACKAGE.devDependencies;
      const packages = [tarball, `vitest@${dev['vitest']}`, `fast-check@${dev['fast-check']}`];
      if (user === undefined) {
        dir = await project('user-project', [...packages, `typescript@${dev['typescript']}`, `@types/node@${dev['@types/node']}`]);
        env = userEnv(join(scratch, 'npx-cache-root'));
        return;
      }
      // nobody has a HOME of its own, and a copy of the machine's npm cache to install from.
      const home = join(scratch, 'nobody-home');
      mkdirSync(home);
      const cache = join(home, '.npm');
      cpSync(join(process.env['npm_config_cache'] ?? join(homedir(), '.npm'), '_cacache'), join(cache, '_cacache'), { recursive: true });
      await ok('chown', ['-R', `${user.uid}:${user.gid}`, home], { cwd: scratch, env: process.env });
      dir = await project('nobody-project', packages, { user, home, cache });
      env = userEnv(cache, home);
    }, INSTALL_TIMEOUT_MS);

    const skipIfNeeded = (ctx: TestContext) => {
      if (skipAll !== '') skipNow(ctx, `the project installed by ${who}`, skipAll);
    };

    test(`${who}: the package is installed from the tarball, outside the checkout, with no build of its own`, (ctx) => {
      skipIfNeeded(ctx);
      const installed = JSON.parse(readFileSync(join(dir, 'node_modules/pausekit/package.json'), 'utf8')) as { version: string };
      expect(installed.version).toBe(PACKAGE.version);
      expect(relative(ROOT, dir).startsWith('..')).toBe(true);
      expect(existsSync(join(dir, 'node_modules/pausekit/build/native/pausekit-driver'))).toBe(false);
      expect(existsSync(join(dir, 'node_modules/pausekit/native'))).toBe(false);
    });

    for (const c of packageUserCommands()) {
      test(`${who}: ${c.page}:${c.line}: ${c.command.split('\n')[0]}`, async (ctx) => {
        skipIfNeeded(ctx);
        const ran = await shell(c.command);
        const unavailable = ran.output.match(UNAVAILABLE);
        if (unavailable !== null && !c.shown.some((l) => UNAVAILABLE.test(l))) return skipNow(ctx, `${c.page}:${c.line}`, unavailable[0]);
        const problem = checkRan(c, ran, COMMAND_TIMEOUT_MS);
        expect(problem, problem ?? '').toBeNull();
      }, COMMAND_TIMEOUT_MS + 10_000);
    }

    test(`${who}: npx pausekit --version prints the package's version`, async (ctx) => {
      skipIfNeeded(ctx);
      const ran = await shell('npx pausekit --version');
      expect(ran, ran.output).toMatchObject({ code: 0, output: `pausekit ${PACKAGE.version}\n` });
    }, TOOL_TIMEOUT_MS);

    test(`${who}: npx pausekit image --out pause.tar writes every platform`, async (ctx) => {
      skipIfNeeded(ctx);
      const ran = await shell('npx pausekit image --out every-platform.tar');
      expect(ran.code, ran.output).toBe(0);
      expect(ran.output.split('\n')[0]).toMatch(new RegExp(`^wrote every-platform\\.tar: oci archive of localhost/pausekit/pause:${PACKAGE.version.replace(/\./g, '\\.')} for ${PLATFORMS.length} platforms, \\d+ bytes$`));
      for (const platform of PLATFORMS) expect(ran.output).toMatch(new RegExp(`^  ${platformName(platform)} +sha256:[0-9a-f]{64} \\(\\d+-byte /pause\\)$`, 'm'));
    }, TOOL_TIMEOUT_MS);

    test(`${who}: npx pausekit bench --quick runs, and writes nothing inside node_modules`, async (ctx) => {
      skipIfNeeded(ctx);
      const before = snapshot(join(dir, 'node_modules'));
      const ran = await shell('npx pausekit bench --quick');
      expect(ran.output, 'no stack trace').not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      // Quick: what cannot run here (the harness without root, or without the C sources) is a line, not a failure.
      expect(ran.code, ran.output).toBe(0);
      expect(snapshot(join(dir, 'node_modules'))).toEqual(before);
    }, TOOL_TIMEOUT_MS);

    test(`${who}: npx pausekit run coalesced-sigchld --engine model | head -1 ends quietly`, async (ctx) => {
      skipIfNeeded(ctx);
      const ran = await shell('set -o pipefail; npx pausekit run coalesced-sigchld --engine model | head -1');
      expect(ran.code, ran.output).toBe(0);
      expect(ran.output.split('\n').filter(Boolean), 'one line, nothing on stderr').toHaveLength(1);
    }, TOOL_TIMEOUT_MS);
  });

  describe("the README's and docs/library.md's vitest files, type-checked and run in the root project", () => {
    let dir = '';
    let env: NodeJS.ProcessEnv = {};
    beforeAll(() => {
      dir = join(scratch, 'user-project');
      env = userEnv(join(scratch, 'npx-cache-root'));
      writeFileSync(join(dir, 'test/reaping.test.ts'), fileBlock(ROOT, 'README.md', 'test/reaping.test.ts'));
      writeFileSync(join(dir, 'test/reap-once.test.ts'), fileBlock(ROOT, 'docs/library.md', 'test/reap-once.test.ts'));
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
        compilerOptions: {
          target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: ['node'], strict: true, noEmit: true, skipLibCheck: false,
        },
        include: ['test'],
      }, null, 2));
    });
    const npx = (args: string[]) => run('npx', args, { cwd: dir, env });

    test("docs/library.md shows the README's file as written", () => {
      expect(readFileSync(join(ROOT, 'docs/library.md'), 'utf8')).toContain(`\`\`\`ts\n${fileBlock(ROOT, 'README.md', 'test/reaping.test.ts')}\`\`\`\n`);
    });

    test("the README's property of reaping passes", async () => {
      const result = await npx(['vitest', 'run', 'test/reaping.test.ts']);
      expect(result.code, result.out).toBe(0);
      expect(result.out).toMatch(/Tests\s+1 passed \(1\)/);
    }, TOOL_TIMEOUT_MS);

    test('the property on a pause that reaps once per SIGCHLD fails, naming the zombie left, with the seed and path that replay it', async () => {
      const result = await npx(['vitest', 'run', 'test/reap-once.test.ts']);
      expect(result.code, result.out).toBe(1);
      expect(result.out).toMatch(/Tests\s+1 failed \(1\)/);
      // The property that broke: a zombie child of pause left after a step.
      const zombie = result.out.match(/expected pause to reap every zombie child, but\n\s+after step (\d+): (\w+) (is a zombie child|.* are zombie children) of pause/);
      expect(zombie, result.out).not.toBeNull();
      // The counterexample, in words (the arbitrary's printing), names that process.
      const counterexample = result.out.match(/^Counterexample: \[(pause as .*)\]$/m)?.[1];
      expect(counterexample, result.out).toBeDefined();
      expect(counterexample).toContain(zombie![2]);
      const replay = result.out.match(/\{ seed: (-?\d+), path: "([\d:]+)", endOnFailure: true \}/);
      expect(replay, result.out).not.toBeNull();

      // The seed and path replay it: the first run fails, on the same scenario.
      const [, seed, path] = replay!;
      const source = fileBlock(ROOT, 'docs/library.md', 'test/reap-once.test.ts');
      const replayed = source.replace('{ numRuns: 1000 }', `{ numRuns: 1000, seed: ${seed}, path: '${path}', endOnFailure: true }`);
      expect(replayed).not.toBe(source);
      writeFileSync(join(dir, 'test/replay.test.ts'), replayed);
      try {
        const again = await npx(['vitest', 'run', 'test/replay.test.ts']);
        expect(again.code, again.out).toBe(1);
        expect(again.out).toContain('Property failed after 1 tests');
        expect(again.out).toContain(`Counterexample: [${counterexample}]`);
      } finally {
        rmSync(join(dir, 'test/replay.test.ts'));
      }
    }, TOOL_TIMEOUT_MS);

    test("tsc type-checks the user's files and the format page's JSON given inline against the package's .d.ts, and catches a misused matcher", async () => {
      const scenarios = formatPageScenarios();
      expect(scenarios.length).toBeGreaterThan(0);
      writeFileSync(join(dir, 'test/inline.test.ts'), [
        "import { runModel } from 'pausekit';",
        ...scenarios.map((json) => `await runModel(${json}, { design: 'sigwait' });`),
        '',
      ].join('\n'));
      writeFileSync(join(dir, 'test/misuse.test.ts'), [
        "import { expect } from 'vitest';",
        "import { runModel, SEED_STORY } from 'pausekit';",
        "import 'pausekit/vitest';",
        "expect(await runModel(SEED_STORY, { design: 'sigwait' })).toExitWith('zero');",
        "await runModel(SEED_STORY, { design: 'fast' });",
        '',
      ].join('\n'));
      try {
        const typed = await npx(['tsc', '--noEmit', '-p', '.']);
        const errors = typed.out.split('\n').filter((line) => / error TS\d+:/.test(line));
        expect(errors, typed.out).toEqual([
          expect.stringMatching(/^test\/misuse\.test\.ts\(4,\d+\): error TS2345: Argument of type 'string' is not assignable to parameter of type 'number'/),
          expect.stringMatching(/^test\/misuse\.test\.ts\(5,\d+\): error TS2322: Type '"fast"' is not assignable to type '("sigwait" \| "handlers" \| "autoreap"|Design)'/),
        ]);
      } finally {
        rmSync(join(dir, 'test/inline.test.ts'));
        rmSync(join(dir, 'test/misuse.test.ts'));
      }
    }, TOOL_TIMEOUT_MS);

    test('npx pausekit run --engine model tells the seed story as the checkout does', async () => {
      const result = await npx(['pausekit', 'run', '--engine', 'model']);
      const checkout = await run(process.execPath, [join(ROOT, 'src/cli/bin.mjs'), 'run', '--engine', 'model'], { cwd: ROOT, env });
      expect(result.code, result.out).toBe(0);
      expect(result.out).toBe(checkout.out);
      expect(result.out).toContain('step 9: outside sends SIGTERM to pause\n');
    }, TOOL_TIMEOUT_MS);

    test('npx pausekit run plays the seed story on the kernel with no compiler on PATH', async (ctx) => {
      const noKernel = KERNEL.missing();
      if (noKernel !== undefined) return skipNow(ctx, 'npx pausekit run on the kernel', noKernel);
      // PATH holds node, npm, npx and the shell npm runs a bin with: no cc, no make.
      const bin = join(scratch, 'bin');
      mkdirSync(bin, { recursive: true });
      for (const tool of ['node', 'npm', 'npx']) symlinkSync(join(dirname(process.execPath), tool), join(bin, tool));
      symlinkSync('/bin/sh', join(bin, 'sh'));
      const result = await run(join(bin, 'npx'), ['pausekit', 'run', '--json'], { cwd: dir, env: { ...env, PATH: bin } });
      expect(result.code, result.out).toBe(0);
      const expected = readFileSync(join(ROOT, 'src/scenario/examples/seed-story.expected.json'), 'utf8');
      expect(JSON.parse(result.out)).toEqual(JSON.parse(expected));
    }, TOOL_TIMEOUT_MS);

    test('the arm64 binaries run (under qemu-user): pause prints its version, the driver probes the kernel', async (ctx) => {
      if (spawnSync(QEMU_ARM64, ['--version']).error !== undefined) {
        return skipNow(ctx, "the arm64 binaries' run", `${QEMU_ARM64} is missing (Debian: apt-get install qemu-user-static)`);
      }
      const arm64 = join(dir, 'node_modules/pausekit/build/native/arm64');
      for (const design of DESIGNS) {
        const version = await run(QEMU_ARM64, [join(arm64, `pause-${design}`), '-v'], { cwd: dir, env });
        expect(version.out).toBe(`pause.c ${PACKAGE.version}\n`);
      }
      const probe = await run(QEMU_ARM64, [join(arm64, 'pausekit-driver'), '--probe'], { cwd: dir, env });
      expect(probe.out, probe.out).toMatch(/^(ok (root|userns)|no .+)\n$/);
    }, TOOL_TIMEOUT_MS);
  });

  describe('a project that installed pausekit alone: no optional peer, and each feature that needs one says so in one line', () => {
    let dir = '';
    let env: NodeJS.ProcessEnv = {};
    beforeAll(async () => {
      dir = await project('plain-project', [tarball]);
      env = userEnv(join(scratch, 'npx-cache-plain'));
    }, INSTALL_TIMEOUT_MS);

    test('npm brought the dependencies and the required peer (fast-check), no optional one', () => {
      for (const name of [...Object.keys(PACKAGE.dependencies), 'fast-check']) expect(existsSync(join(dir, 'node_modules', name)), name).toBe(true);
      for (const name of Object.keys(LAZY_PEERS)) expect(existsSync(join(dir, 'node_modules', name)), name).toBe(false);
    });

    test('npx pausekit --help and run --engine model work', async () => {
      expect((await run('npx', ['pausekit', '--help'], { cwd: dir, env })).code).toBe(0);
      const story = await run('npx', ['pausekit', 'run', '--engine', 'model'], { cwd: dir, env });
      expect(story.code, story.out).toBe(0);
    }, TOOL_TIMEOUT_MS);

    test('import pausekit/vitest without vitest: one line saying to install it', async () => {
      const script = "try { await import('pausekit/vitest'); } catch (e) { console.log(e.name, e.message); process.exit(3); }";
      const result = await run('node', ['--input-type=module', '-e', script], { cwd: dir, env });
      expect(result).toMatchObject({ code: 3, out: 'PausekitError pausekit/vitest needs vitest 3.2 or later: npm install --save-dev vitest\n' });
    }, TOOL_TIMEOUT_MS);

    test.each([
      { what: '--wasi wasmer without @wasmer/wasi', args: ['run', '--engine', 'model', '--wasi', 'wasmer'], line: /^pausekit: .*@wasmer\/wasi.*npm install @wasmer\/wasi.*$/m },
      { what: 'bench --only cri without @grpc/grpc-js', args: ['bench', '--only', 'cri'], line: /^.*@grpc\/grpc-js.*npm install @grpc\/grpc-js.*$/m },
    ])('$what: a line naming the package to install, no stack trace', async ({ args, line }) => {
      const result = await run('npx', ['pausekit', ...args], { cwd: dir, env, timeoutMs: 240_000 });
      expect(result.code, result.out).not.toBe(0);
      expect(result.out).toMatch(line);
      expect(result.out, 'no stack trace').not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    }, 250_000);
  });

  describe(`a project pinned to the oldest fast-check (${OLDEST['fast-check']}) and vitest (${OLDEST.vitest}) the package supports`, () => {
    let dir = '';
    let env: NodeJS.ProcessEnv = {};
    beforeAll(async () => {
      const dev = PACKAGE.devDependencies;
      dir = await project('oldest-project', [tarball, `fast-check@${OLDEST['fast-check']}`, `vitest@${OLDEST.vitest}`, `typescript@${dev['typescript']}`, `@types/node@${dev['@types/node']}`]);
      env = userEnv(join(scratch, 'npx-cache-oldest'));
      writeFileSync(join(dir, 'test/reaping.test.ts'), fileBlock(ROOT, 'README.md', 'test/reaping.test.ts'));
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
        compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: ['node'], strict: true, noEmit: true, skipLibCheck: false },
        include: ['test'],
      }, null, 2));
    }, INSTALL_TIMEOUT_MS);

    test('the peer ranges admit them, and npm installed no second copy', async () => {
      for (const [name, version] of Object.entries(OLDEST)) {
        expect(PACKAGE.peerDependencies[name]).toMatch(new RegExp(`\\^${version.replace(/\./g, '\\.')}\\b`));
        expect(JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')).version).toBe(version);
        expect(existsSync(join(dir, 'node_modules/pausekit/node_modules', name)), `a nested ${name}`).toBe(false);
      }
    });

    test("tsc type-checks the README's file and vitest passes it", async () => {
      const typed = await run('npx', ['tsc', '--noEmit', '-p', '.'], { cwd: dir, env });
      expect(typed.code, typed.out).toBe(0);
      const result = await run('npx', ['vitest', 'run', 'test/reaping.test.ts'], { cwd: dir, env });
      expect(result.code, result.out).toBe(0);
      expect(result.out).toMatch(/Tests\s+1 passed \(1\)/);
    }, TOOL_TIMEOUT_MS);
  });
});
