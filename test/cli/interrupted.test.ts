// Ctrl-C (SIGINT to the process group, as a terminal sends it) and SIGTERM
// (to the pausekit process alone, as `kill` sends it) at a seeded moment of
// each command leave nothing behind: no process the run started (every one
// carries the run's tag in its environment), no member of a PID namespace
// it made, no mount under its directories, no file in its private TMPDIR,
// and no half-written output: an output file is absent, or whole. The
// command ends by the signal, or says `pausekit: interrupted by ...` with
// exit 128+signal, or had finished; never with a stack trace.
//
// The moment is a handshake (the run's kernel driver is up, the benchmark
// has printed its first round, the image's temporary file is being written,
// or, for explore, which prints nothing and starts nothing before it is
// done, the process has started) plus a seeded delay: the delay is the
// input, not a wait for readiness. PAUSEKIT_SEED replays the delays.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, watch, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { buildImageArchive, normaliseImageName, pauseImageSpec, readBinary } from '../../src/image/oci.ts';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import { CLI, processesTagged, SKIP_REASON as BENCH_SKIP, taggedEnv } from '../support/bench.ts';
import { SEED } from '../support/property.ts';
import { kernelSkipReason, until } from '../support/processes.ts';

const FILE = 'test/cli/interrupted.test.ts';
const ROOT = new URL('../../', import.meta.url).pathname;
const BENCH_BUILD = join(ROOT, 'build/bench');
const KERNEL_SKIP = kernelSkipReason();
if (KERNEL_SKIP) console.warn(`interrupted runs of run and diff: skipped: ${KERNEL_SKIP}`);
if (BENCH_SKIP) console.warn(`interrupted runs of bench: skipped: ${BENCH_SKIP}`);

