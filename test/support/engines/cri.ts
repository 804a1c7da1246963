// What the CRI tests share: a private containerd with its CRI plugin
// (src/cri/containerd.ts) set up from docs/kubernetes-cri.md as a user
// would set up a node, pods and containers described as the kubelet
// describes them, the pids behind them, and containerd's task events.
//
// The doc is the source: its `sh` block is run as written to write and
// import the image, its containerd `toml` lines go into the daemon's
// config.toml, its pod `yaml` decides the app container and the PID
// namespace mode. Change the doc and the tests follow (or fail).
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CRI_TABLE, CRI_CONTAINERD_NEEDS, criTempDir, startCriContainerd, type CriContainerd } from '../../../src/cri/containerd.ts';
import type { ContainerConfig, CriClient, NamespaceMode, PodSandboxConfig } from '../../../src/cri/client.ts';
import { unavailable } from '../gate.ts';
import { Cleanup, removeDir } from '../host.ts';
import { run, until } from '../processes.ts';
import { BUSYBOX, ROOT } from './images.ts';

export const CRI_NEEDS = [...CRI_CONTAINERD_NEEDS, BUSYBOX];
export const DOC = join(ROOT, 'docs/kubernetes-cri.md');

/** What docs/kubernetes-cri.md tells a user to do, as data. */
export interface CriDoc {
  /** The `sh` block: write the image, import it into k8s.io. */
  shell: string;
  /** The `key = value` lines under the CRI plugin's table of the containerd block. */
  containerdSettings: string[];
  /** sandbox_image of the containerd block. */
  sandboxImage: string;
  /** The CRI-O block's [crio.image] settings. */
  crio: Record<string, string>;
  /** The pod of the `yaml` block. */
  pod: { name: string; shareProcessNamespace: boolean; container: { name: string; image: string; command: string[] } };
}

function fenced(text: string, language: string): string[] {
  return [...text.matchAll(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'gm'))].map((match) => match[1]!);
}

/** TOML `key = "value"` lines as a map (only the flat string settings the doc shows). */
function tomlSettings(lines: string[]): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const line of lines) {
    const match = /^\s*([\w.-]+)\s*=\s*"([^"]*)"\s*$/.exec(line);
    if (match === null) throw new Error(`${DOC}: cannot read the setting '${line}'`);
    settings[match[1]!] = match[2]!;
  }
  return settings;
}

export function readDoc(): CriDoc {
  const text = readFileSync(DOC, 'utf8');
  // The block that writes the image and imports it (the page's other sh block runs the benchmark).
  const shell = fenced(text, 'sh').filter((block) => block.includes('images import'));
  if (shell.length !== 1) throw new Error(`${DOC}: expected one sh block that imports the image, found ${shell.length}`);
  const tomls = fenced(text, 'toml').map((block) => block.split('\n').filter((line) => line.trim() !== ''));
  const containerd = tomls.find((lines) => lines[0]?.trim() === CRI_TABLE);
  if (containerd === undefined) throw new Error(`${DOC}: no toml block starting with ${CRI_TABLE}`);
  const containerdSettings = containerd.slice(1);
  const sandboxImage = tomlSettings(containerdSettings)['sandbox_image'];
  if (sandboxImage === undefined) throw new Error(`${DOC}: the containerd block sets no sandbox_image`);
  const crio = tomls.find((lines) => lines[0]?.trim() === '[crio.image]');
  if (crio === undefined) throw new Error(`${DOC}: no toml block starting with [crio.image]`);
  const yaml = fenced(text, 'yaml');
  if (yaml.length !== 1) throw new Error(`${DOC}: expected one yaml block, found ${yaml.length}`);
  // The few fields of the pod the kubelet turns into CRI calls here.
  const field = (pattern: RegExp, what: string): string => {
    const match = pattern.exec(yaml[0]!);
    if (match === null) throw new Error(`${DOC}: the pod has no ${what}`);
    return match[1]!;
  };
  return {
    shell: shell[0]!,
    containerdSettings,
    sandboxImage,
    crio: tomlSettings(crio.slice(1)),
    pod: {
      name: field(/^metadata:\n\s+name:\s*(\S+)$/m, 'metadata.name'),
      shareProcessNamespace: /^\s+shareProcessNamespace:\s*true$/m.test(yaml[0]!),
      container: {
        name: field(/^\s+- name:\s*(\S+)$/m, 'container name'),
        image: field(/^\s+image:\s*(\S+)$/m, 'container image'),
        command: JSON.parse(field(/^\s+command:\s*(\[.*\])$/m, 'container command')) as string[],
      },
    },
  };
}

/** The PID namespace mode the kubelet asks for: POD with shareProcessNamespace, else CONTAINER. */
export function kubeletPidMode(shareProcessNamespace: boolean): NamespaceMode {
  return shareProcessNamespace ? 'POD' : 'CONTAINER';
}

