// pause as a container's init in podman: `podman run --init --init-path
// build/native/pause` (podman bind-mounts it at /run/podman-init and runs
// `/run/podman-init -- COMMAND...`). The command's exit code comes back
// through `podman run`; `podman stop` ends the container by SIGTERM, which
// pause forwards, well inside the grace period (exit 143, or 0 with -e 143
// from an image whose ENTRYPOINT is pause); the orphans the command leaves
// are reaped. Controls without --init show each check can fail: busybox as
// PID 1 ignores SIGTERM until the grace period runs out, and leaves zombies.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { Cleanup, needs, readyOrSkip } from '../support/host.ts';
import { cannotRun } from '../support/gate.ts';
import { childrenOf, expectedVersionLine, procInfo, until } from '../support/processes.ts';
import { PAUSE_BINARY, writeBusyboxImage } from '../support/engines/images.ts';
import { PODMAN_NEEDS, privatePodman, type Podman } from '../support/engines/podman.ts';

const availability = needs(PODMAN_NEEDS);
const BUSYBOX_IMAGE = 'localhost/pausekit/busybox:init-test';
const ENTRYPOINT_IMAGE = 'localhost/pausekit/busybox-with-pause:init-test';
/** The grace period `podman stop` gives before SIGKILL. */
const GRACE_S = 10;
const ORPHANS = 8;

