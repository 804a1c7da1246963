// What a private daemon (containerd, its shims, runc) leaves on the host
// when it goes, found and undone: the processes that name its directory,
// the mounts under it, the cgroups of its pods. Shared by the CRI set-up
// (containerd.ts) and the engine tests' clean-up.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';

/** Processes whose command line mentions `text` (the daemon's shims name its socket). */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'latin1').includes(text)) pids.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Lazily unmount everything at or below `dir`, deepest first. */
export async function unmountUnder(dir: string): Promise<void> {
  const points = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((point): point is string => point !== undefined && (point === dir || point.startsWith(`${dir}/`)))
    .sort((a, b) => b.length - a.length);
  for (const point of points) {
    await new Promise<void>((resolve) => execFile('umount', ['-l', point], () => resolve()));
  }
}

/** Remove a cgroup path in every mounted hierarchy, children first; busy ones stay. */
export function removeCgroups(path: string): void {
  const roots = existsSync('/sys/fs/cgroup')
    ? [
        '/sys/fs/cgroup',
        ...readdirSync('/sys/fs/cgroup', { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => join('/sys/fs/cgroup', entry.name)),
      ]
    : [];
  const removeTree = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) if (entry.isDirectory()) removeTree(join(dir, entry.name));
    try {
      // rmdir of a cgroup only succeeds when it holds no process.
      rmdirSync(dir);
    } catch {
      // busy or not a cgroup of ours
    }
  };
  for (const root of roots) {
    const dir = join(root, path);
    if (dir !== root && existsSync(dir)) removeTree(dir);
  }
}
