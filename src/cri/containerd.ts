// A private containerd with its CRI plugin: the daemon the kubelet talks to
// on a node, started here as a child process with everything it writes
// (root, state, socket, network namespaces, CNI configuration, pod logs)
// under one directory, so that tests and the CRI benchmark can run pods
// without touching the machine's own containerd. Every setting that differs
// from a stock node says why it is there.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PausekitError } from '../errors.ts';
import { CriClient, type VersionResponse } from './client.ts';
import { processesMentioning, removeCgroups, unmountUnder } from './host.ts';

/** The containerd namespace the CRI plugin keeps its images and containers in. */
export const CRI_NAMESPACE = 'k8s.io';

/** Where Debian's containernetworking-plugins puts the CNI plugins (`loopback` among them). */
export const CNI_BIN_DIR = '/usr/lib/cni';

/** The commands and files a private containerd with CRI needs. */
export const CRI_CONTAINERD_NEEDS = ['containerd', 'ctr', 'containerd-shim-runc-v2', 'runc', join(CNI_BIN_DIR, 'loopback'), 'ip', 'nsenter'];

/** The CRI plugin's table in config.toml (containerd 1.x, config version 2). */
export const CRI_TABLE = '[plugins."io.containerd.grpc.v1.cri"]';

export interface CriContainerdOptions {
  /** An empty directory that holds everything the daemon writes. */
  dir: string;
  /**
   * `key = value` lines for the CRI plugin's table: at least `sandbox_image`.
   * (The tests take them from docs/kubernetes-cri.md, as a user would.)
   */
  criSettings: string[];
  /** How long to wait for the daemon to answer CRI Version (default 30 s). */
  startTimeoutMs?: number;
  /** native (default): works everywhere; overlayfs: what nodes use, where overlay mounts work. */
  snapshotter?: Snapshotter;
}

export type Snapshotter = 'native' | 'overlayfs';

export interface CriContainerd {
  dir: string;
  socket: string;
  configFile: string;
  /** Parent cgroup to give pods (`linux.cgroupParent`), so that their cgroups are found and removed. */
  cgroupParent: string;
  client: CriClient;
  version: VersionResponse;
  daemon: ChildProcess;
  /** The daemon's stderr so far (its log). */
  log(): string;
  /** Environment that points ctr at this daemon: `ctr images import` as written then reaches it. */
  ctrEnv: NodeJS.ProcessEnv;
  /**
   * Remove every pod (stop, remove), then stop the daemon and any shim it
   * left, unmount what it mounted and remove its cgroups. Safe to call twice.
   */
  stop(): Promise<void>;
}

/**
 * config.toml of a private containerd: root, state and socket under `dir`,
 * no debug or metrics listener; `settings` are more top-level keys (they
 * must come before the first table), `tables` more tables. The CRI set-up
 * below and the engine tests' plain containerd both start from it.
 */
export function privateContainerdConfig(dir: string, settings: string[] = [], tables: string[] = []): string {
  const socket = join(dir, 'containerd.sock');
  return [
    'version = 2',
    `root = "${dir}/root"`,
    `state = "${dir}/state"`,
    ...settings,
    '',
    '[grpc]',
    `  address = "${socket}"`,
    '[ttrpc]',
    `  address = "${socket}.ttrpc"`,
    '[debug]',
    '  address = ""',
    '[metrics]',
    '  address = ""',
    '',
    ...tables,
  ].join('\n');
}

/**
 * config.toml for a private containerd with its CRI plugin: what differs
 * from `containerd config default`, and the runtime spelled out; each line
 * says why.
 */
