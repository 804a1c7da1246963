// The kernel engine: runs a scenario on the real Linux kernel. The native
// driver (native/driver/, build/native/pausekit-driver, or the package's
// prebuilt one) does the work: it
// makes the PID namespace, starts pause and the named processes, performs
// each step, settles by polling /proc, and answers with an observation block.
// This module turns steps into driver commands and blocks into Observations.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { PausekitError } from '../../errors.ts';
import {
  DIRECTORY_PROGRAM, MISSING_PROGRAM, NAME_TOO_LONG_PROGRAM, NOT_EXECUTABLE_PROGRAM, normalizeScenario,
} from '../../scenario/load.ts';
import {
  signalNumber, type Design, type ExecOutcome, type Inherit, type InitConfig, type Observation, type Scenario, type ScenarioInput,
  type SignalName, type Step,
} from '../../scenario/types.ts';
import { DRIVER, findOnPath, nativeMissing, pauseBinary } from './binaries.ts';
import { DriverProcess, type Channel, type DriverServer } from './driver.ts';
import { parseBlock, parsePids } from './parse.ts';
import { remember } from '../provenance.ts';

export { DRIVER, NATIVE_DIR, PREBUILT_ARCHES, findOnPath, nativeMissing, nativeProgram, pauseBinary } from './binaries.ts';

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
  /** Init mode: any init instead, as its command line for the scenario's options and the program's argv. */
  initCommand?: (init: InitConfig, program: string[]) => string[];
  /** How long one step may take to settle before it counts as a livelock. */
  settleTimeoutMs?: number;
  /** A command to run the driver under, e.g. valgrind and its options. */
  driverPrefix?: string[];
  /** Another driver binary, e.g. the dynamically linked one valgrind can follow (build/native/dynamic/). */
  driver?: string;
}

export const DEFAULT_SETTLE_TIMEOUT_MS = 2000;

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

/** What a session plays: the options, where pause runs, and the scenario's init mode. */
type SessionOptions = KernelOptions & { pid1: boolean; scenarioInit?: InitConfig; inherit?: Inherit };

/**
 * The pause binary (or the init's) a session runs, once the machine and
 * the options are known to allow it: a PausekitError says why not.
 */
function checkedBinary(options: SessionOptions): string {
  const available = kernelAvailability();
  if (!available.ok) throw new PausekitError(`cannot run on the kernel: ${available.reason}`, { kind: 'unavailable' });
  const init = options.scenarioInit;
  const program = options.init ?? 'pause';
  if (init === undefined && (program !== 'pause' || options.initCommand !== undefined)) {
    throw new PausekitError(`the init ${options.initCommand !== undefined ? 'command' : program} needs a scenario in init mode (with an "init" object)`, { field: 'init', value: program });
  }
  const binary = init === undefined ? options.binary ?? pauseBinary(options.design) : initBinary(program, options.design, options.binary);
  if (!(init !== undefined && options.initCommand !== undefined) && !existsSync(binary)) {
    const why = options.binary !== undefined ? `${program === 'pause' ? 'pause binary' : program} ${binary} is missing`
      : program === 'pause' ? nativeMissing(`pause-${options.design}`)
      : `${program} ${binary} is missing`;
    throw new PausekitError(`cannot run on the kernel: ${why}`, { kind: 'unavailable', value: binary });
  }
  return binary;
}

/** The driver's command line for a session (main.c); stopAtError: its steps come all at once. */
function driverArgs(options: SessionOptions, binary: string, settleTimeoutMs: number, stopAtError: boolean): string[] {
  const init = options.scenarioInit;
  const common = [
    '--mode', options.pid1 ? 'pid1' : 'plain', '--settle-ms', String(settleTimeoutMs), ...(stopAtError ? ['--stop-at-error'] : []),
    ...inheritArgs(options.inherit),
  ];
  if (init === undefined) return ['--pause', binary, ...common];
  const line = options.initCommand?.(init, programArgv(init)) ?? INIT_COMMANDS[options.init ?? 'pause'](binary, init, programArgv(init));
  return [...common, '--init-program', init.name, init.exec, '--', ...line];
}

/**
 * One scenario in progress on the kernel: start it, feed it steps, look at
 * the host pids (tests inspect /proc with them), close it. runKernel is the
 * usual way in; tests use sessions for what observations do not show.
 */
export class KernelSession {
  /** Its steps were sent at once (openWithSteps). */
  private sent = false;

  private constructor(
    private readonly driver: Channel,
    private readonly settleTimeoutMs: number,
    /** The observation right after pause started (step -1). */
    readonly start: Observation,
  ) {}

  /**
   * Starts pause (or, for a scenario in init mode, the init and its
   * program) in a fresh PID namespace: in a driver of its own, or in a
   * session of `server` (a KernelPool's), which must have none open.
   */
  static async open(options: SessionOptions, server?: DriverServer): Promise<KernelSession> {
    const binary = checkedBinary(options);
    const settleTimeoutMs = options.settleTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS;
    const args = driverArgs(options, binary, settleTimeoutMs, false);
    const driver = server === undefined ? new DriverProcess(args, options.driverPrefix, options.driver) : server.session(args);
    return KernelSession.started(driver, settleTimeoutMs);
  }

  /** The session once the driver's first block (pause started) is in; closed if that is an error. */
  private static async started(driver: Channel, settleTimeoutMs: number): Promise<KernelSession> {
    try {
      return new KernelSession(driver, settleTimeoutMs, parseBlock(await driver.next(), -1, settleTimeoutMs, 'start'));
    } catch (error) {
      await driver.stop().catch(() => {});
      throw error;
    }
  }

  /**
   * A session on `server` with every step sent at once, and its end: the
   * driver plays them one after the other (giving the rest up at the first
   * error) while the blocks come back. step() then sends nothing, and
   * pids() cannot be asked.
   */
  static async openWithSteps(options: SessionOptions, server: DriverServer, steps: readonly Step[]): Promise<KernelSession> {
    const binary = checkedBinary(options);
    const settleTimeoutMs = options.settleTimeoutMs ?? DEFAULT_SETTLE_TIMEOUT_MS;
    const driver = server.session(driverArgs(options, binary, settleTimeoutMs, true), [...steps.map(command), 'quit']);
    const session = await KernelSession.started(driver, settleTimeoutMs);
    session.sent = true;
    return session;
  }

  /** Performs one (validated) step, lets it settle, and observes. */
  async step(step: Step, index: number): Promise<Observation> {
    if (!this.sent) this.driver.send(command(step));
    return parseBlock(await this.driver.next(), index, this.settleTimeoutMs, describe(step, index));
  }

  /** Host pids of "outside", "pause" and every named process not yet reaped. */
  async pids(): Promise<Record<string, number>> {
    if (this.sent) throw new PausekitError('pids(): a session whose steps were sent at once cannot be asked for pids', { kind: 'driver' });
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
  return await playOnKernel(normalizeScenario(input), options);
}

/**
 * Plays a scenario (normalized) on the kernel: in a driver of its own, or
 * in a session of `server`. runKernel, and KernelPool for each scenario.
 */
export async function playOnKernel(scenario: Scenario, options: KernelOptions, server?: DriverServer): Promise<Observation[]> {
  const session = server === undefined
    ? await KernelSession.open({ ...options, pid1: scenario.pid1, scenarioInit: scenario.init, inherit: scenario.inherit })
    : await KernelSession.openWithSteps({ ...options, pid1: scenario.pid1, scenarioInit: scenario.init, inherit: scenario.inherit }, server, scenario.steps);
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
