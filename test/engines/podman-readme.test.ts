// The README's podman demo (the seed's Docker demo, replayed) runs as
// written, and shows what the README says it shows: pause and the app in
// one network and one PID namespace, with pause as PID 1.
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { Cleanup, needs, removeCgroup, readyOrSkip } from '../support/host.ts';
import { cannotRun } from '../support/gate.ts';
import { run } from '../support/processes.ts';
import { ROOT, writeBusyboxImage } from '../support/engines/images.ts';
import { PODMAN_NEEDS, privatePodman, type Podman } from '../support/engines/podman.ts';

const PAGE = 'docs/kubernetes.md';
const DEMO_HEADING = "## The seed's demo, with podman";

/** The first fenced block of `language` after the demo heading on the page. */
function readmeBlock(language: 'sh' | 'text'): string {
  const page = readFileSync(join(ROOT, PAGE), 'utf8');
  const demo = page.indexOf(DEMO_HEADING);
  if (demo < 0) throw new Error(`${PAGE} has no '${DEMO_HEADING}'`);
  const block = page.slice(demo).match(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'm'));
  if (block === null) throw new Error(`no \`\`\`${language} block after '${DEMO_HEADING}' in ${PAGE}`);
  return block[1]!;
}

/** What the demo must show, checked on its real output and on the README's copy of it. */
function checkDemoOutput(output: string): void {
  const namespaces = (name: string) => output.match(new RegExp(`^${name}: (net:\\[\\d+\\]) (pid:\\[\\d+\\])$`, 'm'))?.slice(1);
  const pause = namespaces('pause');
  const app = namespaces('app');
  expect(pause, `a 'pause: net:[…] pid:[…]' line in:\n${output}`).toBeDefined();
  expect(app, `an 'app: net:[…] pid:[…]' line in:\n${output}`).toEqual(pause);
  // busybox ps: PID USER [TIME] COMMAND (TIME depends on how it was built)
  expect(output).toMatch(/^\s*1 65535\s+(\S+\s+)?\/pause$/m);
  expect(output).toMatch(/^\s*\d+ root\s+(\S+\s+)?sleep 3600$/m);
}

/** The child cgroups of `path` (in the pids hierarchy, which podman always uses). */
function cgroupChildren(path: string): string[] {
  const dir = join('/sys/fs/cgroup/pids', path);
  return existsSync(dir) ? readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name) : [];
}

const availability = needs([...PODMAN_NEEDS, 'bash']);

describe.skipIf(cannotRun('the podman tests', ...availability))(`the README's podman demo`, () => {
  const cleanup = new Cleanup();
  let podman: Podman | undefined;
  let unavailable = '';

  beforeAll(async () => {
    // podman run outside a pod puts containers and conmon under
    // libpod_parent: remove what appears there during the test.
    const hadParent = existsSync('/sys/fs/cgroup/pids/libpod_parent');
    const before = new Set(cgroupChildren('libpod_parent'));
    cleanup.add('libpod_parent cgroups', () => {
      for (const child of cgroupChildren('libpod_parent')) if (!before.has(child)) removeCgroup(`libpod_parent/${child}`);
      if (!hadParent) removeCgroup('libpod_parent');
    });
    const setup = await privatePodman('podman-readme', cleanup);
    if ('reason' in setup) {
      unavailable = setup.reason;
      return;
    }
    podman = setup;
    // No network here: the busybox the demo names is the one built from
    // Debian's static busybox, loaded under that name.
    const archive = join(podman.dir, 'busybox.tar');
    await writeBusyboxImage(archive, 'docker', 'docker.io/library/busybox:latest');
    await podman.ok(['load', '--quiet', '--input', archive]);
    // `npx pausekit` finds the checkout's as a project's node_modules/.bin holds it.
    const bin = join(podman.dir, 'work/node_modules/.bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'pausekit'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'src/cli/bin.mjs')}" "$@"\n`);
    chmodSync(join(bin, 'pausekit'), 0o755);
  });
  afterAll(() => cleanup.run());

  const ready = (ctx: TestContext): Podman => readyOrSkip(ctx, podman, unavailable);

  test("shows output with pause and the app in one network and PID namespace, pause as PID 1", () => {
    checkDemoOutput(readmeBlock('text'));
  });

  test('runs as written and shows the same: shared namespace inodes, pause as PID 1 of the app', async (ctx) => {
    const p = ready(ctx);
    const work = join(p.dir, 'work');
    const script = `cd '${work}'\nset -e\n${readmeBlock('sh')}`;
    const result = await run('bash', ['-c', script], {
      env: { ...p.env, npm_config_offline: 'true' },
      timeoutMs: 40_000,
    });
    expect(result.code, `the README demo failed:\n${result.stderr}\n${result.stdout}`).toBe(0);
    checkDemoOutput(result.stdout);
    expect((await p.ok(['ps', '--all', '--quiet'])).trim()).toBe('');
  });
});