export function criContainerdConfig(dir: string, criSettings: string[], snapshotter: Snapshotter = 'native'): string {
  return privateContainerdConfig(dir, [], [
    '# The default /opt/containerd would be created on the host.',
    '[plugins."io.containerd.internal.v1.opt"]',
    `  path = "${dir}/opt"`,
    '',
    CRI_TABLE,
    ...criSettings.map((line) => `  ${line.trim()}`),
    '  # Pod network namespaces are bind-mounted under our state directory,',
    '  # not in the host\'s /var/run/netns, so nothing of ours is left there.',
    '  netns_mounts_under_state_dir = true',
    '  # The sandbox asks for OOM score -998, below our own: lowering it takes',
    '  # CAP_SYS_RESOURCE, which machines like CI sandboxes withhold (runc then',
    '  # fails with "failed to update /proc/self/oom_score_adj: Permission',
    '  # denied"). With this, containerd clamps every score to its own instead.',
    '  restrict_oom_score_adj = true',
    '  [plugins."io.containerd.grpc.v1.cri".containerd]',
    '    # native (the default here) copies layers into plain directories: no',
    '    # overlay mounts, so it works on any file system, nested or not.',
    '    # overlayfs is what nodes use (the CRI benchmark can pick it).',
    `    snapshotter = "${snapshotter}"`,
    '    # runc through the runc v2 shim (the default, spelled out).',
    '    default_runtime_name = "runc"',
    '    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]',
    '      runtime_type = "io.containerd.runc.v2"',
    '      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]',
    '        # No systemd here: runc manages cgroups through cgroupfs (v1 and',
    '        # hybrid hierarchies as well as v2), under the pods\' cgroup_parent.',
    '        SystemdCgroup = false',
    '        # runc\'s state beside the daemon\'s, not in the host\'s /run/containerd/runc.',
    `        Root = "${dir}/runc"`,
    '  [plugins."io.containerd.grpc.v1.cri".cni]',
    '    # A network of our own (POD_NETWORK): each pod gets a network namespace',
    '    # of its own, held by pause, and nothing changes on the host. bin_dir',
    '    # holds its plugin and a link to Debian\'s loopback plugin.',
    `    bin_dir = "${dir}/cni-bin"`,
    `    conf_dir = "${dir}/cni"`,
    '',
  ]);
}

/**
 * The CNI network every pod joins. containerd 1.6 refuses a pod whose
 * network has no `eth0` with an address ("failed to find network info for
 * sandbox"), so the loopback plugin alone is not enough; Debian's plugins
 * that make an eth0 (bridge, ptp, macvlan...) all change the host's network
 * (a bridge, host-side veths, ip_forward). So the network is the plugin
 * below: an `eth0` that lives entirely inside the pod's own network
 * namespace (one end of a veth pair whose other end stays there too), with
 * the same link-local address in every pod. containerd runs Debian's
 * `loopback` plugin for `lo` itself.
 */
export const POD_NETWORK = {
  cniVersion: '0.4.0',
  name: 'pausekit-pod',
  plugins: [{ type: 'pausekit-eth0' }],
};

/** The address every pod's eth0 gets (link-local: routed nowhere). */
export const POD_IP = '169.254.32.2';

/** The `pausekit-eth0` CNI plugin (CNI spec 0.4.0), a shell script using ip and nsenter. */
export const POD_NETWORK_PLUGIN = `#!/bin/sh
# pausekit-eth0: gives a pod's network namespace an eth0 (a veth pair with
# both ends inside it) and a link-local address; touches nothing outside.
set -eu
cat >/dev/null
inside() { nsenter --net="$CNI_NETNS" "$@"; }
case "$CNI_COMMAND" in
ADD)
  inside ip link add "$CNI_IFNAME" type veth peer name pausekit0
  inside ip addr add ${POD_IP}/32 dev "$CNI_IFNAME"
  inside ip link set pausekit0 up
  inside ip link set "$CNI_IFNAME" up
  printf '{"cniVersion":"0.4.0","interfaces":[{"name":"%s","sandbox":"%s"}],"ips":[{"version":"4","interface":0,"address":"${POD_IP}/32"}]}\n' "$CNI_IFNAME" "$CNI_NETNS"
  ;;
DEL)
  # The namespace may be gone already, and the pair with it.
  if [ -n "\${CNI_NETNS:-}" ] && [ -e "$CNI_NETNS" ]; then inside ip link del "$CNI_IFNAME" 2>/dev/null || true; fi
  ;;
CHECK) ;;
VERSION) printf '{"cniVersion":"0.4.0","supportedVersions":["0.3.0","0.3.1","0.4.0"]}\n' ;;
*) printf '{"cniVersion":"0.4.0","code":4,"msg":"unknown CNI_COMMAND %s"}\n' "$CNI_COMMAND"; exit 1 ;;
esac
`;

