// The CRI part of `pausekit bench` (`--only cri`): how long a pod takes to
// start and to stop through containerd's CRI, as the kubelet sees it, with
// pausekit's image as sandbox_image, side by side with the Kubernetes pause
// (static glibc, built from the source the user gives) in an image written
// by the same code. Not among the default parts: it needs root, containerd
// and the gRPC packages, and takes minutes.
//
// Two private daemons run side by side, one per sandbox image (containerd
// 1.6 has one sandbox_image per daemon). Each round runs one pod on each,
// in an order the seeded PRNG shuffles, so drift in the machine's load
// falls on both alike. Start: RunPodSandbox until PodSandboxStatus says
// SANDBOX_READY. Stop: StopPodSandbox until it returns.
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PausekitError } from '../errors.ts';
import { nativeMissing, nativeProgram } from '../engines/kernel/engine.ts';
import { buildImageArchive, pauseImageSpec, readBinary } from '../image/oci.ts';
import { loadServices, type PodSandboxConfig } from '../cri/client.ts';
import { CRI_CONTAINERD_NEEDS, criTempDir, startCriContainerd, sweepStaleDaemons, type CriContainerd } from '../cri/containerd.ts';
import { kubernetesPause, shownPath, which, type KubernetesSource } from './build.ts';
import { NO_K8S_SOURCE, type Skipped } from './programs.ts';
import type { CriResult, CriRow } from './result.ts';
import { prng, shuffle } from './stats.ts';

export interface CriOptions {
  rounds: number;
  warmup: number;
  seed: number;
  snapshotter: CriResult['snapshotter'];
  work: string;
  k8sSource?: KubernetesSource;
  progress: (text: string) => void;
  /** Throws when the run was interrupted (checked after every pod). */
  stop: () => void;
}

/** Why the CRI part cannot run here (one line), or undefined. */
export async function criBlocker(): Promise<string | undefined> {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (it runs containerd)';
  const absent = CRI_CONTAINERD_NEEDS.filter((need) => (need.startsWith('/') ? !existsSync(need) : which(need) === undefined));
  if (absent.length > 0) return `needs ${absent.join(', ')} (not installed)`;
  try {
    await loadServices();
  } catch (error) {
    if (error instanceof PausekitError) return error.message;
    throw error;
  }
  return undefined;
}

interface Contender {
  id: string;
  label: string;
  binary: string;
  image: string;
}

/** The sandbox images compared: pausekit's pause, and the Kubernetes pause when its source was given. */
function contenders(options: CriOptions): { list: Contender[]; skipped: Skipped[] } {
  const list: Contender[] = [];
  const skipped: Skipped[] = [];
  const pause = nativeProgram('pause');
  if (!existsSync(pause)) throw new PausekitError(`the CRI part: ${nativeMissing('pause')}`, { file: pause });
  list.push({ id: 'pause', label: `pausekit's pause (${shownPath(pause)})`, binary: pause, image: 'localhost/pausekit/pause:bench' });
  const label = 'Kubernetes pause.c, static glibc';
  const k8s = options.k8sSource === undefined ? { reason: NO_K8S_SOURCE } : kubernetesPause(options.work, options.k8sSource, 'cc', 'k8s-pause-glibc');
  if (k8s.reason !== undefined) skipped.push({ id: 'k8s-pause-glibc', label, reason: k8s.reason });
  else list.push({ id: 'k8s-pause-glibc', label, binary: k8s.path!, image: 'localhost/pausekit/k8s-pause-glibc:bench' });
  return { list, skipped };
}

let pods = 0;

/** The PodSandboxConfig the kubelet would send for one pod of the benchmark. */
function podConfig(daemon: CriContainerd): PodSandboxConfig {
  pods += 1;
  return {
    metadata: { name: `bench-${pods}`, uid: `pausekit-bench-${process.pid}-${pods}`, namespace: 'default', attempt: 0 },
    hostname: `bench-${pods}`,
    logDirectory: join(daemon.dir, 'logs'),
    linux: { cgroupParent: daemon.cgroupParent, securityContext: { namespaceOptions: { network: 'POD', pid: 'CONTAINER', ipc: 'POD' } } },
  };
}

