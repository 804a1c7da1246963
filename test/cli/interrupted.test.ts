// Ctrl-C (SIGINT to the process group, as a terminal sends it) and SIGTERM
// (to the pausekit process alone, as `kill` sends it) while each command is
// at work leave nothing behind: no process the run started (every one
// carries the run's tag in its environment), no member of a PID namespace
// it made, no mount under its directories, no file in its private TMPDIR,
// and no half-written output: an output file is absent, or whole. The
// command ends as it must, never with a stack trace: run, diff and explore
// by the signal itself; bench and image, which hold the signal while they
// write, with `pausekit: interrupted by ...` and exit 128+signal.
//
// The signal lands while the command cannot have finished: a handshake
// waits for a seeded point of its work (run and diff: the kernel driver has
// that many processes in its PID namespace; bench: that round; explore: it
// has started), then stops (SIGSTOP) what the command is waiting on (the
// driver, the benchmark harness, or explore itself), sends the signal,
// waits until the command has taken it where that shows, and continues
// what it stopped. For image, strace delivers the signal as the archive's
// temporary file is fsync'd: in the middle of the write. PAUSEKIT_SEED
// replays the points.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, test } from 'vitest';
import { buildImageArchive, normaliseImageName, pauseImageSpec, readBinary } from '../../src/image/oci.ts';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import { BENCH, CLI, processesTagged, taggedEnv } from '../support/bench.ts';
import { cannotRun, commands, KERNEL, type Need } from '../support/gate.ts';
import { replayCommand, SEED } from '../support/property.ts';
import { childrenOf, maskHas, procInfo, procStatus, until } from '../support/processes.ts';

const FILE = 'test/cli/interrupted.test.ts';
const ROOT = new URL('../../', import.meta.url).pathname;
const BENCH_BUILD = join(ROOT, 'build/bench');

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

/**
 * Where the signal lands. `stop`: wait for the seeded point of the work,
 * stop the process `frozen` names, send the signal, wait until `taken`
 * (if any) shows that the command has it, continue the stopped process.
 * `fsync`: strace sends the signal as the command enters fsync.
 */
type Moment =
  | { kind: 'stop'; point: (run: Running, seeded: number) => number | undefined; pointMax: number; what: string; taken?: (frozen: number, signal: NodeJS.Signals) => boolean }
  | { kind: 'fsync' };

/** A command under way: its pid, tag, output directory and stderr so far. */
interface Running {
  pid: number;
  tag: string;
  out: string;
  stderr: () => string;
}

interface Trial {
  command: string;
  args: (out: string) => string[];
  needs: Need[];
  moment: Moment;
  /** How it must end: by the signal itself, or with the interruption message and exit 128+signal. */
  ends: 'by the signal' | 'with the message';
  /** Why the output directory's content is wrong, or null. */
  outputs: (out: string) => string | null;
}

let referenceImage: Buffer | undefined;

/** The command's child whose command line contains `name`. */
function childNamed(pid: number, name: string): number | undefined {
  return childrenOf(pid).find((child) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, 'latin1').includes(name);
    } catch {
      return false;
    }
  });
}

/** The kernel driver, once its PID namespaces hold at least `count` processes. */
const driverAfter = (run: Running, count: number): number | undefined => {
  const driver = childNamed(run.pid, 'pausekit-driver');
  return driver !== undefined && membersOf(namespacesOf(run.tag)).length >= count ? driver : undefined;
};

/** The benchmark harness, once the benchmark has printed that latency round. */
const harnessAfter = (run: Running, round: number): number | undefined =>
  (run.stderr().includes(`latency: round ${round} of 20\n`) ? childNamed(run.pid, 'harness') : undefined);

/** The benchmark has the signal: its handler sent the stopped harness SIGTERM (or the harness is gone). */
const harnessTold = (harness: number): boolean => {
  const status = procStatus(harness);
  return status === undefined || status.State?.startsWith('Z') === true || maskHas(status.ShdPnd ?? '0', 15) || maskHas(status.SigPnd ?? '0', 15);
};

