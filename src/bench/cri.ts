// The CRI row of the benchmark: how long a pod takes to start and to stop
// through containerd's CRI, as the kubelet sees it, with pausekit's image as
// sandbox_image against the seed's pause (Kubernetes' pause.c, static
// glibc) in an image written by the same code. Not part of the quick suite:
//
//   npm run bench:cri -- [--rounds 30] [--warmup 3] [--snapshotter native|overlayfs] [--seed N] [--json FILE]
//
// Two private daemons run side by side, one per sandbox image (containerd
// 1.6 has one sandbox_image per daemon). Each round runs one pod on each,
// in an order the seeded PRNG shuffles, so drift in the machine's load
// falls on both alike. Start: RunPodSandbox until PodSandboxStatus says
// SANDBOX_READY. Stop: StopPodSandbox until it returns. Medians and p99,
// never means.
import { existsSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { execFileSync } from 'node:child_process';
// (bench/ moves to src/bench/ with the layout of issue 9.)
import { programs, which } from './programs.ts';
import { median, p99, prng, shuffle } from './stats.ts';
import { PausekitError } from '../errors.ts';
import { buildImageArchive, pauseImageSpec, readBinary } from '../image/oci.ts';
import type { PodSandboxConfig } from '../cri/client.ts';
import { CRI_CONTAINERD_NEEDS, criTempDir, startCriContainerd, sweepStaleDaemons, type CriContainerd, type Snapshotter } from '../cri/containerd.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Contender {
  id: string;
  label: string;
  binary: string;
  image: string;
}

export interface CriBenchRow {
  id: string;
  label: string;
  binaryBytes: number;
  archiveBytes: number;
  layerBytes: number;
  /** The image size containerd reports (ImageStatus). */
  storeBytes: number;
  startMs: number[];
  stopMs: number[];
}

export interface CriBenchResult {
  rounds: number;
  warmup: number;
  seed: number;
  snapshotter: Snapshotter;
  containerd: string;
  machine: { kernel: string; cpus: number; cpuModel: string; loadavgStart: number[]; loadavgEnd: number[] };
  rows: CriBenchRow[];
}

const USAGE = `usage: npm run bench:cri -- [--rounds N] [--warmup N] [--snapshotter native|overlayfs] [--seed N] [--json FILE]`;

function positive(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new PausekitError(`--${name} must be an integer >= ${min}, got '${text}'\n${USAGE}`, { field: `--${name}`, value: text });
  }
  return value;
}

/** What this machine lacks for the benchmark, or undefined. */
function missing(): string | undefined {
  if (process.platform !== 'linux') return 'the CRI benchmark needs Linux';
  if (process.getuid?.() !== 0) return 'the CRI benchmark needs root (it runs containerd)';
  const absent = CRI_CONTAINERD_NEEDS.filter((need) => (need.startsWith('/') ? !existsSync(need) : which(need) === undefined));
  return absent.length > 0 ? `not installed: ${absent.join(', ')}` : undefined;
}

let pods = 0;
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

export async function runCriBench(options: { rounds: number; warmup: number; seed: number; snapshotter: Snapshotter; progress: (line: string) => void }): Promise<CriBenchResult> {
  const lack = missing();
  if (lack !== undefined) throw new PausekitError(lack);
  const { measured, skipped } = programs();
  const k8s = measured.find((program) => program.id === 'k8s-pause-glibc');
  if (k8s === undefined) {
    const why = skipped.find((program) => program.id === 'k8s-pause-glibc')?.reason ?? 'not built';
    throw new PausekitError(`cannot build the seed's pause (k8s-pause-glibc): ${why}`);
  }
  const contenders: Contender[] = [
    { id: 'pausekit', label: "pausekit's pause (build/native/pause)", binary: join(ROOT, 'build/native/pause'), image: 'localhost/pausekit/pause:bench' },
    { id: 'k8s-pause-glibc', label: "the seed's pause.c, static glibc", binary: k8s.binary, image: 'localhost/pausekit/k8s-pause-glibc:bench' },
  ];

  await sweepStaleDaemons();
  const loadavgStart = loadavg();
  const daemons: CriContainerd[] = [];
  const rows: CriBenchRow[] = [];
  try {
    for (const contender of contenders) {
      const binary = readBinary(contender.binary, "run 'npm run build'");
      const archive = await buildImageArchive(pauseImageSpec(binary, contender.binary, contender.image), 'oci');
      const dir = criTempDir();
      const daemon = await startCriContainerd({ dir, criSettings: [`sandbox_image = "${contender.image}"`], snapshotter: options.snapshotter });
      daemons.push(daemon);
      const file = join(dir, 'image.tar');
      writeFileSync(file, archive.bytes);
      execFileSync('ctr', ['images', 'import', file], { env: daemon.ctrEnv, stdio: ['ignore', 'ignore', 'pipe'] });
      const image = await daemon.client.requireImage(contender.image, 'sandbox_image');
      const layerBlob = join(dir, 'root', 'io.containerd.content.v1.content', 'blobs', 'sha256', archive.layerDigest.slice('sha256:'.length));
      rows.push({
        id: contender.id,
        label: contender.label,
        binaryBytes: binary.length,
        archiveBytes: archive.bytes.length,
        layerBytes: statSync(layerBlob).size,
        storeBytes: Number(image.size),
        startMs: [],
        stopMs: [],
      });
    }
    const random = prng(options.seed);
    for (let round = -options.warmup; round < options.rounds; round++) {
      for (const index of shuffle([0, 1], random)) {
        const sample = await onePod(daemons[index]!);
        if (round >= 0) {
          rows[index]!.startMs.push(sample.startMs);
          rows[index]!.stopMs.push(sample.stopMs);
        }
      }
      if (round >= 0 && (round + 1) % 10 === 0) options.progress(`  ${round + 1}/${options.rounds} rounds`);
    }
    return {
      rounds: options.rounds,
      warmup: options.warmup,
      seed: options.seed,
      snapshotter: options.snapshotter,
      containerd: `${daemons[0]!.version.runtimeName} ${daemons[0]!.version.runtimeVersion}`,
      machine: { kernel: release(), cpus: cpus().length, cpuModel: cpus()[0]?.model ?? '?', loadavgStart, loadavgEnd: loadavg() },
      rows,
    };
  } finally {
    for (const daemon of daemons) {
      await daemon.stop();
      rmSync(daemon.dir, { recursive: true, force: true });
    }
  }
}

