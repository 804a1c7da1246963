// A cgroup of its own for a test: the pids or memory controller, cgroup v2
// where the unified hierarchy has it, else v1 (this machine's /sys/fs/cgroup
// may be either). Processes join it by writing 0 (themselves) to its
// cgroup.procs; remove() kills whatever is left and removes it.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { need, type Need } from './gate.ts';

export type Controller = 'pids' | 'memory';

/** The file names that differ between v1 and v2. */
const FILES = {
  v1: { pidsMax: 'pids.max', memoryMax: 'memory.limit_in_bytes', memoryCurrent: 'memory.usage_in_bytes' },
  v2: { pidsMax: 'pids.max', memoryMax: 'memory.max', memoryCurrent: 'memory.current' },
};

/** Where a new cgroup with the controller can be made, or why it cannot. */
function parentFor(controller: Controller): { dir: string; version: 'v1' | 'v2' } | { reason: string } {
  if (process.getuid?.() !== 0) return { reason: 'making a cgroup needs root' };
  for (const root of ['/sys/fs/cgroup', '/sys/fs/cgroup/unified']) {
    const controllers = join(root, 'cgroup.controllers');
    if (existsSync(controllers) && readFileSync(controllers, 'utf8').split(/\s+/).includes(controller)) {
      // v2: the controller must be enabled for the root's children (the
      // test does not change the host's hierarchy to get it).
      const subtree = readFileSync(join(root, 'cgroup.subtree_control'), 'utf8').split(/\s+/);
      if (subtree.includes(controller)) return { dir: root, version: 'v2' };
    }
  }
  const v1 = join('/sys/fs/cgroup', controller);
  if (existsSync(join(v1, 'cgroup.procs')) && existsSync(join(v1, 'tasks'))) return { dir: v1, version: 'v1' };
  return { reason: `no cgroup v2 hierarchy with the ${controller} controller in its cgroup.subtree_control, and no v1 ${controller} hierarchy at ${v1}` };
}

/** A cgroup with the controller, which a test can make here. */
export function cgroupController(controller: Controller): Need {
  return need(`a cgroup with the ${controller} controller`, () => {
    const parent = parentFor(controller);
    return 'reason' in parent ? parent.reason : undefined;
  });
}

export interface TestCgroup {
  dir: string;
  version: 'v1' | 'v2';
  /** Reads a file of the cgroup (pids.current, memory.stat...). */
  read(file: string): string;
  write(file: string, value: string): void;
  /** The limit files by their role: pidsMax, memoryMax, memoryCurrent. */
  files: (typeof FILES)['v1'];
  /** Pids in it (host pids). */
  procs(): number[];
  /** A line of a flat-keyed file as a number ("max 3" in pids.events, "oom_kill 1" in memory.oom_control). */
  key(file: string, key: string): number;
  /** Kills every process in it, waits until it is empty, removes it. */
  remove(): Promise<void>;
}

export function makeCgroup(controller: Controller, name: string): TestCgroup {
  const parent = parentFor(controller);
  if ('reason' in parent) throw new Error(parent.reason);
  const dir = join(parent.dir, `pausekit-test-${name}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`);
  mkdirSync(dir);
  const read = (file: string): string => readFileSync(join(dir, file), 'utf8');
  const procs = (): number[] => read('cgroup.procs').split('\n').filter(Boolean).map(Number);
  return {
    dir,
    version: parent.version,
    read,
    write: (file, value) => writeFileSync(join(dir, file), value),
    files: FILES[parent.version],
    procs,
    key: (file, key) => {
      const line = read(file).split('\n').find((l) => l.startsWith(`${key} `));
      return line === undefined ? NaN : Number(line.slice(key.length + 1));
    },
    remove: async () => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const left = existsSync(dir) ? procs() : [];
        for (const pid of left) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            // gone
          }
        }
        try {
          if (existsSync(dir)) rmdirSync(dir);
          return;
        } catch (error) {
          if (Date.now() > deadline) throw new Error(`cannot remove ${dir}: ${(error as Error).message}`);
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    },
  };
}