/** A running private containerd with CRI, plus what the tests add to it. */
export interface CriNode extends CriContainerd {
  /** A directory on PATH with `pausekit` as `npm link` installs it. */
  bin: string;
  /** Run a shell script in `cwd` with ctr pointed at this daemon (as root on the node). */
  sh(script: string, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** `ctr` against this daemon's k8s.io namespace; must succeed. */
  ctr(args: string[]): Promise<string>;
}

/**
 * Start a private containerd with CRI whose CRI table holds `criSettings`;
 * cleanup stops every pod, the daemon and its shims, and removes
 * everything. Returns a reason instead when it cannot start here (a skip,
 * or a failure under PAUSEKIT_REQUIRE_ENGINES=1).
 */
export async function criNode(cleanup: Cleanup, criSettings: string[]): Promise<CriNode | { reason: string }> {
  const dir = criTempDir();
  cleanup.add('CRI temp dir', () => removeDir(dir));
  let daemon: CriContainerd;
  try {
    daemon = await startCriContainerd({ dir, criSettings });
  } catch (error) {
    return unavailable('the CRI tests', `containerd with CRI cannot start here: ${(error as Error).message}`);
  }
  cleanup.add('CRI containerd', () => daemon.stop());
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'pausekit'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'src/cli/bin.mjs')}" "$@"\n`);
  chmodSync(join(bin, 'pausekit'), 0o755);
  const env = { ...daemon.ctrEnv, PATH: `${bin}:${process.env.PATH}` };
  return {
    ...daemon,
    bin,
    sh: (script, cwd) => run('sh', ['-e', '-c', `cd '${cwd}'\n${script}`], { env, timeoutMs: 60_000 }),
    async ctr(args) {
      const result = await run('ctr', args, { env, timeoutMs: 30_000 });
      if (result.code !== 0) throw new Error(`ctr ${args.join(' ')} failed (exit ${result.code}):\n${result.stderr}`);
      return result.stdout;
    },
  };
}

let pods = 0;

/** The PodSandboxConfig the kubelet sends for a pod (name, uid, namespaces, cgroup parent, logs). */
export function podConfig(node: CriContainerd, name: string, pid: NamespaceMode): PodSandboxConfig {
  pods += 1;
  const uid = `pausekit-${process.pid}-${pods}`;
  const logDirectory = join(node.dir, 'logs', uid);
  mkdirSync(logDirectory, { recursive: true });
  return {
    metadata: { name, uid, namespace: 'default', attempt: 0 },
    hostname: name,
    logDirectory,
    linux: {
      cgroupParent: `${node.cgroupParent}/pod${uid}`,
      securityContext: { namespaceOptions: { network: 'POD', pid, ipc: 'POD' } },
    },
  };
}

/** The ContainerConfig the kubelet sends for one container of the pod. */
export function containerConfig(container: CriDoc['pod']['container'], pid: NamespaceMode): ContainerConfig {
  return {
    metadata: { name: container.name, attempt: 0 },
    image: { image: container.image },
    command: container.command,
    logPath: `${container.name}/0.log`,
    linux: { securityContext: { namespaceOptions: { network: 'POD', pid, ipc: 'POD' } } },
  };
}

/**
 * Wait until runc's init has exec'd the container's program. The CRI's
 * "ready" and "running" come back when `runc start` returns, which can be
 * a moment before that: the process is still `runc init` then (seen here
 * about once in five runs), with the user and the program not yet its own.
 */
async function execed(pid: number, what: string): Promise<number> {
  return until(`${what} (pid ${pid}) to leave runc init`, () => {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    } catch {
      throw new Error(`${what} (pid ${pid}) is gone`);
    }
    // Empty while execve swaps the image in (seen under load).
    return cmdline === 'runc\0init\0' || cmdline === '' ? undefined : pid;
  });
}

/** The host pid of a pod's sandbox process (once exec'd), from containerd's verbose status. */
export async function sandboxPid(client: CriClient, podId: string): Promise<number> {
  const { info } = await client.podSandboxStatus(podId, true);
  const pid = (JSON.parse(info['info'] ?? '{}') as { pid?: number }).pid;
  if (!pid) throw new Error(`PodSandboxStatus of ${podId} gives no pid: ${JSON.stringify(info).slice(0, 500)}`);
  return execed(pid, `the sandbox of pod ${podId}`);
}

/** The host pid of a running container's process (once exec'd). */
export async function containerPid(client: CriClient, containerId: string): Promise<number> {
  const { info } = await client.containerStatus(containerId, true);
  const pid = (JSON.parse(info['info'] ?? '{}') as { pid?: number }).pid;
  if (!pid) throw new Error(`ContainerStatus of ${containerId} gives no pid: ${JSON.stringify(info).slice(0, 500)}`);
  return execed(pid, `container ${containerId}`);
}

/** The pod's network namespace path, from the runtime spec containerd reports. */
export async function sandboxNetnsPath(client: CriClient, podId: string): Promise<string> {
  const { info } = await client.podSandboxStatus(podId, true);
  const spec = (JSON.parse(info['info'] ?? '{}') as { runtimeSpec?: { linux?: { namespaces?: { type: string; path?: string }[] } } })
    .runtimeSpec;
  const path = spec?.linux?.namespaces?.find((ns) => ns.type === 'network')?.path;
  if (path === undefined) throw new Error(`PodSandboxStatus of ${podId} names no network namespace path`);
  return path;
}

/**
 * containerd's task events (`ctr events`), subscribed before it returns:
 * a namespace label change is sent and awaited as the handshake.
 */
export async function taskEvents(node: CriNode, cleanup: Cleanup): Promise<{ exitStatus(containerId: string): Promise<number> }> {
  const child = spawn('ctr', ['events'], { env: node.ctrEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  cleanup.add('ctr events', () => child.kill('SIGKILL'));
  let events = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (events += chunk));
  let probes = 0;
  await until('ctr events to be subscribed', async () => {
    const probe = `probe-${process.pid}-${++probes}`;
    await node.ctr(['namespaces', 'label', 'k8s.io', `pausekit.events=${probe}`]);
    return events.includes(probe) ? true : undefined;
  });
  return {
    exitStatus: (containerId) =>
      until(`the /tasks/exit event of ${containerId}`, () => {
        for (const line of events.split('\n')) {
          const json = line.includes(' /tasks/exit ') ? line.slice(line.indexOf('{')) : '';
          if (json === '') continue;
          const event = JSON.parse(json) as { container_id: string; id: string; exit_status?: number };
          if (event.container_id === containerId && event.id === containerId) return event.exit_status ?? 0;
        }
        return undefined;
      }),
  };
}