const fmt = (value: number): string => `${value.toFixed(1)} ms`;

export function formatCriBench(result: CriBenchResult): string {
  const [ours, seed] = result.rows as [CriBenchRow, CriBenchRow];
  const lines = [
    `CRI pod start and stop through ${result.containerd} (runc, ${result.snapshotter} snapshotter), ` +
      `${result.rounds} interleaved rounds after ${result.warmup} warm-up, seed ${result.seed}`,
    '',
    '| sandbox image | start median | start p99 | stop median | stop p99 | /pause | layer (gzip) | archive | in containerd |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...result.rows.map(
      (row) =>
        `| ${row.label} | ${fmt(median(row.startMs))} | ${fmt(p99(row.startMs))} | ${fmt(median(row.stopMs))} | ${fmt(p99(row.stopMs))} | ` +
        `${row.binaryBytes} B | ${row.layerBytes} B | ${row.archiveBytes} B | ${row.storeBytes} B |`,
    ),
    `| ratio, seed's / pausekit's | ${(median(seed.startMs) / median(ours.startMs)).toFixed(2)}× | ${(p99(seed.startMs) / p99(ours.startMs)).toFixed(2)}× | ` +
      `${(median(seed.stopMs) / median(ours.stopMs)).toFixed(2)}× | ${(p99(seed.stopMs) / p99(ours.stopMs)).toFixed(2)}× | ` +
      `${(seed.binaryBytes / ours.binaryBytes).toFixed(0)}× | ${(seed.layerBytes / ours.layerBytes).toFixed(0)}× | ` +
      `${(seed.archiveBytes / ours.archiveBytes).toFixed(0)}× | ${(seed.storeBytes / ours.storeBytes).toFixed(0)}× |`,
    '',
    `machine: Linux ${result.machine.kernel}, ${result.machine.cpus} CPUs (${result.machine.cpuModel}), load average ` +
      `${result.machine.loadavgStart.map((l) => l.toFixed(2)).join(' ')} at start, ${result.machine.loadavgEnd.map((l) => l.toFixed(2)).join(' ')} at end`,
    `(p99 of ${result.rounds} samples is close to their maximum.)`,
  ];
  return lines.join('\n');
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      rounds: { type: 'string', default: '30' },
      warmup: { type: 'string', default: '3' },
      snapshotter: { type: 'string', default: 'native' },
      seed: { type: 'string' },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.snapshotter !== 'native' && values.snapshotter !== 'overlayfs') {
    throw new PausekitError(`--snapshotter must be native or overlayfs, got '${values.snapshotter}'\n${USAGE}`, { field: '--snapshotter' });
  }
  const seed = values.seed === undefined ? Math.floor(Math.random() * 2 ** 31) : positive('seed', values.seed, 0);
  const options = {
    rounds: positive('rounds', values.rounds, 1),
    warmup: positive('warmup', values.warmup, 0),
    seed,
    snapshotter: values.snapshotter as Snapshotter,
    progress: (line: string) => console.error(line),
  };
  console.error(`CRI benchmark: seed ${seed} (replay: npm run bench:cri -- --seed ${seed} --rounds ${options.rounds})`);
  const result = await runCriBench(options);
  console.log(formatCriBench(result));
  if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
  return 0;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      if (error instanceof PausekitError) {
        console.error(`pausekit bench:cri: ${error.message}`);
        process.exit(error.exitCode);
      }
      if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
        console.error(`pausekit bench:cri: ${error.message}\n${USAGE}`);
        process.exit(2);
      }
      throw error;
    },
  );
}