const base = mkdtempSync(join(tmpdir(), 'pausekit-interrupted-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

// ---- Inputs -----------------------------------------------------------------

/** 300 kernel steps: 100 times a parent that never reaps, its child, the parent's exit (an orphan for pause). */
const LONG = join(base, 'long.json');
writeFileSync(LONG, JSON.stringify({
  version: 1,
  steps: Array.from({ length: 100 }, (_, i) => [
    { event: 'spawn', name: `p${i}`, reaps: false },
    { event: 'spawn', name: `c${i}`, parent: `p${i}` },
    { event: 'exit', name: `p${i}`, code: 0 },
  ]).flat(),
}));
/** 40 SIGCHLDs to pause: about a second of exploring. */
const EXPLORE = join(base, 'explore.json');
writeFileSync(EXPLORE, JSON.stringify({ version: 1, steps: Array.from({ length: 40 }, () => ({ event: 'signal', target: 'pause', signal: 'SIGCHLD' })) }));
/** pause with 8 MiB of incompressible bytes after it: an image whose write takes a while. */
const BIG_PAUSE = join(base, 'big-pause');
const noise = Buffer.alloc(8 << 20);
for (let i = 0, x = SEED | 1; i < noise.length; i += 4) {
  x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
  noise.writeInt32LE(x | 0, i);
}
writeFileSync(BIG_PAUSE, Buffer.concat([readFileSync(pauseBinary('sigwait')), noise]), { mode: 0o755 });
const IMAGE_NAME = 'localhost/interrupted/pause:1';

// ---- What is left of a run ----------------------------------------------------

const OWN_PID_NS = readlinkSync('/proc/self/ns/pid');

/** PID namespaces (other than ours) that the run's processes are in. */
function namespacesOf(tag: string): Set<string> {
  const found = new Set<string>();
  for (const line of processesTagged(tag)) {
    try {
      const ns = readlinkSync(`/proc/${line.split(' ')[0]}/ns/pid`);
      if (ns !== OWN_PID_NS) found.add(ns);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** Processes of the host that are in one of these namespaces. */
function membersOf(namespaces: Set<string>): string[] {
  const members: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (namespaces.has(readlinkSync(`/proc/${entry}/ns/pid`))) members.push(entry);
    } catch {
      // gone, or not ours to read
    }
  }
  return members;
}

const mountsUnder = (dir: string): string[] => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(dir));
const benchTemps = (): string[] => {
  try {
    return readdirSync(BENCH_BUILD).filter((f) => f.startsWith('.tmp-'));
  } catch {
    return [];
  }
};

// ---- The trials ---------------------------------------------------------------

type Handshake =
  | { kind: 'driver' }
  | { kind: 'stderr'; text: string }
  | { kind: 'spawn' }
  | { kind: 'file'; prefix: string };

interface Trial {
  command: string;
  args: (out: string) => string[];
  handshake: Handshake;
  /** The delay after the handshake is drawn from 0..maxDelayMs. */
  maxDelayMs: number;
  /** Why the output directory's content is wrong, or null. */
  outputs: (out: string) => string | null;
  skip?: string;
}

let referenceImage: Buffer | undefined;

const TRIALS: Trial[] = [
  {
    command: 'run', args: () => [LONG, '--engine', 'kernel'], handshake: { kind: 'driver' }, maxDelayMs: 1200,
    outputs: () => null, skip: KERNEL_SKIP,
  },
  {
    command: 'diff', args: () => [LONG, '--design', 'all'], handshake: { kind: 'driver' }, maxDelayMs: 2500,
    outputs: () => null, skip: KERNEL_SKIP,
  },
  {
    command: 'explore', args: () => [EXPLORE], handshake: { kind: 'spawn' }, maxDelayMs: 1500,
    outputs: () => null,
  },
  {
    command: 'bench',
    args: (out) => ['--quick', '--only', 'latency', '--rounds', '20', '--out', out, '--json', join(out, 'results.json')],
    handshake: { kind: 'stderr', text: 'latency: round 1 of 20' }, maxDelayMs: 2000,
    outputs: (out) => {
      for (const file of readdirSync(out)) {
        const text = readFileSync(join(out, file), 'utf8');
        if (file === 'results.json') {
          try {
            if ((JSON.parse(text) as { version?: number }).version !== 1) return 'results.json is not a whole result';
          } catch {
            return `results.json is half-written (${text.length} bytes)`;
          }
        } else if (file === 'latency.svg') {
          if (!text.trimEnd().endsWith('</svg>')) return `latency.svg is half-written (${text.length} bytes)`;
        } else {
          return `an unexpected file is left in the output directory: ${file}`;
        }
      }
      return null;
    },
    skip: BENCH_SKIP,
  },
  {
    command: 'image', args: (out) => ['--out', join(out, 'pause.tar'), '--binary', BIG_PAUSE, '--name', IMAGE_NAME],
    // The temporary file appearing is the write under way.
    handshake: { kind: 'file', prefix: '.pause.tar.' }, maxDelayMs: 2,
    outputs: (out) => {
      const files = readdirSync(out);
      if (files.length === 0) return null;
      if (files.length > 1 || files[0] !== 'pause.tar') return `the output directory holds ${JSON.stringify(files)}, not just pause.tar`;
      const written = readFileSync(join(out, 'pause.tar'));
      return written.equals(referenceImage as Buffer) ? null : `pause.tar is not the whole archive (${written.length} of ${referenceImage?.length} bytes)`;
    },
  },
];

const SIGNALS = [
  { signal: 'SIGINT' as const, how: 'Ctrl-C to the process group' },
  { signal: 'SIGTERM' as const, how: 'SIGTERM to the pausekit process' },
];

/** The seeded delay of one trial. */
function delayOf(index: number, maxDelayMs: number): number {
  return fc.sample(fc.noBias(fc.integer({ min: 0, max: maxDelayMs })), { seed: SEED + index, numRuns: 1 })[0]!;
}

/** Waits for the handshake; resolves false if the command ended first. */
function handshake(h: Handshake, tag: string, out: string, stderr: () => string, ended: () => boolean): Promise<boolean> {
  if (h.kind === 'spawn') return Promise.resolve(true);
  if (h.kind === 'file') {
    // inotify: the temporary file's creation is seen at once, however short the write.
    return new Promise((resolve) => {
      const watcher = watch(out, (_event, name) => {
        if (name?.startsWith(h.prefix)) {
          watcher.close();
          resolve(true);
        }
      });
      const poll = setInterval(() => {
        if (ended()) {
          clearInterval(poll);
          watcher.close();
          resolve(false);
        }
      }, 20);
    });
  }
  return until(`the handshake (${h.kind === 'driver' ? 'the kernel driver is up' : JSON.stringify(h.text)})`, () => {
    if (ended()) return false;
    if (h.kind === 'driver') return processesTagged(tag).some((p) => p.includes('pausekit-driver')) ? true : undefined;
    return stderr().includes(h.text) ? true : undefined;
  }, 30_000);
}

describe('an interrupted pausekit command', () => {
  let index = 0;
  for (const trial of TRIALS) {
    for (const { signal, how } of SIGNALS) {
      const delayMs = delayOf(index++, trial.maxDelayMs);
      test.skipIf(trial.skip !== undefined)(
        `${trial.command}: ${how}, ${delayMs} ms after the handshake, leaves no process, namespace, mount, temporary or half-written file (seed ${SEED})`,
        async () => {
          if (trial.command === 'image' && referenceImage === undefined) {
            const binary = readBinary(BIG_PAUSE, '');
            referenceImage = (await buildImageArchive(pauseImageSpec(binary, BIG_PAUSE, normaliseImageName(IMAGE_NAME)), 'oci')).bytes;
          }
          const dir = mkdtempSync(join(base, `${trial.command}-${signal}-`));
          const tmp = join(dir, 'tmp');
          const out = join(dir, 'out');
          mkdirSync(tmp);
          mkdirSync(out);
          const { env, tag } = taggedEnv();
          const tempsBefore = new Set(benchTemps());
          const child = spawn(process.execPath, [...CLI, trial.command, ...trial.args(out)], {
            // No tsx cache: it would be a file in TMPDIR that is not the command's.
            env: { ...env, TMPDIR: tmp, TSX_DISABLE_CACHE: '1' },
            detached: true,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          let stderr = '';
          child.stdout.resume();
          child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
          let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
          const exited = new Promise<void>((resolve) => child.on('close', (code, sig) => {
            exit = { code, signal: sig };
            resolve();
          }));
          const replay = `seed ${SEED} (replay: PAUSEKIT_SEED=${SEED} npx vitest run ${FILE})`;

          const shook = await handshake(trial.handshake, tag, out, () => stderr, () => exit !== undefined);
          expect(shook, `${trial.command} ended before the handshake: ${JSON.stringify(exit)} ${stderr}\n${replay}`).toBe(true);
          const namespaces = namespacesOf(tag);
          await new Promise((resolve) => setTimeout(resolve, delayMs));
          for (const ns of namespacesOf(tag)) namespaces.add(ns);
          if (exit === undefined) {
            try {
              if (signal === 'SIGINT') process.kill(-(child.pid as number), signal);
              else child.kill(signal);
            } catch {
              // ended meanwhile
            }
          }
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 30_000)))]);
          clearTimeout(timer);
          const what = `${trial.command} after ${how}, ${delayMs} ms after the handshake: ${JSON.stringify(exit)}\nstderr: ${stderr}\n${replay}`;
          if (exit === undefined) {
            process.kill(-(child.pid as number), 'SIGKILL');
            throw new Error(`did not end within 30 s of the signal: ${what}`);
          }

          // It ended by the signal, or said so with exit 128+signal, or had finished.
          const interrupted = exit.code === 128 + constants.signals[signal] && new RegExp(`^pausekit: interrupted by ${signal}\\b`, 'm').test(stderr);
          expect(exit.signal === signal || interrupted || exit.code === 0, what).toBe(true);
          expect(stderr, what).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);

          const left = await until('every process of the run is gone', () => {
            const alive = processesTagged(tag);
            return alive.length === 0 ? alive : undefined;
          }).catch(() => processesTagged(tag));
          expect(left, what).toEqual([]);
          // The namespace's init, killed with its parent, may wait as a zombie for the host's init to reap it.
          const members = await until('the run\'s PID namespaces are empty', () => {
            const now = membersOf(namespaces);
            return now.length === 0 ? now : undefined;
          }).catch(() => membersOf(namespaces));
          expect(members, `members left in the run's PID namespaces; ${what}`).toEqual([]);
          expect(mountsUnder(dir), what).toEqual([]);
          expect(readdirSync(tmp), `files left in TMPDIR; ${what}`).toEqual([]);
          expect(trial.outputs(out), what).toBeNull();
          // The bench's build directory: no temporary directory of this run stays.
          const stray = await until('the benchmark build has no new temporary directory', () => {
            const now = benchTemps().filter((t) => !tempsBefore.has(t));
            return now.length === 0 ? now : undefined;
          }).catch(() => benchTemps().filter((t) => !tempsBefore.has(t)));
          expect(stray, what).toEqual([]);
          console.log(`interrupted ${trial.command} (${signal}, ${delayMs} ms): ` +
            `${exit.signal !== null ? `ended by ${exit.signal}` : interrupted ? `exit ${exit.code}, "${stderr.trim().split('\n').at(-1)}"` : 'had finished'}`);
          rmSync(dir, { recursive: true, force: true });
        },
        60_000,
      );
    }
  }
});