/** One pod: start (RunPodSandbox → SANDBOX_READY) and stop (StopPodSandbox), in ms; then removed. */
async function onePod(daemon: CriContainerd): Promise<{ startMs: number; stopMs: number }> {
  const client = daemon.client;
  const t0 = performance.now();
  const id = await client.runPodSandbox(podConfig(daemon));
  // The CRI promises a ready sandbox when RunPodSandbox returns: check it, as the kubelet does.
  const { status } = await client.podSandboxStatus(id);
  if (status.state !== 'SANDBOX_READY') throw new PausekitError(`pod ${id} is ${status.state} after RunPodSandbox on ${daemon.socket}`);
  const t1 = performance.now();
  await client.stopPodSandbox(id);
  const t2 = performance.now();
  await client.removePodSandbox(id);
  return { startMs: t1 - t0, stopMs: t2 - t1 };
}

/** A daemon whose sandbox_image is the contender's image, written by `pausekit image`'s code and imported. */
async function daemonFor(contender: Contender, options: CriOptions): Promise<{ daemon: CriContainerd; row: CriRow }> {
  const binary = readBinary(contender.binary, "run 'npm run build'");
  const archive = await buildImageArchive(pauseImageSpec(binary, contender.binary, contender.image), 'oci');
  const dir = criTempDir();
  let daemon: CriContainerd;
  try {
    daemon = await startCriContainerd({ dir, criSettings: [`sandbox_image = "${contender.image}"`], snapshotter: options.snapshotter });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const file = join(dir, 'image.tar');
  writeFileSync(file, archive.bytes);
  execFileSync('ctr', ['images', 'import', file], { env: daemon.ctrEnv, stdio: ['ignore', 'ignore', 'pipe'] });
  const image = await daemon.client.requireImage(contender.image, 'sandbox_image');
  const layerBlob = join(dir, 'root', 'io.containerd.content.v1.content', 'blobs', 'sha256', archive.layerDigest.slice('sha256:'.length));
  return {
    daemon,
    row: {
      id: contender.id, label: contender.label, binaryBytes: binary.length, archiveBytes: archive.bytes.length,
      layerBytes: statSync(layerBlob).size, storeBytes: Number(image.size), startMs: [], stopMs: [],
    },
  };
}

/** The CRI part: every contender's daemon, then the shuffled rounds of pods; the daemons are always stopped. */
export async function measureCri(options: CriOptions): Promise<{ result: CriResult; skipped: Skipped[] }> {
  const { list, skipped } = contenders(options);
  await sweepStaleDaemons();
  const daemons: CriContainerd[] = [];
  const rows: CriRow[] = [];
  try {
    for (const contender of list) {
      options.progress(`cri: starting containerd with ${contender.id} as its sandbox image`);
      const started = await daemonFor(contender, options);
      daemons.push(started.daemon);
      rows.push(started.row);
      options.stop();
    }
    const random = prng(options.seed);
    for (let round = -options.warmup; round < options.rounds; round++) {
      const what = round < 0 ? `warm-up ${round + options.warmup + 1} of ${options.warmup}` : `round ${round + 1} of ${options.rounds}`;
      for (const index of shuffle(daemons.map((_, i) => i), random)) {
        options.progress(`cri: ${what}, ${rows[index]!.id}`);
        const sample = await onePod(daemons[index]!);
        options.stop();
        if (round >= 0) {
          rows[index]!.startMs.push(sample.startMs);
          rows[index]!.stopMs.push(sample.stopMs);
        }
      }
    }
    const version = daemons[0]!.version;
    const containerd = `${version.runtimeName} ${version.runtimeVersion}`;
    return { result: { rounds: options.rounds, warmup: options.warmup, snapshotter: options.snapshotter, containerd, rows }, skipped };
  } finally {
    for (const daemon of daemons) {
      await daemon.stop();
      rmSync(daemon.dir, { recursive: true, force: true });
    }
  }
}
