// `pausekit conform` on pausekit's own pause: each design passes every row
// with nothing declared, as an init (with its -g, -s and -e templates) and
// as a sandbox pause; and each catalogued bug compiled into it (the builds
// of build/native/mutants/) is reported as a difference, undeclared, with
// the scenario that shows it saved for `pausekit run` to replay. Init mode's
// bugs are hunted with --init, the reference mode's with --pause. In CI the
// mutants run on the sigwait design only; PAUSEKIT_CONFORM_DESIGNS=all runs
// every design.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { conform } from '../../src/check/conform.ts';
import { initCommand } from '../../src/check/conform-command.ts';
import { NATIVE_DIR, pauseBinary } from '../../src/engines/kernel/engine.ts';
import { mutantMode, MUTANTS, type Mutant } from '../../src/engines/model/wasm.ts';
import { DESIGNS, type Design } from '../../src/scenario/types.ts';
import '../../src/vitest.ts';
import { cannotRun, commands, KERNEL } from '../support/gate.ts';
import { SEED } from '../support/property.ts';

const RUNS = Number(process.env['PAUSEKIT_CONFORM_RUNS'] ?? 5);
const MUTANT_DESIGNS: readonly Design[] = process.env['PAUSEKIT_CONFORM_DESIGNS'] === 'all' ? DESIGNS : ['sigwait'];
const skip = cannotRun('pausekit conform on pause and its mutants', KERNEL, commands(['strace']));
const OUT = mkdtempSync(join(tmpdir(), 'pausekit-conform-mutants-'));
afterAll(() => rmSync(OUT, { recursive: true, force: true }));

/** pause as conform takes an init: its command line and the templates of -g, -s and -e. */
const asInit = (binary: string) => initCommand(`${binary} --`, { 'group-flag': '-g', 'subreaper-flag': '-s', 'expect-flag': '-e {code}' });

/** The row each bug must show in (more may differ too). */
const ROW: Record<'init' | 'reference', Partial<Record<Mutant, string>>> = {
  init: { FORWARD_NOTHING: 'SIGUSR1', EXIT_ZERO: 'exit-code', SIGNAL_AS_CODE: 'killed-by-signal', FORWARD_CHLD: 'SIGCHLD', EXIT_EARLY: 'orphans',
    REAP_ONCE: 'orphans', REAP_ECHILD: 'orphans' },
  reference: { REAP_ONCE: 'reaping', NO_CHLD: 'reaping', NO_TERM: 'shutdown', WRONG_CODE: 'shutdown', REAP_ECHILD: 'reaping' },
};

describe.skipIf(skip)('pausekit conform', () => {
  test.each(DESIGNS)(`passes pause's %s design with nothing declared, as an init and as a sandbox pause (seed ${SEED})`, async (design) => {
    for (const report of [await conform({ init: asInit(pauseBinary(design)), runs: RUNS, seed: SEED }), await conform({ pause: pauseBinary(design), runs: RUNS, seed: SEED })]) {
      expect(report).toConform();
      expect(report.rows.filter((r) => r.result !== 'passes').map((r) => `${r.id}: ${r.result}`), report.subject).toEqual([]);
    }
  }, 120_000);

  // Init mode's bugs, and the waitpid drain's (REAP_ONCE, REAP_ECHILD), which init mode has in every design, with --init;
  // the reference mode's with --pause where the design has them there (autoreap lets the kernel reap).
  const cases = MUTANT_DESIGNS.flatMap((design) => [
    ...MUTANTS.filter((m) => ROW.init[m] !== undefined).map((mutant) => [design, mutant, 'init'] as const),
    ...MUTANTS.filter((m) => ROW.reference[m] !== undefined && mutantMode(m, design) === 'reference').map((mutant) => [design, mutant, 'reference'] as const),
  ]);
  test.each(cases)(`reports the %s design's mutant %s (%s mode) as a difference, with its scenario saved (seed ${SEED})`, async (design, mutant, mode) => {
    const binary = join(NATIVE_DIR, 'mutants', `pause-${design}-${mutant}`);
    expect(existsSync(binary), `${binary} is missing: run npm run build`).toBe(true);
    const out = join(OUT, `${design}-${mutant}`);
    const report = await conform({ ...(mode === 'init' ? { init: asInit(binary) } : { pause: binary }), runs: RUNS, seed: SEED, out });
    expect(report).not.toConform();
    const row = report.rows.find((r) => r.id === ROW[mode][mutant]);
    expect(row?.result, `${mutant}: the ${ROW[mode][mutant]} row`).toBe('differs');
    expect(report.undeclared).toContain(row!.id);
    expect(existsSync(row!.difference!.file!), 'the scenario that shows it is saved').toBe(true);
    // Saved outside the working directory, the scenario is named by its whole path.
    expect(row!.difference!.replay).toBe(`pausekit run ${row!.difference!.file} ${report.subject}`);
  }, 120_000);
});
