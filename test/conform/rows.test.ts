// The rows `pausekit conform` reports follow the scenario format and the
// examples: a row per signal of the format's table (so the real-time
// signals get theirs when the table has them), every example in exactly one
// row of its mode, every row's scenario valid and played by the model.
import { describe, expect, test } from 'vitest';
import { conformBehaviours } from '../../src/check/conform.ts';
import { formatSignals } from '../../src/check/conform-rows.ts';
import { runModel } from '../../src/engines/model/engine.ts';
import { examples } from '../../src/scenario/catalog.ts';
import { loadScenario } from '../../src/scenario/load.ts';
import { SIGNALS } from '../../src/scenario/types.ts';

describe.each(['init', 'pause'] as const)('%s mode', (mode) => {
  const rows = conformBehaviours(mode);

  test('has each row once, and a row per signal of the format\'s table in init mode', () => {
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
    const signals = SIGNALS.filter((s) => s !== '');
    expect(formatSignals().map(([, s]) => s)).toEqual(signals);
    expect(signals.filter((s) => rows.some((r) => r.id === s))).toEqual(mode === 'init' ? signals : []);
  });

  test('holds every example of its mode in exactly one row', () => {
    const named = rows.flatMap((r) => r.probes.filter((p) => p.name.startsWith('example ')).map((p) => p.name.slice('example '.length)));
    expect(named.sort()).toEqual(examples().filter((e) => (loadScenario(e.file).init !== undefined) === (mode === 'init')).map((e) => e.name).sort());
  });

  test('plays every row\'s scenarios on the model, each design', async () => {
    for (const probe of rows.flatMap((r) => r.probes)) {
      for (const design of ['sigwait', 'handlers', 'autoreap'] as const) {
        expect((await runModel(probe.scenario, { design })).length, probe.name).toBe(probe.scenario.steps.length + 1);
      }
    }
  });
});