describe.skipIf(cannotRun('the podman tests', ...availability))(`pause as podman's container init (--init --init-path)`, () => {
  const cleanup = new Cleanup();
  let podman: Podman | undefined;
  let unavailable = '';
  let serial = 0;

  beforeAll(async () => {
    const setup = await privatePodman('init-podman', cleanup);
    if ('reason' in setup) {
      unavailable = setup.reason;
      return;
    }
    podman = setup;
    const images = join(podman.dir, 'images');
    mkdirSync(images);
    await writeBusyboxImage(join(images, 'busybox.tar'), 'docker', BUSYBOX_IMAGE);
    // An image that brings pause itself as its ENTRYPOINT, with -e 143.
    await writeBusyboxImage(join(images, 'entrypoint.tar'), 'docker', ENTRYPOINT_IMAGE, ['/pause', '-e', '143', '--'],
      [{ type: 'file', path: 'pause', mode: 0o755, content: readFileSync(PAUSE_BINARY) }]);
    for (const archive of ['busybox.tar', 'entrypoint.tar']) await podman.ok(['load', '--quiet', '--input', join(images, archive)]);
  }, 120_000);
  afterAll(() => cleanup.run());

  const ready = (ctx: TestContext): Podman => readyOrSkip(ctx, podman, unavailable);
  const init = ['--init', '--init-path', PAUSE_BINARY];
  const name = (): string => `pausekit-init-${process.pid}-${++serial}`;

  /** Starts a detached container; returns its name and the host pid of its PID 1. */
  async function detached(p: Podman, args: string[]): Promise<{ name: string; pid: number }> {
    const container = name();
    await p.ok(['run', '--detach', '--name', container, '--cgroup-parent', p.cgroupParent, ...args]);
    const pid = Number(await p.ok(['inspect', '--format', '{{.State.Pid}}', container]));
    return { name: container, pid };
  }

  /**
   * `podman stop` with the grace period: SIGTERM, then SIGKILL once it runs
   * out. The container's exit code says which ended it: 137 is the SIGKILL.
   */
  async function stop(p: Podman, container: string): Promise<{ code: number }> {
    await p.ok(['stop', '--time', String(GRACE_S), container], (GRACE_S + 30) * 1000);
    return { code: Number(await p.ok(['inspect', '--format', '{{.State.ExitCode}}', container])) };
  }

  test('runs the command under pause as PID 1, the way podman calls its init: /run/podman-init -- COMMAND', async (ctx) => {
    const p = ready(ctx);
    const out = await p.ok(['run', '--rm', ...init, BUSYBOX_IMAGE, 'sh', '-c', 'tr "\\0" " " < /proc/1/cmdline; echo; /run/podman-init -v']);
    expect(out.split('\n')).toEqual(['/run/podman-init -- sh -c tr "\\0" " " < /proc/1/cmdline; echo; /run/podman-init -v ', expectedVersionLine().trim()]);
  });

  test('passes the command\'s exit code back through podman run (exit 3 → 3)', async (ctx) => {
    const p = ready(ctx);
    const result = await p.podman(['run', '--rm', ...init, BUSYBOX_IMAGE, 'sh', '-c', 'exit 3']);
    expect(result.code, result.stderr).toBe(3);
  });

  test('ends on podman stop by forwarding SIGTERM: exit 143, the command\'s death by it, not the SIGKILL at the grace period\'s end (137)', async (ctx) => {
    const p = ready(ctx);
    const { name: container, pid } = await detached(p, [...init, BUSYBOX_IMAGE, 'sh', '-c', 'exec sleep 3600']);
    await until('the command runs under pause', () => (childrenOf(pid).length === 1 ? true : undefined));
    const { code } = await stop(p, container);
    expect(code).toBe(143);
  });

  test(`ends on podman stop with exit 0 when the image's ENTRYPOINT is pause -e 143 --`, async (ctx) => {
    const p = ready(ctx);
    const { name: container, pid } = await detached(p, [ENTRYPOINT_IMAGE, 'sh', '-c', 'exec sleep 3600']);
    await until('the command runs under pause', () => (childrenOf(pid).length === 1 ? true : undefined));
    expect(readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').slice(0, 4)).toEqual(['/pause', '-e', '143', '--']);
    const { code } = await stop(p, container);
    expect(code).toBe(0);
  });

  test('is needed: without --init the same command as PID 1 ignores SIGTERM and is SIGKILLed when the grace period runs out, 137 (the control)', async (ctx) => {
    const p = ready(ctx);
    const { name: container, pid } = await detached(p, [BUSYBOX_IMAGE, 'sh', '-c', 'exec sleep 3600']);
    await until('the command runs', () => (procInfo(pid)?.state === 'S' ? true : undefined));
    const { code } = await stop(p, container);
    expect(code).toBe(137);
  }, (GRACE_S + 40) * 1000);

  /**
   * A command that leaves ORPHANS orphans (a shell that backgrounds them and
   * exits), then sleeps. The orphans block on a fifo until release(), so
   * they die only once the command is asleep and whoever adopted them waits.
   */
  const orphaning = ['sh', '-c', `mkfifo /tmp/release; sh -c 'for i in $(seq ${ORPHANS}); do cat /tmp/release >/dev/null & done'; exec sleep 3600`];
  const release = (p: Podman, container: string) => p.ok(['exec', container, 'sh', '-c', ': > /tmp/release']);
  const cmdline = (pid: number): string => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    } catch {
      return '';
    }
  };
  /** Until `parent` has the sleeping command and the ORPHANS orphans as its children; returns them. */
  const adopted = (parent: number, command: number | undefined) => until(`${parent} has adopted the ${ORPHANS} orphans`, () => {
    const orphans = childrenOf(parent).filter((pid) => pid !== command && cmdline(pid) === 'cat\0/tmp/release\0');
    return orphans.length === ORPHANS && (command === undefined || cmdline(command) === 'sleep\x003600\0') ? orphans : undefined;
  });

  test('reaps the orphans the command leaves: no zombie stays', async (ctx) => {
    const p = ready(ctx);
    const { name: container, pid } = await detached(p, [...init, BUSYBOX_IMAGE, ...orphaning]);
    const program = await until('the command runs under pause', () => childrenOf(pid)[0]);
    const orphans = await adopted(pid, program);
    await release(p, container);
    await until('pause has one child left, the command', () => (childrenOf(pid).join() === String(program) ? true : undefined));
    expect(orphans.map((orphan) => procInfo(orphan))).toEqual(orphans.map(() => undefined));
  });

  test('is needed: without --init the orphans stay zombies under the command as PID 1 (the control)', async (ctx) => {
    const p = ready(ctx);
    const { name: container, pid } = await detached(p, [BUSYBOX_IMAGE, ...orphaning]);
    await until('the command as PID 1 sleeps', () => (cmdline(pid) === 'sleep\x003600\0' ? true : undefined));
    const orphans = await adopted(pid, undefined);
    await release(p, container);
    await until(`the command as PID 1 has ${ORPHANS} zombie children`, () =>
      (orphans.every((orphan) => procInfo(orphan)?.state === 'Z') ? true : undefined));
    expect(childrenOf(pid).sort()).toEqual([...orphans].sort());
  });
});
