// The kernel engine: runs a scenario on the real Linux kernel. The native
// driver (native/driver/, build/native/pausekit-driver, or the package's
// prebuilt one) does the work: it
// makes the PID namespace, starts pause and the named processes, performs
// each step, settles by polling /proc, and answers with an observation block.
// This module turns steps into driver commands and blocks into Observations.
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PausekitError, checkArgument } from '../../errors.ts';
import {
  DIRECTORY_PROGRAM, MISSING_PROGRAM, NAME_TOO_LONG_PROGRAM, NOT_EXECUTABLE_PROGRAM, normalizeScenario,
} from '../../scenario/load.ts';
import {
  DESIGNS, signalNumber, type Design, type ExecOutcome, type Inherit, type InitConfig, type Observation, type ScenarioInput, type SignalName,
  type Step,
} from '../../scenario/types.ts';
import { parseBlock, parsePids } from './parse.ts';
import { remember } from '../provenance.ts';

/**
 * The checkout's own native build (npm run build), for this machine, or the
 * folder PAUSEKIT_NATIVE_DIR names (e.g. build/native/asan, the sanitizer
 * builds of `make -C native asan`, for `npm run test:asan`).
 */
export const NATIVE_DIR = nativeDir(process.env['PAUSEKIT_NATIVE_DIR']);

function nativeDir(override: string | undefined): string {
  if (override === undefined || override === '') return fileURLToPath(new URL('../../../build/native/', import.meta.url));
  const dir = resolve(override);
  return dir.endsWith(sep) ? dir : `${dir}${sep}`;
}

/**
 * The architectures the npm package carries prebuilt, static binaries for
 * (npm run build:prebuilt), each in build/native/<arch>/, named as OCI
 * platforms name them; keyed by Node's process.arch.
 */
export const PREBUILT_ARCHES: Readonly<Record<string, string>> = { x64: 'amd64', arm64: 'arm64' };

/**
 * A native program by name (pause-sigwait, pausekit-driver...): the
 * checkout's own build if there is one, else the package's prebuilt binary
 * for this machine's architecture. When neither exists, the checkout's path
 * (which the caller reports missing, with nativeMissing()).
 */
export function nativeProgram(name: string): string {
  const own = `${NATIVE_DIR}${name}`;
  if (existsSync(own)) return own;
  const arch = PREBUILT_ARCHES[process.arch];
  const prebuilt = arch === undefined ? undefined : `${NATIVE_DIR}${arch}/${name}`;
  return prebuilt !== undefined && existsSync(prebuilt) ? prebuilt : own;
}

/** Why a native program is not there, and what to do. */
export function nativeMissing(name: string): string {
  const arch = PREBUILT_ARCHES[process.arch];
  if (arch === undefined) {
    return `no prebuilt ${name} for ${process.arch} (the package carries linux ${Object.values(PREBUILT_ARCHES).join(' and ')}); ` +
      `build pausekit from source ('npm run build' in a checkout)`;
  }
  return `${NATIVE_DIR}${name} is missing: run 'npm run build'`;
}

/** The kernel engine's helper: native/driver/, static in the package. */
export const DRIVER = nativeProgram('pausekit-driver');

/** The native pause binary of a design (build/native/pause-<design>). */
export function pauseBinary(design: Design = 'sigwait'): string {
  checkArgument(DESIGNS.includes(design), 'pauseBinary(design): design', `one of ${DESIGNS.join(', ')}`, design);
  return nativeProgram(`pause-${design}`);
}

export type KernelAvailability = { ok: true; mode: 'root' | 'userns' } | { ok: false; reason: string };

let availability: KernelAvailability | undefined;

/** Can this machine run kernel scenarios (a PID namespace, the built driver)? Cached. */
export function kernelAvailability(): KernelAvailability {
  if (availability !== undefined) return availability;
  if (process.platform !== 'linux') {
    availability = { ok: false, reason: `kernel scenarios need Linux (this is ${process.platform})` };
  } else if (!existsSync(DRIVER)) {
    availability = { ok: false, reason: nativeMissing('pausekit-driver') };
  } else {
    const probe = spawnSync(DRIVER, ['--probe'], { encoding: 'utf8', timeout: 10_000 });
    const answer = (probe.stdout ?? '').trim();
    if (answer === 'ok root' || answer === 'ok userns') {
      availability = { ok: true, mode: answer === 'ok root' ? 'root' : 'userns' };
    } else {
      const reason = answer.startsWith('no ') ? answer.slice(3) : `probe failed: ${answer || probe.error?.message || 'no answer'}`;
      availability = { ok: false, reason };
    }
  }
  return availability;
}

