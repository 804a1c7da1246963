// Init mode on the kernel: pause exits with its program's status, for every
// exit code 0..255 and every signal that kills the program (128+N), and a
// program that cannot be exec'd gives 127 or 126 with one line naming it.
// Both designs, as PID 1 and as a plain process with -s. (The model's side
// is test/model/init-exit-status.test.ts.)
import { describe, expect, test } from 'vitest';
import { runKernel, type InitProgram } from '../../src/engines/kernel/engine.ts';
import { isFatalByDefault } from '../../src/scenario/load.ts';
import { SIGNALS, type Design, type InitConfig, type SignalName, type Step } from '../../src/scenario/types.ts';
import { DESIGNS } from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the init-mode exit status tests on the kernel', KERNEL);
const MODES = [{ pid1: true, subreaper: false, mode: 'PID 1' }, { pid1: false, subreaper: true, mode: 'a plain process with -s' }];
const KILLING = SIGNALS.filter((s): s is SignalName => s !== '' && isFatalByDefault(s) && !['SIGTSTP', 'SIGTTIN', 'SIGTTOU'].includes(s));
const init = (options: Partial<InitConfig>): InitConfig =>
  ({ name: 'app', exec: 'ok', group: false, subreaper: false, expect: [], reaps: true, ...options });
/** PAUSEKIT_INIT_UNDER_TEST runs these against a peer (tini) instead: the harness's own check. */
const program = (process.env['PAUSEKIT_INIT_UNDER_TEST'] ?? 'pause') as InitProgram;

async function last(pid1: boolean, config: InitConfig, steps: Step[], design: Design) {
  const observations = await runKernel({ version: 1, pid1, init: config, steps }, { design, init: program });
  return observations.at(-1)!;
}

describe.skipIf(skip)('pause in init mode on the kernel', () => {
  describe.each(DESIGNS)('%s design', (design) => {
    describe.each(MODES)('as $mode', ({ pid1, subreaper }) => {
      test('exits with the program\'s exit code, for every code 0..255', async () => {
        for (let code = 0; code <= 255; code++) {
          const end = await last(pid1, init({ subreaper }), [{ event: 'exit', name: 'app', code }], design);
          expect(end.pause, `exit ${code}`).toEqual({ state: 'exited', code });
          expect(end.processes['app']!.state, `exit ${code}`).toBe('gone');
        }
      }, 120_000);

      test('exits 128+N when signal N kills the program, for every signal that can', async () => {
        for (const signal of KILLING) {
          const end = await last(pid1, init({ subreaper }), [{ event: 'signal', target: 'app', signal, from: 'outside' }], design);
          expect(end.pause, signal).toEqual({ state: 'exited', code: 128 + SIGNALS.indexOf(signal) });
        }
      }, 60_000);

      test('turns an -e code into 0', async () => {
        const end = await last(pid1, init({ subreaper, expect: [143] }), [{ event: 'signal', target: 'pause', signal: 'SIGTERM', from: 'outside' }], design);
        expect(end.pause).toEqual({ state: 'exited', code: 0 });
      });

      test.each([
        ['missing', 127, "pause: cannot run 'pausekit-missing-program': No such file or directory"],
        ['not-executable', 126, "pause: cannot run 'pausekit-not-executable': Permission denied"],
      ] as const)('exits when exec fails (%s: %s) with one line naming the program', async (exec, code, line) => {
        const [start] = await runKernel({ version: 1, pid1, init: init({ subreaper, exec }), steps: [] }, { design, init: program });
        expect(start!.pause).toEqual({ state: 'exited', code });
        expect(start!.processes['app']).toEqual({ state: 'gone', parent: null });
        if (program === 'pause') expect(start!.stderr).toEqual([line]);
      });
    });
  });
});