const TRIALS: Trial[] = [
  {
    command: 'run', args: () => [LONG, '--engine', 'kernel'], needs: [KERNEL], ends: 'by the signal', outputs: () => null,
    moment: { kind: 'stop', what: 'processes in the driver\'s PID namespace', pointMax: 60, point: driverAfter },
  },
  {
    command: 'diff', args: () => [LONG, '--design', 'all'], needs: [KERNEL], ends: 'by the signal', outputs: () => null,
    moment: { kind: 'stop', what: 'processes in the driver\'s PID namespace', pointMax: 60, point: driverAfter },
  },
  {
    command: 'explore', args: () => [EXPLORE], needs: [], ends: 'by the signal', outputs: () => null,
    moment: { kind: 'stop', what: 'started', pointMax: 0, point: (run) => run.pid },
  },
  {
    command: 'bench',
    args: (out) => ['--quick', '--only', 'latency', '--rounds', '20', '--out', out, '--json', join(out, 'results.json')],
    needs: BENCH, ends: 'with the message',
    moment: { kind: 'stop', what: 'latency rounds done', pointMax: 18, point: harnessAfter, taken: harnessTold },
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
  },
  {
    command: 'image', args: (out) => ['--out', join(out, 'pause.tar'), '--binary', BIG_PAUSE, '--name', IMAGE_NAME],
    needs: [commands(['strace'], 'Debian: apt-get install strace')], ends: 'with the message', moment: { kind: 'fsync' },
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

/** The seeded point of one trial, 1..max (0 when it has none). */
function pointOf(index: number, max: number): number {
  return max === 0 ? 0 : fc.sample(fc.noBias(fc.integer({ min: 1, max })), { seed: SEED + index, numRuns: 1 })[0]!;
}

/** Sends the signal as a terminal or `kill` would: to the command's process group, or to the command. */
function interrupt(pid: number, signal: NodeJS.Signals): void {
  process.kill(signal === 'SIGINT' ? -pid : pid, signal);
}

/**
 * The stop moment: waits for the point, stops what the command waits on,
 * calls `stopped`, signals the command, waits until it has the signal,
 * continues. Throws if the command ended before it was stopped.
 */
async function stopAndSignal(
  moment: Extract<Moment, { kind: 'stop' }>, run: Running, point: number, signal: NodeJS.Signals,
  ended: () => string | undefined, stopped: () => void,
): Promise<void> {
  const frozen = await until(`${moment.what}: ${point}`, () => {
    const how = ended();
    if (how !== undefined) throw new Error(`the command ended before ${moment.what} reached ${point}: ${how}`);
    return moment.point(run, point);
  });
  process.kill(frozen, 'SIGSTOP');
  await until(`${frozen} is stopped`, () => {
    const state = procInfo(frozen)?.state;
    if (state === undefined || state === 'Z') throw new Error(`${frozen} ended before it was stopped: ${ended() ?? 'the command runs'}`);
    return state === 'T' ? true : undefined;
  });
  const how = ended();
  if (how !== undefined) throw new Error(`the command ended while what it waits on was stopped: ${how}`);
  stopped();
  interrupt(run.pid, signal);
  const taken = moment.taken;
  if (taken !== undefined) await until('the command has the signal', () => (taken(frozen, signal) ? true : undefined));
  try {
    process.kill(frozen, 'SIGCONT');
  } catch {
    // it ended with the command (the driver dies with its parent)
  }
}

describe('an interrupted pausekit command', () => {
  let index = 0;
  for (const trial of TRIALS) {
    const skip = cannotRun(`interrupted runs of ${trial.command}`, ...trial.needs);
    for (const { signal, how } of SIGNALS) {
      const point = pointOf(index++, trial.moment.kind === 'stop' ? trial.moment.pointMax : 0);
      const where = trial.moment.kind === 'fsync' ? 'as it fsyncs its output (strace)' : point === 0 ? `once ${trial.moment.what}` : `after ${point} ${trial.moment.what}`;
      const sent = trial.moment.kind === 'fsync' ? `${signal} to the pausekit process` : how;
      test.skipIf(skip)(
        `${trial.command}: ${sent}, ${where}, ends it ${trial.ends} and leaves no process, namespace, mount, temporary or half-written file (seed ${SEED})`,
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
          const argv = [process.execPath, ...CLI, trial.command, ...trial.args(out)];
          const strace = ['strace', '-f', '-qq', '-o', '/dev/null', '-e', 'trace=fsync', '-e', `inject=fsync:signal=${signal}:when=1`];
          const [command, ...args] = trial.moment.kind === 'fsync' ? [...strace, ...argv] : argv;
          const child = spawn(command!, args, {
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
          const replay = `seed ${SEED} (replay: ${replayCommand(FILE)})`;
          const what = () => `${trial.command} after ${sent}, ${where}: ${JSON.stringify(exit)}\nstderr: ${stderr}\n${replay}`;
          const run: Running = { pid: child.pid as number, tag, out, stderr: () => stderr };

          const namespaces = new Set<string>();
          if (trial.moment.kind === 'stop') {
            await stopAndSignal(trial.moment, run, point, signal, () => (exit === undefined ? undefined : what()), () => {
              for (const ns of namespacesOf(tag)) namespaces.add(ns);
            });
          }
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 30_000)))]);
          clearTimeout(timer);
          if (exit === undefined) {
            process.kill(-(child.pid as number), 'SIGKILL');
            throw new Error(`did not end within 30 s of the signal: ${what()}`);
          }

          const message = exit.code === 128 + constants.signals[signal] && new RegExp(`^pausekit: interrupted by ${signal}\\b`, 'm').test(stderr);
          // Under strace the command's end is strace's: its exit code, or the same signal.
          expect(trial.ends === 'by the signal' ? exit.signal === signal : message, what()).toBe(true);
          expect(stderr, what()).not.toMatch(/\n\s+at .*:\d+:\d+\)?\n/);

          const left = await until('every process of the run is gone', () => {
            const alive = processesTagged(tag);
            return alive.length === 0 ? alive : undefined;
          }).catch(() => processesTagged(tag));
          expect(left, what()).toEqual([]);
          // The namespace's init, killed with its parent, may wait as a zombie for the host's init to reap it.
          const members = await until('the run\'s PID namespaces are empty', () => {
            const now = membersOf(namespaces);
            return now.length === 0 ? now : undefined;
          }).catch(() => membersOf(namespaces));
          expect(members, `members left in the run's PID namespaces; ${what()}`).toEqual([]);
          expect(mountsUnder(dir), what()).toEqual([]);
          expect(readdirSync(tmp), `files left in TMPDIR; ${what()}`).toEqual([]);
          expect(trial.outputs(out), what()).toBeNull();
          // The bench's build directory: no temporary directory of this run stays.
          const stray = await until('the benchmark build has no new temporary directory', () => {
            const now = benchTemps().filter((t) => !tempsBefore.has(t));
            return now.length === 0 ? now : undefined;
          }).catch(() => benchTemps().filter((t) => !tempsBefore.has(t)));
          expect(stray, what()).toEqual([]);
          rmSync(dir, { recursive: true, force: true });
        },
        60_000,
      );
    }
  }
});