/** Which init runs an init-mode scenario's program: pausekit's pause, or a peer. */
export const INIT_PROGRAMS = ['pause', 'tini', 'dumb-init', 'catatonit'] as const;
export type InitProgram = (typeof INIT_PROGRAMS)[number];

/**
 * Each init's command line for a scenario's init options and the program's
 * argv. pause and tini take -s, -g and -e (docs/init.md); dumb-init has no
 * subreaper or exit-code option and signals the program's session unless
 * --single-child; catatonit has -g and nothing for -s or -e.
 */
export const INIT_COMMANDS: Record<InitProgram, (binary: string, init: InitConfig, program: string[]) => string[]> = {
  pause: (binary, init, program) => [binary, ...(init.group ? ['-g'] : []), ...(init.subreaper ? ['-s'] : []),
    ...init.expect.flatMap((code) => ['-e', String(code)]), '--', ...program],
  tini: (binary, init, program) => [binary, ...(init.subreaper ? ['-s'] : []), ...(init.group ? ['-g'] : []),
    ...init.expect.flatMap((code) => ['-e', String(code)]), '--', ...program],
  'dumb-init': (binary, init, program) => [binary, ...(init.group ? [] : ['--single-child']), ...program],
  catatonit: (binary, init, program) => [binary, ...(init.group ? ['-g'] : []), '--', ...program],
};

