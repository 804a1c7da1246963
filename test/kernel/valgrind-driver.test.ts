// The kernel driver under valgrind (memcheck, every leak kind, errors exit
// 99): a few example scenarios, on every design, run to
// the end with the same observations as without valgrind, and the driver
// closes cleanly (KernelSession.close fails on any other exit). The driver
// forks the named processes (they run its code, under valgrind too) and
// execs pause (not traced: --trace-children=no). valgrind runs the driver
// linked dynamically (build/native/dynamic/): the usual one is static, and
// valgrind cannot replace a static program's allocator.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { nativeProgram, runKernel } from '../../src/engines/kernel/engine.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { DESIGNS } from '../../src/scenario/types.ts';
import { cannotRun, commands, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the driver under valgrind', KERNEL, commands(['valgrind'], 'Debian: apt-get install valgrind'));

const VALGRIND = ['valgrind', '--quiet', '--error-exitcode=99', '--leak-check=full', '--show-leak-kinds=all',
  '--errors-for-leak-kinds=all', '--trace-children=no', '--child-silent-after-fork=yes'];
/** The driver linked dynamically: valgrind cannot follow a static program's allocator. */
const DRIVER = nativeProgram('dynamic/pausekit-driver');
const EXAMPLES = ['seed-story', 'orphan-reaping', 'coalesced-sigchld', 'stop-continue', 'plain-mode'];
const examples = (name: string) => fileURLToPath(new URL(`../../src/scenario/examples/${name}`, import.meta.url));

describe.skipIf(skip)('the kernel driver under valgrind', () => {
  it('has its dynamically linked driver built', () => {
    expect(existsSync(DRIVER), `${DRIVER} is missing: run npm run build`).toBe(true);
  });

  for (const name of EXAMPLES) {
    for (const design of DESIGNS) {
      it(`runs ${name}.json (${design} design) with no memory error or leak, and observes what it observes without`, async () => {
        const scenario = loadScenario(examples(`${name}.json`));
        const own = examples(`${name}.expected.${design}.json`);
        const expected = JSON.parse(readFileSync(existsSync(own) ? own : examples(`${name}.expected.json`), 'utf8')) as unknown;
        const observations = await runKernel(scenario, { design, driverPrefix: VALGRIND, driver: DRIVER, settleTimeoutMs: 10_000 });
        expect(observations).toEqual(expected);
      });
    }
  }
});
