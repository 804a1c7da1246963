// pause as the process of a plain OCI bundle run by runc: it is PID 1 of
// its PID namespace, it reaps the orphans of `runc exec`, and `runc kill
// TERM` makes it exit 0 with its message. A control bundle whose PID 1 is
// busybox sleep (which never reaps) shows the zombies, so the check can fail.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Cleanup, needs, removeCgroup, removeDir, tempDir, unmountUnder } from '../support/host.ts';
import { cannotRun } from '../support/gate.ts';
import { childrenOf, exitOf, foreground, ok, procInfo, run, until, untilTakesShutdown, type Foreground } from '../support/processes.ts';
import { BUSYBOX, pausekitImage, readOciArchive, unpackLayer, type OciImage } from '../support/engines/images.ts';

const availability = needs(['runc', BUSYBOX]);
const ORPHANS = 8;

describe.skipIf(cannotRun('the runc tests', ...availability))(`pause as PID 1 of a runc container`, () => {
  const cleanup = new Cleanup();
  let dir: string;
  let image: OciImage;
  let serial = 0;

  beforeAll(async () => {
    dir = tempDir('runc');
    cleanup.add('temp dir', () => removeDir(dir));
    cleanup.add('mounts', () => unmountUnder(dir));
    await pausekitImage(['--out', join(dir, 'pause.tar')]);
    image = await readOciArchive(readFileSync(join(dir, 'pause.tar')));
  });
  afterAll(() => cleanup.run());

  /** runc with its state kept in our temp dir, away from /run/runc. */
  const runc = (args: string[]) => ['--root', join(dir, 'state'), ...args];

  /**
   * A bundle from the pause image's layer (plus busybox, for `runc exec`),
   * its process and user taken from the image config unless overridden;
   * started in the foreground so that its exit code is observable.
   */
  async function start(args?: string[]): Promise<{ id: string; pid: number; container: Foreground }> {
    const id = `pausekit-test-${process.pid}-${++serial}`;
    const bundle = join(dir, id);
    const rootfs = join(bundle, 'rootfs');
    mkdirSync(rootfs, { recursive: true });
    await unpackLayer(image.layer, rootfs);
    mkdirSync(join(rootfs, 'bin'));
    copyFileSync(BUSYBOX, join(rootfs, 'bin/busybox'));
    await ok('runc', ['spec', '--bundle', bundle]);
    const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
    const [uid, gid] = image.config.config.User!.split(':').map(Number);
    spec.process.args = args ?? image.config.config.Entrypoint;
    spec.process.user = { uid, gid };
    spec.process.terminal = false;
    spec.linux.cgroupsPath = `/${id}`;
    writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));

    const container = foreground('runc', runc(['run', '--bundle', bundle, id]));
    cleanup.add(`cgroup ${id}`, () => removeCgroup(id));
    cleanup.add(`container ${id}`, async () => {
      await run('runc', runc(['kill', id, 'KILL']));
      await exitOf(container, `runc run ${id}`).catch(() => container.child.kill('SIGKILL'));
      await run('runc', runc(['delete', '--force', id]));
    });
    const pid = await until(`${id} is running`, async () => {
      const state = await run('runc', runc(['state', id]));
      if (state.code !== 0) return undefined;
      const { status, pid } = JSON.parse(state.stdout) as { status: string; pid: number };
      return status === 'running' ? pid : undefined;
    });
    return { id, pid, container };
  }

  /** Exec a shell that backgrounds children and exits: they become orphans. */
  async function makeOrphans(id: string): Promise<void> {
    const script = `for i in $(seq ${ORPHANS}); do /bin/busybox sleep 0 & done`;
    await ok('runc', runc(['exec', id, '/bin/busybox', 'sh', '-c', script]));
  }

  test('runs as PID 1 of its own PID namespace, as user 65535', async () => {
    const { pid } = await start();
    const info = procInfo(pid)!;
    expect(info.nspid.at(-1)).toBe(1);
    expect(info.nspid.length).toBeGreaterThan(1);
    expect(info.uid).toBe(65535);
  });

  test('reaps every orphan that runc exec leaves behind: no zombie stays', async () => {
    const { id, pid } = await start();
    await makeOrphans(id);
    // The orphans were reparented to pause before `runc exec` returned;
    // all of them must be gone, none left as a zombie.
    await until('pause has no children left', () => (childrenOf(pid).length === 0 ? true : undefined));
    expect(procInfo(pid)!.state).toMatch(/[SR]/);
  });

  test('is needed: a busybox sleep as PID 1 in its place leaves the same orphans as zombies (the control)', async () => {
    const { id, pid } = await start(['/bin/busybox', 'sleep', '3600']);
    await makeOrphans(id);
    const zombies = await until(`busybox sleep has ${ORPHANS} zombie children`, () => {
      const children = childrenOf(pid);
      return children.length === ORPHANS && children.every((child) => procInfo(child)?.state === 'Z') ? children : undefined;
    });
    expect(zombies).toHaveLength(ORPHANS);
  });

  test('prints its message and exits 0 on runc kill TERM', async () => {
    const { id, pid, container } = await start();
    await untilTakesShutdown(pid);
    await ok('runc', runc(['kill', id, 'TERM']));
    const exit = await exitOf(container, `runc run ${id}`);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(container.stderr()).toBe('Shutting down, got signal: Terminated\n');
  });
});
