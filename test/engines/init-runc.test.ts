// pause as the init of a plain OCI bundle run by runc: the bundle's process
// is ["/pause", "--", COMMAND...]. The command's exit code is runc's; `runc
// kill TERM` reaches the command through pause (143, or 0 with -e 143); the
// orphans `runc exec` leaves are reaped while the command runs.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Cleanup, needs, removeCgroup, removeDir, tempDir, unmountUnder } from '../support/host.ts';
import { cannotRun } from '../support/gate.ts';
import { childrenOf, exitOf, foreground, ok, procInfo, run, until, type Foreground } from '../support/processes.ts';
import { BUSYBOX, pausekitImage, readOciArchive, unpackLayer, type OciImage } from '../support/engines/images.ts';

const availability = needs(['runc', BUSYBOX]);
const ORPHANS = 8;

describe.skipIf(cannotRun('the runc tests', ...availability))(`pause -- COMMAND as the process of a runc bundle`, () => {
  const cleanup = new Cleanup();
  let dir: string;
  let image: OciImage;
  let serial = 0;

  beforeAll(async () => {
    dir = tempDir('init-runc');
    cleanup.add('temp dir', () => removeDir(dir));
    cleanup.add('mounts', () => unmountUnder(dir));
    await pausekitImage(['--out', join(dir, 'pause.tar')]);
    image = await readOciArchive(readFileSync(join(dir, 'pause.tar')));
  });
  afterAll(() => cleanup.run());

  const runc = (args: string[]) => ['--root', join(dir, 'state'), ...args];

  /** A bundle from the pause image's layer plus busybox, whose process is `args`, run in the foreground. */
  async function start(args: string[]): Promise<{ id: string; pid: number; container: Foreground }> {
    const id = `pausekit-init-${process.pid}-${++serial}`;
    const bundle = join(dir, id);
    const rootfs = join(bundle, 'rootfs');
    mkdirSync(rootfs, { recursive: true });
    await unpackLayer(image.layer, rootfs);
    mkdirSync(join(rootfs, 'bin'));
    copyFileSync(BUSYBOX, join(rootfs, 'bin/busybox'));
    await ok('runc', ['spec', '--bundle', bundle]);
    const spec = JSON.parse(readFileSync(join(bundle, 'config.json'), 'utf8'));
    const [uid, gid] = image.config.config.User!.split(':').map(Number);
    spec.process.args = args;
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
      if (state.code !== 0) return container.child.exitCode !== null ? -1 : undefined;
      const { status, pid } = JSON.parse(state.stdout) as { status: string; pid: number };
      return status === 'running' ? pid : status === 'stopped' ? -1 : undefined;
    });
    return { id, pid, container };
  }

  test('exits with the command\'s exit code, which runc run passes on (exit 3 → 3)', async () => {
    const { id, container } = await start(['/pause', '--', '/bin/busybox', 'sh', '-c', 'exit 3']);
    expect(await exitOf(container, `runc run ${id}`)).toEqual({ code: 3, signal: null });
    expect(container.stderr()).toBe('');
  });

  for (const [options, code] of [[[], 143], [['-e', '143'], 0]] as const) {
    test(`forwards runc kill TERM to the command and exits ${code}${options.length ? ` with ${options.join(' ')}` : ''}`, async () => {
      const { id, pid, container } = await start(['/pause', ...options, '--', '/bin/busybox', 'sleep', '3600']);
      await until('the command runs under pause', () => (childrenOf(pid).length === 1 ? true : undefined));
      await ok('runc', runc(['kill', id, 'TERM']));
      expect(await exitOf(container, `runc run ${id}`)).toEqual({ code, signal: null });
      expect(container.stderr()).toBe('');
    });
  }

  test('reaps the orphans runc exec leaves while the command runs: no zombie stays', async () => {
    const { id, pid } = await start(['/pause', '--', '/bin/busybox', 'sleep', '3600']);
    const program = await until('the command runs under pause', () => childrenOf(pid)[0]);
    await ok('runc', runc(['exec', id, '/bin/busybox', 'sh', '-c', `for i in $(/bin/busybox seq ${ORPHANS}); do /bin/busybox sleep 0 & done`]));
    await until('only the command is left under pause', () => (childrenOf(pid).join() === String(program) ? true : undefined));
    expect(procInfo(pid)!.state).toMatch(/[SR]/);
  });
});
