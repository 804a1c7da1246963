// The kernel driver's answers, parsed: one block of lines (up to "end")
// into an Observation, or into the error it reports.
import { PausekitError } from '../../errors.ts';
import { SIGNALS, type Observation, type PauseObservation, type ProcessState, type SignalName } from '../../scenario/types.ts';

function signalName(number: number): SignalName {
  const name = SIGNALS[number];
  if (name === undefined || name === '') throw new PausekitError(`kernel driver reported unknown signal ${number}`, { value: number });
  return name;
}

/** Turn one driver block into an Observation (or throw its error). */
export function parseBlock(block: string[], step: number, settleTimeoutMs: number, what: string): Observation {
  const observation: Observation = { step, pause: { state: 'running' }, processes: {}, stderr: [] };
  for (const line of block) {
    const [kind, ...fields] = line.split(' ');
    if (kind === 'error') {
      const message = fields.join(' ');
      if (message === 'livelock') {
        throw new PausekitError(
          `${what}: the processes did not settle within ${settleTimeoutMs} ms (livelock: something keeps running)`,
          { kind: 'livelock', step, settleTimeoutMs },
        );
      }
      throw new PausekitError(`${what}: kernel driver: ${message}`, { kind: 'driver', step });
    } else if (kind === 'pause') {
      const [state, value] = fields;
      let pause: PauseObservation;
      if (state === 'exited') pause = { state: 'exited', code: Number(value) };
      else if (state === 'killed') pause = { state: 'killed', signal: signalName(Number(value)) };
      else if (state === 'stopped') pause = { state: 'stopped' };
      else pause = { state: 'running' };
      observation.pause = pause;
    } else if (kind === 'proc') {
      const [name, state, parent, caught] = fields as [string, ProcessState, string, string | undefined];
      if (parent === '?') throw new PausekitError(`${what}: kernel driver: ${name} has a parent nobody knows`, { kind: 'driver', step });
      observation.processes[name] = { state, parent: state === 'gone' ? null : parent };
      if (caught?.startsWith('caught=')) {
        const numbers = caught.slice(7) === '' ? [] : caught.slice(7).split(',').map(Number);
        observation.processes[name].caught = numbers.map(signalName);
      }
    } else if (kind === 'stderr') {
      const text = Buffer.from(fields[0] ?? '', 'hex').toString('utf8');
      observation.stderr = text === '' ? [] : text.replace(/\n$/, '').split('\n');
    }
  }
  return observation;
}