/** Poll to a deadline; the last error explains a timeout; `fatal` ends the wait at once. */
async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined>, fatal = (): string | undefined => undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delayMs = 5;
  let last = '';
  for (;;) {
    const reason = fatal();
    if (reason !== undefined) throw new Error(reason);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, 100);
  }
}

const TEMP_PREFIX = 'pausekit-cri-';

/**
 * A fresh directory for one daemon, named after this process
 * (`pausekit-cri-<pid>-XXXXXX`) so that a later run can tell it was left
 * behind by a process that no longer exists (see sweepStaleDaemons).
 */
export function criTempDir(): string {
  return mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}${process.pid}-`));
}

/**
 * Undo what an earlier run left when it was killed before it could clean
 * up: for every `pausekit-cri-<pid>-*` directory whose process is gone,
 * kill the daemon and shims that name it, unmount, remove cgroups and the
 * directory. Returns the directories removed.
 */
export async function sweepStaleDaemons(): Promise<string[]> {
  const swept: string[] = [];
  for (const name of readdirSync(tmpdir())) {
    const owner = new RegExp(`^${TEMP_PREFIX}(\\d+)-`).exec(name)?.[1];
    if (owner === undefined || existsSync(`/proc/${owner}`)) continue;
    const dir = join(tmpdir(), name);
    await killAndUnmount(dir, dir);
    removeCgroups(cgroupParentFor(Number(owner), dir));
    rmSync(dir, { recursive: true, force: true });
    swept.push(dir);
  }
  return swept;
}

function cgroupParentFor(pid: number, dir: string): string {
  return `/pausekit-cri-${pid}-${dir.split('/').at(-1)}`;
}

/** SIGKILL every process naming `text` (a daemon, its shims), wait for them, unmount `dir`. */
async function killAndUnmount(text: string, dir: string): Promise<void> {
  for (const pid of processesMentioning(text)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await until('the processes to exit', 10_000, async () => (processesMentioning(text).length === 0 ? true : undefined)).catch(() => undefined);
  await unmountUnder(dir);
}

/**
 * The cleanup of last resort: a detached shell, in a session of its own,
 * that blocks reading a pipe from this process. When this process ends
 * without saying `done` (killed, or cut short on interrupt as test
 * runners do: SIGTERM, then SIGKILL half a second later), the pipe closes
 * and it kills whatever still names `dir` (the daemon, its shims),
 * unmounts under it, removes the cgroups and the directory. The directory
 * is passed in the environment, so the shell never matches itself.
 */
const WATCHDOG = `
if read -r line && [ "$line" = done ]; then exit 0; fi
[ -d "$DIR" ] || exit 0
named() {
  for p in /proc/[0-9]*; do
    cmd=$(tr '\\0' ' ' < "$p/cmdline" 2>/dev/null)
    case "$cmd" in *"$DIR"*) echo "\${p#/proc/}" ;; esac
  done
}
for pid in $(named); do kill -9 "$pid" 2>/dev/null; done
i=0; while [ -n "$(named)" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
awk -v dir="$DIR" '$5 == dir || index($5, dir "/") == 1 { print length($5), $5 }' /proc/self/mountinfo |
  sort -rn | while read -r _ point; do umount -l "$point"; done
for root in /sys/fs/cgroup /sys/fs/cgroup/*; do
  [ -d "$root$CGROUP" ] && find "$root$CGROUP" -depth -type d -exec rmdir {} \\; 2>/dev/null
done
rm -rf "$DIR"
`;

function armWatchdog(dir: string, cgroupParent: string): () => void {
  const child = spawn('sh', ['-c', WATCHDOG], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', DIR: dir, CGROUP: cgroupParent },
  });
  child.unref();
  // Neither the child nor its pipe may keep this process alive.
  (child.stdin as unknown as { _handle?: { unref(): void } })._handle?.unref();
  child.stdin!.on('error', () => undefined);
  return () => child.stdin!.end('done\n');
}

/**
 * Daemons of this process still running, and starts under way: on SIGINT
 * or SIGTERM every one is stopped and its directory removed before the
 * process goes (a daemon that comes up after the signal is stopped too).
 */
const running = new Map<() => Promise<void>, string>();
let starting = 0;
let interrupted = false;

function stopAllOnSignal(signal: NodeJS.Signals): void {
  interrupted = true;
  void (async () => {
    const deadline = Date.now() + 30_000;
    while ((running.size > 0 || starting > 0) && Date.now() < deadline) {
      for (const [stop, dir] of [...running]) {
        await stop().catch(() => undefined);
        rmSync(dir, { recursive: true, force: true });
      }
      if (starting > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    process.kill(process.pid, signal);
  })();
}

let signalsHooked = false;
function hookSignals(): void {
  if (signalsHooked) return;
  signalsHooked = true;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => stopAllOnSignal(signal));
  }
}

/** The daemon's files under `dir`: the pod network, its plugin, config.toml (returned). */
function writeDaemonFiles(dir: string, criSettings: string[], snapshotter: Snapshotter): string {
  for (const sub of ['cni', 'cni-bin', 'logs']) mkdirSync(join(dir, sub), { recursive: true });
  writeFileSync(join(dir, 'cni', '10-pausekit-pod.conflist'), `${JSON.stringify(POD_NETWORK, null, 2)}\n`);
  writeFileSync(join(dir, 'cni-bin', 'pausekit-eth0'), POD_NETWORK_PLUGIN, { mode: 0o755 });
  symlinkSync(join(CNI_BIN_DIR, 'loopback'), join(dir, 'cni-bin', 'loopback'));
  const configFile = join(dir, 'config.toml');
  writeFileSync(configFile, criContainerdConfig(dir, criSettings, snapshotter));
  return configFile;
}

/**
 * Start containerd with its CRI plugin under `options.dir` and wait until
 * it answers CRI Version. On failure the daemon is stopped again and the
 * error carries the end of its log.
 */
export async function startCriContainerd(options: CriContainerdOptions): Promise<CriContainerd> {
  const { dir } = options;
  const socket = join(dir, 'containerd.sock');
  const snapshotter = options.snapshotter ?? 'native';
  const configFile = writeDaemonFiles(dir, options.criSettings, snapshotter);
  const cgroupParent = cgroupParentFor(process.pid, dir);

  const disarm = armWatchdog(dir, cgroupParent);
  const daemon = spawn('containerd', ['--config', configFile], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  daemon.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    log += chunk;
    if (log.length > 1 << 20) log = log.slice(-(1 << 19));
  });
  const exited = new Promise<void>((resolve) => {
    daemon.on('close', () => resolve());
    daemon.on('error', () => resolve());
  });

  let client: CriClient | undefined;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    if (client !== undefined && daemon.exitCode === null) {
      // As the kubelet would: stop every pod, then remove it.
      try {
        for (const pod of await client.listPodSandbox()) {
          await client.stopPodSandbox(pod.id).catch(() => undefined);
          await client.removePodSandbox(pod.id).catch(() => undefined);
        }
      } catch {
        // the daemon no longer answers: the shims are killed below
      }
      client.close();
    }
    daemon.kill('SIGTERM');
    const timer = setTimeout(() => daemon.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
    // A shim outlives its daemon by design; ours name our socket.
    await killAndUnmount(socket, dir);
    removeCgroups(cgroupParent);
    running.delete(stop);
    disarm();
  };
  hookSignals();
  running.set(stop, dir);
  starting += 1;

  try {
    const started = await until(
      'containerd to answer CRI Version',
      options.startTimeoutMs ?? 30_000,
      async () => (existsSync(socket) ? CriClient.connect(socket, { timeoutMs: 5_000 }) : undefined),
      () => (daemon.exitCode !== null || daemon.signalCode !== null ? `containerd exited (${daemon.exitCode ?? daemon.signalCode})` : undefined),
    );
    client = started.client;
    starting -= 1;
    if (interrupted) throw new Error('interrupted');
    return {
      dir,
      socket,
      configFile,
      cgroupParent,
      client,
      version: started.version,
      daemon,
      log: () => log,
      ctrEnv: { ...process.env, CONTAINERD_ADDRESS: socket, CONTAINERD_NAMESPACE: CRI_NAMESPACE, CONTAINERD_SNAPSHOTTER: snapshotter },
      stop,
    };
  } catch (error) {
    if (client === undefined) starting -= 1;
    await stop();
    throw new PausekitError(`containerd with CRI did not start from ${configFile}: ${(error as Error).message}\n${log.slice(-3000)}`, {
      file: configFile,
    });
  }
}
