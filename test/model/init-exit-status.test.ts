// Init mode on the model: pause exits with its program's status, for every
// exit code 0..255 and every signal that kills the program (128+N), -e codes
// become 0, and a program that cannot be exec'd gives 127 or 126 with one
// line naming it. Both designs, as PID 1 and as a plain process with -s.
import { describe, expect, test } from 'vitest';
import { runModel } from '../../src/engines/model/engine.ts';
import { FORWARDED_SIGNALS, isFatalByDefault } from '../../src/scenario/load.ts';
import { DESIGNS, SIGNALS, type Design, type InitConfig, type Scenario, type SignalName, type Step } from '../../src/scenario/types.ts';

const MODES = [{ pid1: true, subreaper: false }, { pid1: false, subreaper: true }];
const init = (options: Partial<InitConfig> = {}): InitConfig =>
  ({ name: 'app', exec: 'ok', group: false, subreaper: false, expect: [], reaps: true, ...options });

/** Signals that kill a process with default dispositions (scenarios leave out TSTP, TTIN, TTOU). */
const KILLING = SIGNALS.filter((s): s is SignalName => s !== '' && isFatalByDefault(s) && !['SIGTSTP', 'SIGTTIN', 'SIGTTOU'].includes(s));

async function finalPause(scenario: Scenario, design: Design) {
  const observations = await runModel(scenario, { design });
  return observations.at(-1)!;
}

describe.each(DESIGNS)('pause in init mode on the model (%s design)', (design) => {
  describe.each(MODES)('as PID 1: $pid1', ({ pid1, subreaper }) => {
    test('exits with the program\'s exit code, for every code 0..255', async () => {
      for (let code = 0; code <= 255; code++) {
        const steps: Step[] = [{ event: 'exit', name: 'app', code }];
        const last = await finalPause({ version: 1, pid1, init: init({ subreaper }), steps }, design);
        expect(last.pause, `exit ${code}`).toEqual({ state: 'exited', code });
        expect(last.processes['app']!.state).toBe('gone');
      }
    });

    test('exits 128+N when signal N kills the program, for every signal that can', async () => {
      expect(KILLING.length).toBeGreaterThanOrEqual(20);
      for (const signal of KILLING) {
        const steps: Step[] = [{ event: 'signal', target: 'app', signal, from: 'outside' }];
        const last = await finalPause({ version: 1, pid1, init: init({ subreaper }), steps }, design);
        expect(last.pause, signal).toEqual({ state: 'exited', code: 128 + SIGNALS.indexOf(signal) });
      }
    });

    test('forwards every forwardable signal that kills, and exits 128+N', async () => {
      for (const signal of KILLING.filter((s) => FORWARDED_SIGNALS.has(s))) {
        const steps: Step[] = [{ event: 'signal', target: 'pause', signal, from: 'outside' }];
        const last = await finalPause({ version: 1, pid1, init: init({ subreaper }), steps }, design);
        expect(last.pause, signal).toEqual({ state: 'exited', code: 128 + SIGNALS.indexOf(signal) });
      }
    });

    test('turns each -e code into 0, and only those', async () => {
      const expect143 = init({ subreaper, expect: [143, 3] });
      const term: Step[] = [{ event: 'signal', target: 'pause', signal: 'SIGTERM', from: 'outside' }];
      expect((await finalPause({ version: 1, pid1, init: expect143, steps: term }, design)).pause).toEqual({ state: 'exited', code: 0 });
      for (const code of [3, 4, 143]) {
        const last = await finalPause({ version: 1, pid1, init: expect143, steps: [{ event: 'exit', name: 'app', code }] }, design);
        expect(last.pause, `exit ${code}`).toEqual({ state: 'exited', code: code === 4 ? 4 : 0 });
      }
      const hup: Step[] = [{ event: 'signal', target: 'pause', signal: 'SIGHUP', from: 'outside' }];
      expect((await finalPause({ version: 1, pid1, init: expect143, steps: hup }, design)).pause).toEqual({ state: 'exited', code: 129 });
    });

    test.each([
      ['missing', 127, "pause: cannot run 'pausekit-missing-program': No such file or directory"],
      ['not-executable', 126, "pause: cannot run 'pausekit-not-executable': Permission denied"],
    ] as const)('exits %s\'s code when exec fails (%s), with one line naming the program', async (exec, code, line) => {
      const [start] = await runModel({ version: 1, pid1, init: init({ subreaper, exec }), steps: [] }, { design });
      expect(start!.pause).toEqual({ state: 'exited', code });
      expect(start!.processes['app']).toEqual({ state: 'gone', parent: null });
      expect(start!.stderr).toEqual([line]);
    });
  });
});