/** The first executable `name` on PATH, or undefined. */
export function findOnPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(':')) {
    if (dir === '') continue;
    const file = `${dir}/${name}`;
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The name of each program exec cannot run (the driver makes the PATH that fails). */
const FAILING_PROGRAMS: Record<Exclude<ExecOutcome, 'ok'>, string> = {
  missing: MISSING_PROGRAM, 'not-executable': NOT_EXECUTABLE_PROGRAM, directory: DIRECTORY_PROGRAM, 'name-too-long': NAME_TOO_LONG_PROGRAM,
};

/** The program's argv for an init: the driver as a named process, or a name exec cannot run. */
function programArgv(init: InitConfig): string[] {
  if (init.exec !== 'ok') return [FAILING_PROGRAMS[init.exec]];
  return [DRIVER, '--named', '3', init.reaps ? '1' : '0'];
}

/** The driver's --ignore and --block for what pause is started with. */
function inheritArgs(inherit: Inherit | undefined): string[] {
  if (inherit === undefined) return [];
  const list = (signals: readonly SignalName[]) => signals.map((s) => signalNumber(s)).join(',');
  return [
    ...(inherit.ignored.length > 0 ? ['--ignore', list(inherit.ignored)] : []),
    ...(inherit.blocked.length > 0 ? ['--block', list(inherit.blocked)] : []),
  ];
}

/** The executable for an init: the design's pause, a peer found on PATH, or `binary`. */
function initBinary(program: InitProgram, design: Design, binary: string | undefined): string {
  if (binary !== undefined) return binary;
  if (program === 'pause') return pauseBinary(design);
  const found = findOnPath(program);
  if (found === undefined) {
    throw new PausekitError(`${program} is not installed (not on PATH): install it (apt-get install ${program}) or pass its path`, {
      kind: 'unavailable', value: program,
    });
  }
  return found;
}

export interface KernelOptions {
  design: Design;
  /** Another pause binary, e.g. build/native/mutants/pause-sigwait-REAP_ONCE (or the init's, with `init`). */
  binary?: string;
  /** Init mode: which init runs the program (default pause). */
  init?: InitProgram;
  /** How long one step may take to settle before it counts as a livelock. */
  settleTimeoutMs?: number;
  /** A command to run the driver under, e.g. valgrind and its options. */
  driverPrefix?: string[];
}

export const DEFAULT_SETTLE_TIMEOUT_MS = 2000;

/** One driver process, read block by block (lines up to "end"). */
class Driver {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private blocks: string[][] = [];
  private current: string[] = [];
  private waiting: ((block: string[] | Error) => void) | undefined;
  private failure: Error | undefined;
  private stderr = '';
  readonly closed: Promise<void>;

  constructor(args: string[], prefix: string[] = []) {
    const [command, ...rest] = [...prefix, DRIVER, ...args] as [string, ...string[]];
    this.child = spawn(command, rest, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.take(chunk));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    // A closed stdin (the driver died) must not crash the runner.
    this.child.stdin.on('error', () => {});
    this.closed = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.fail(new PausekitError(
          `kernel driver ended unexpectedly (${signal ?? `exit ${code}`})${this.stderr ? `: ${this.stderr.trim()}` : ''}`,
          { kind: 'driver' },
        ));
        resolve();
      });
      this.child.on('error', (error) => {
        this.fail(new PausekitError(`cannot start the kernel driver ${DRIVER}: ${error.message}`, { kind: 'driver' }));
        resolve();
      });
    });
  }

  private take(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      if (line === 'end') {
        this.blocks.push(this.current);
        this.current = [];
      } else {
        this.current.push(line);
      }
    }
    this.deliver();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.deliver();
  }

  private deliver(): void {
    if (this.waiting === undefined) return;
    const block = this.blocks.shift();
    if (block !== undefined || this.failure !== undefined) {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting(block ?? (this.failure as Error));
    }
  }

  /** The next observation block (or the driver's death). */
  next(): Promise<string[]> {
    return new Promise((resolve, reject) => {
      this.waiting = (block) => (block instanceof Error ? reject(block) : resolve(block));
      this.deliver();
    });
  }

  send(command: string): void {
    this.child.stdin.write(`${command}\n`);
  }

  /**
   * Ask the driver to clean up and wait until it (and all it started) is
   * gone. A driver that was well until now must then exit 0: anything else
   * (a sanitizer's report, valgrind's error exit code) is an error.
   */
  async stop(): Promise<void> {
    const wellUntilNow = this.failure === undefined;
    this.child.stdin.end();
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.closed;
    clearTimeout(killer);
    const { exitCode, signalCode } = this.child;
    if (wellUntilNow && (exitCode !== 0 || signalCode !== null)) {
      throw new PausekitError(
        `kernel driver ended with ${signalCode ?? `exit ${exitCode}`} at its close${this.stderr ? `: ${this.stderr.trim()}` : ''}`,
        { kind: 'driver' },
      );
    }
  }
}

function command(step: Step): string {
  switch (step.event) {
    case 'spawn':
      return `spawn ${step.name} ${step.parent} ${step.reaps ? 1 : 0}`;
    case 'exit':
      return `exit ${step.name} ${step.code}`;
    case 'signal':
      return `kill ${step.from} ${step.target} ${signalNumber(step.signal)}`;
    case 'subreaper':
      return `subreaper ${step.name}`;
    case 'disposition':
      return `disposition ${step.name} ${signalNumber(step.signal)} ${step.action}`;
  }
}

function describe(step: Step, index: number): string {
  const what = step.event === 'signal' ? `signal ${step.target} ${step.signal} from ${step.from}`
    : step.event === 'spawn' ? `spawn ${step.name} (parent ${step.parent})`
    : step.event === 'exit' ? `exit ${step.name} ${step.code}`
    : step.event === 'disposition' ? `${step.name} ${step.action} ${step.signal}` : `subreaper ${step.name}`;
  return `step ${index} (${what})`;
}

/**
 * One scenario in progress on the kernel: start it, feed it steps, look at
 * the host pids (tests inspect /proc with them), close it. runKernel is the
 * usual way in; tests use sessions for what observations do not show.
 */
export class KernelSession {
  private constructor(
    private readonly driver: Driver,
    private readonly settleTimeoutMs: number,
    /** The observation right after pause started (step -1). */
    readonly start: Observation,
  ) {}

