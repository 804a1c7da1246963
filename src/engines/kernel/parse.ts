// The kernel driver's answers, parsed strictly: one block of lines (up to
// "end") into an Observation, or into the error it reports. The driver and
// this module are two halves of one protocol (native/driver/main.c writes
// it down, observe.c prints the blocks): a line, a state or a field this
// side does not know is an error that quotes the line, never a default.
import { PausekitError } from '../../errors.ts';
import { SIGNALS, type Observation, type PauseObservation, type ProcessState, type SignalName } from '../../scenario/types.ts';

const PROCESS_STATES: readonly ProcessState[] = ['running', 'stopped', 'zombie', 'gone'];

/** Where a block is read: the step it answers and how it is named in messages. */
interface Place {
  step: number;
  what: string;
}

/** The kernel engine's error for a line of the driver it cannot take. */
function refused(place: Place, line: string, why: string): PausekitError {
  return new PausekitError(`${place.what}: kernel driver sent ${why}: ${JSON.stringify(line)}`, {
    engine: 'kernel', kind: 'driver', step: place.step, line,
  });
}

/** A whole decimal number, or undefined (Number() would take "", "1e3" or "0x1"). */
function integer(text: string | undefined): number | undefined {
  return text !== undefined && /^(0|[1-9][0-9]*)$/.test(text) ? Number(text) : undefined;
}

/** A signal's name by number, or undefined for a number no signal has. */
function signalName(number: number | undefined): SignalName | undefined {
  const name = number === undefined ? undefined : SIGNALS[number];
  return name === undefined || name === '' ? undefined : name;
}

/** "pause running | stopped | exited CODE | killed SIGNUM". */
function pauseLine(fields: string[], place: Place, line: string): PauseObservation {
  const [state, value, ...extra] = fields;
  if (extra.length > 0) throw refused(place, line, 'a pause line with fields it does not have');
  if (state === 'running' || state === 'stopped') {
    if (value !== undefined) throw refused(place, line, `a value on a pause line that has none (${state})`);
    return { state };
  }
  if (state === 'exited') {
    const code = integer(value);
    if (code === undefined || code > 255) throw refused(place, line, 'an exit code that is not one');
    return { state, code };
  }
  if (state === 'killed') {
    const signal = signalName(integer(value));
    if (signal === undefined) throw refused(place, line, 'a signal number no signal has');
    return { state, signal };
  }
  throw refused(place, line, 'an unknown pause state');
}

/** "proc NAME STATE PARENT|- [caught=N,N...]" into the observation's processes. */
function procLine(fields: string[], place: Place, line: string, observation: Observation): void {
  const [name, state, parent, caught, ...extra] = fields;
  if (name === undefined || name === '' || parent === undefined || extra.length > 0) {
    throw refused(place, line, 'a process line without NAME STATE PARENT, or with more');
  }
  if (Object.hasOwn(observation.processes, name)) throw refused(place, line, `a second line for ${name}`);
  if (!PROCESS_STATES.includes(state as ProcessState)) throw refused(place, line, 'an unknown process state');
  if (parent === '?') throw refused(place, line, `a parent of ${name} nobody knows`);
  if ((state === 'gone') !== (parent === '-')) throw refused(place, line, 'a parent "-" for a process that is not gone, or a parent for one that is');
  observation.processes[name] = { state: state as ProcessState, parent: state === 'gone' ? null : parent };
  if (caught === undefined) return;
  if (!caught.startsWith('caught=')) throw refused(place, line, 'an unknown field on a process line');
  const numbers = caught === 'caught=' ? [] : caught.slice('caught='.length).split(',').map((text) => signalName(integer(text)));
  if (numbers.includes(undefined)) throw refused(place, line, 'a caught signal that is not a signal number');
  observation.processes[name].caught = numbers as SignalName[];
}

/** "stderr HEX": pause's new stderr, as lines. */
function stderrLine(fields: string[], place: Place, line: string): string[] {
  const [hex, ...extra] = fields;
  if (hex === undefined || extra.length > 0 || !/^([0-9a-f]{2})*$/.test(hex)) throw refused(place, line, 'a stderr line that is not one hex string');
  const text = Buffer.from(hex, 'hex').toString('utf8');
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

/** "error livelock" or "error MESSAGE": the driver could not carry out the step. */
function driverError(fields: string[], place: Place, settleTimeoutMs: number): PausekitError {
  const message = fields.join(' ');
  if (message === 'livelock') {
    return new PausekitError(
      `${place.what}: the processes did not settle within ${settleTimeoutMs} ms (livelock: something keeps running)`,
      { engine: 'kernel', kind: 'livelock', step: place.step, settleTimeoutMs },
    );
  }
  return new PausekitError(`${place.what}: kernel driver: ${message}`, { engine: 'kernel', kind: 'driver', step: place.step });
}

/**
 * Turn one driver block into an Observation, or throw its error: the
 * driver's own ("error ..."), or the kernel engine's for a line it does not
 * know. A block has one pause line, a proc line per process and one stderr
 * line.
 */
export function parseBlock(block: string[], step: number, settleTimeoutMs: number, what: string): Observation {
  const place = { step, what };
  let pause: PauseObservation | undefined;
  let stderr: string[] | undefined;
  const observation: Observation = { step, pause: { state: 'running' }, processes: {}, stderr: [] };
  for (const line of block) {
    const [kind, ...fields] = line.split(' ');
    if (kind === 'error') throw driverError(fields, place, settleTimeoutMs);
    if (kind === 'pause') {
      if (pause !== undefined) throw refused(place, line, 'a second pause line');
      pause = pauseLine(fields, place, line);
    } else if (kind === 'proc') {
      procLine(fields, place, line, observation);
    } else if (kind === 'stderr') {
      if (stderr !== undefined) throw refused(place, line, 'a second stderr line');
      stderr = stderrLine(fields, place, line);
    } else {
      throw refused(place, line, 'an unknown kind of line');
    }
  }
  const last = block.at(-1) ?? '';
  if (pause === undefined) throw refused(place, last, 'a block without its pause line');
  if (stderr === undefined) throw refused(place, last, 'a block without its stderr line');
  return { ...observation, pause, stderr };
}

/** The answer to "pids": "pid NAME PID" lines, one per living process and outside. */
export function parsePids(block: string[]): Record<string, number> {
  const pids: Record<string, number> = {};
  for (const line of block) {
    const [kind, name, pid, ...extra] = line.split(' ');
    const number = integer(pid);
    if (kind !== 'pid' || name === undefined || number === undefined || extra.length > 0) {
      throw refused({ step: -1, what: 'pids' }, line, 'a line that is not "pid NAME PID"');
    }
    pids[name] = number;
  }
  return pids;
}
