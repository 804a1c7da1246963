// A private podman: its own containers.conf and storage under a temporary
// directory, so tests touch neither the machine's images nor its containers.
//
// Measured on the machines this runs on: no systemd and hybrid cgroups, so
// the cgroupfs manager, runc (crun refuses) and file events; root cannot
// raise its open-files limit, so containers get limits it already has.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { missing, unavailable } from '../gate.ts';
import { Cleanup, needs, removeCgroup, removeDir, tempDir, unmountUnder } from '../host.ts';
import { run, type Result } from '../processes.ts';
import { BUSYBOX } from './images.ts';

export const PODMAN_NEEDS = ['podman', 'runc', 'conmon', BUSYBOX];

/** The hard limit of a resource of this process ("unlimited" as undefined). */
function hardLimit(name: string): string | undefined {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(name));
  const hard = line?.slice(26).trim().split(/\s+/)[1];
  return hard === undefined || hard === 'unlimited' ? undefined : hard;
}

export interface Podman {
  dir: string;
  env: NodeJS.ProcessEnv;
  /** The cgroup parent for pods this test creates (removed at cleanup). */
  cgroupParent: string;
  podman(args: string[], timeoutMs?: number): Promise<Result>;
  /** podman that must succeed; returns stdout, trimmed. */
  ok(args: string[], timeoutMs?: number): Promise<string>;
}

/**
 * Set up a private podman and check that it works; cleanup removes every
 * pod, container and image it made, its cgroups and its directory.
 */
export async function privatePodman(label: string, cleanup: Cleanup): Promise<Podman | { reason: string }> {
  const absent = missing(needs(PODMAN_NEEDS));
  if (absent !== undefined) return unavailable('the podman tests', absent);
  const dir = tempDir(label);
  cleanup.add('podman temp dir', () => removeDir(dir));
  // Limits below what this process has, so runc never needs to raise one
  // (podman's defaults for root are higher than these machines allow).
  const nproc = Math.min(Number(hardLimit('Max processes') ?? Infinity), 4096);
  const ulimits = ['nofile=1024:1024', `nproc=${nproc}:${nproc}`];
  writeFileSync(
    join(dir, 'containers.conf'),
    [
      '[containers]',
      `default_ulimits = ${JSON.stringify(ulimits)}`,
      'netns = "none"',
      'log_driver = "k8s-file"',
      '[engine]',
      'runtime = "runc"',
      'cgroup_manager = "cgroupfs"',
      'events_logger = "file"',
      `events_logfile_path = "${dir}/events.log"`,
      'lock_type = "file"',
      `tmp_dir = "${dir}/tmp"`,
      `static_dir = "${dir}/storage/libpod"`,
      `volume_path = "${dir}/volumes"`,
      `image_copy_tmp_dir = "${dir}/tmp"`,
      '[network]',
      `network_config_dir = "${dir}/networks"`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'storage.conf'),
    ['[storage]', 'driver = "vfs"', `graphroot = "${dir}/storage"`, `runroot = "${dir}/run"`, ''].join('\n'),
  );
  const env = {
    ...process.env,
    CONTAINERS_CONF: join(dir, 'containers.conf'),
    CONTAINERS_STORAGE_CONF: join(dir, 'storage.conf'),
  };
  const cgroupParent = `/pausekit-test-${label}-${process.pid}`;
  const podman = (args: string[], timeoutMs = 30_000) => run('podman', args, { env, timeoutMs });
  const handle: Podman = {
    dir,
    env,
    cgroupParent,
    podman,
    async ok(args, timeoutMs) {
      const result = await podman(args, timeoutMs);
      if (result.code !== 0) throw new Error(`podman ${args.join(' ')} failed (exit ${result.code}):\n${result.stderr}`);
      return result.stdout.trim();
    },
  };
  cleanup.add('podman mounts', () => unmountUnder(dir));
  cleanup.add('podman cgroups', () => removeCgroup(cgroupParent));
  cleanup.add('podman pods and containers', async () => {
    await podman(['pod', 'rm', '--all', '--force', '--time', '0']);
    await podman(['rm', '--all', '--force', '--time', '0']);
    await podman(['rmi', '--all', '--force']);
  });
  const info = await podman(['info', '--format', '{{.Host.OCIRuntime.Name}}']);
  if (info.code !== 0) {
    return unavailable('the podman tests', `podman cannot start here: ${info.stderr.trim()}`);
  }
  return handle;
}