  static async open(options: KernelOptions & { pid1: boolean; scenarioInit?: InitConfig; inherit?: Inherit }): Promise<KernelSession> {
    const available = kernelAvailability();
    if (!available.ok) throw new PausekitError(`cannot run on the kernel: ${available.reason}`, { kind: 'unavailable' });
    const init = options.scenarioInit;
    const program = options.init ?? 'pause';
    if (init === undefined && program !== 'pause') {
      throw new PausekitError(`the init ${program} needs a scenario in init mode (with an "init" object)`, { field: 'init', value: program });
    }
    const binary = init === undefined ? options.binary ?? pauseBinary(options.design) : initBinary(program, options.design, options.binary);
    if (!existsSync(binary)) {
      const why = options.binary !== undefined ? `${program === 'pause' ? 'pause binary' : program} ${binary} is missing`
        : program === 'pause' ? nativeMissing(`pause-${options.design}`)
        : `${program} ${binary} is missing`;
      throw new PausekitError(`cannot run on the kernel: ${why}`, { kind: 'unavailable', value: binary });
    }
    const settleTimeoutMs = options.settleTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS;
    const common = ['--mode', options.pid1 ? 'pid1' : 'plain', '--settle-ms', String(settleTimeoutMs), ...inheritArgs(options.inherit)];
    const driver = new Driver(init === undefined
      ? ['--pause', binary, ...common]
      : [...common, '--init-program', init.name, init.exec, '--', ...INIT_COMMANDS[program](binary, init, programArgv(init))],
    options.driverPrefix);
    try {
      return new KernelSession(driver, settleTimeoutMs, parseBlock(await driver.next(), -1, settleTimeoutMs, 'start'));
    } catch (error) {
      await driver.stop().catch(() => {});
      throw error;
    }
  }

  /** Performs one (validated) step, lets it settle, and observes. */
  async step(step: Step, index: number): Promise<Observation> {
    this.driver.send(command(step));
    return parseBlock(await this.driver.next(), index, this.settleTimeoutMs, describe(step, index));
  }

  /** Host pids of "outside", "pause" and every named process not yet reaped. */
  async pids(): Promise<Record<string, number>> {
    this.driver.send('pids');
    return parsePids(await this.driver.next());
  }

  /** Kills whatever is left (pause's namespace) and waits until it is all gone. */
  close(): Promise<void> {
    return this.driver.stop();
  }
}

/**
 * Runs a validated scenario on the kernel and returns one observation for
 * the start (step -1) and one per step. A step that cannot run is a
 * PausekitError whose details.observations are those made before it.
 */
export async function runKernel(input: ScenarioInput, options: KernelOptions = { design: 'sigwait' }): Promise<Observation[]> {
  const scenario = normalizeScenario(input);
  const session = await KernelSession.open({ ...options, pid1: scenario.pid1, scenarioInit: scenario.init, inherit: scenario.inherit });
  const observations = [session.start];
  try {
    for (const [index, step] of scenario.steps.entries()) observations.push(await session.step(step, index));
  } catch (error) {
    // The step's error is the news; the driver's close cannot add to it.
    await session.close().catch(() => {});
    throw stepFailed(error, scenario.pid1, observations, options);
  }
  await session.close();
  return remember(observations, { scenario, engine: 'kernel', design: options.design, init: options.init });
}

/**
 * A step's error, with the observations made before it; and, where the
 * init (pause, or a peer in its place) had already ended its PID
 * namespace, that said first: the step's processes went with it.
 */
function stepFailed(error: unknown, pid1: boolean, observations: Observation[], options: KernelOptions): unknown {
  if (!(error instanceof PausekitError)) return error;
  const ended = observations.find((o) => o.pause.state === 'exited' || o.pause.state === 'killed');
  const details = { ...error.details, observations };
  if (!pid1 || ended === undefined || error.details['kind'] !== 'driver') return new PausekitError(error.message, details, error.exitCode);
  const who = options.binary ?? options.init ?? 'pause';
  const how = ended.pause.state === 'exited' ? `exited with code ${ended.pause.code}` : `was killed by ${(ended.pause as { signal: string }).signal}`;
  const when = ended.step < 0 ? 'at its start' : `at step ${ended.step}`;
  return new PausekitError(`the init (${who}) ${how} ${when} and took its PID namespace with it: ${error.message}`, details, error.exitCode);
}
