// A private containerd: its own daemon, socket, root and state under a
// temporary directory, the CRI plugin off, images unpacked with the native
// snapshotter (no overlay mounts needed), driven with ctr.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { privateContainerdConfig } from '../../../src/cri/containerd.ts';
import { missing, unavailable } from '../gate.ts';
import { Cleanup, needs, removeCgroup, removeDir, tempDir, unmountUnder } from '../host.ts';
import { exitOf, foreground, run, until, type Result } from '../processes.ts';
import { BUSYBOX } from './images.ts';

export const CONTAINERD_NEEDS = ['containerd', 'ctr', 'containerd-shim-runc-v2', 'runc', BUSYBOX];

export interface Containerd {
  dir: string;
  /** The daemon's socket (CONTAINERD_ADDRESS for a ctr run by a script). */
  address: string;
  /** Parent cgroup of every container started with `cgroup(id)`. */
  cgroup(id: string): string;
  ctr(args: string[], timeoutMs?: number): Promise<Result>;
  /** ctr that must succeed; returns stdout. */
  ok(args: string[], timeoutMs?: number): Promise<string>;
  /** ctr's argument list (for a foreground `ctr run`). */
  args(args: string[]): string[];
}

/** Start the daemon and wait until it answers; cleanup undoes everything. */
export async function privateContainerd(label: string, cleanup: Cleanup): Promise<Containerd | { reason: string }> {
  const absent = missing(needs(CONTAINERD_NEEDS));
  if (absent !== undefined) return unavailable('the containerd tests', absent);
  const dir = tempDir(label);
  cleanup.add('containerd temp dir', () => removeDir(dir));
  cleanup.add('containerd mounts', () => unmountUnder(dir));
  const socket = join(dir, 'containerd.sock');
  writeFileSync(join(dir, 'config.toml'), privateContainerdConfig(dir, ['disabled_plugins = ["io.containerd.grpc.v1.cri"]']));
  const namespace = `pausekit-test-${process.pid}`;
  const cgroupRoot = `/pausekit-test-${label}-${process.pid}`;
  const args = (rest: string[]) => ['--address', socket, '--namespace', namespace, ...rest];
  const ctr = (rest: string[], timeoutMs = 30_000) => run('ctr', args(rest), { timeoutMs });
  const daemon = foreground('containerd', ['--config', join(dir, 'config.toml')]);
  cleanup.add('containerd cgroups', () => removeCgroup(cgroupRoot));
  cleanup.add('containerd daemon', async () => {
    daemon.child.kill('SIGTERM');
    await exitOf(daemon, 'containerd', 10_000).catch(async () => {
      daemon.child.kill('SIGKILL');
      await daemon.exited;
    });
  });
  cleanup.add('containerd tasks, containers and images', async () => {
    const tasks = await ctr(['task', 'list', '--quiet']);
    for (const id of tasks.stdout.split('\n').filter(Boolean)) {
      await ctr(['task', 'kill', '--signal', 'SIGKILL', id]);
      await until(`task ${id} has stopped`, async () => ((await ctr(['task', 'delete', id])).code === 0 ? true : undefined), 5_000).catch(
        () => ctr(['task', 'delete', '--force', id]),
      );
    }
    const containers = await ctr(['container', 'list', '--quiet']);
    for (const id of containers.stdout.split('\n').filter(Boolean)) await ctr(['container', 'delete', id]);
    const images = await ctr(['image', 'list', '--quiet']);
    for (const ref of images.stdout.split('\n').filter(Boolean)) await ctr(['image', 'remove', ref]);
  });
  try {
    await until('containerd answers', async () => {
      if (daemon.child.exitCode !== null) throw new Error(`containerd exited ${daemon.child.exitCode}: ${daemon.stderr().slice(-2000)}`);
      return (await ctr(['version'], 5_000)).code === 0 ? true : undefined;
    });
  } catch (error) {
    return unavailable('the containerd tests', `containerd cannot start here: ${(error as Error).message}`);
  }
  return {
    dir,
    address: socket,
    cgroup: (id) => `${cgroupRoot}/${id}`,
    ctr,
    args,
    async ok(rest, timeoutMs) {
      const result = await ctr(rest, timeoutMs);
      if (result.code !== 0) throw new Error(`ctr ${rest.join(' ')} failed (exit ${result.code}):\n${result.stderr}`);
      return result.stdout;
    },
  };
}
