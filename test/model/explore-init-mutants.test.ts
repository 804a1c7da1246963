// pausekit explore over init mode (pause -- app): each init-mode mutant is
// found by walking every interleaving of a scenario of at most six events,
// made for it, on every design, and the real pause holds every invariant
// on the same scenario; no example scenario breaks an invariant on any
// design either (invariant 10, checked on the calm ways, must not flag
// the real pause).
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { explore } from '../../src/check/explore.ts';
import { loadScenario, parseScenario } from '../../src/scenario/load.ts';
import { DESIGNS, type Scenario } from '../../src/scenario/types.ts';
import type { Mutant } from '../../src/engines/model/wasm.ts';

const EXAMPLES_DIR = fileURLToPath(new URL('../../src/scenario/examples/', import.meta.url));
const example = (name: string): Scenario => loadScenario(`${EXAMPLES_DIR}${name}.json`);
// A scenario as a file would give it: parsed by the loader, its static rules included.
const scenario = (init: object, steps: object[]): Scenario =>
  parseScenario(JSON.stringify({ version: 1, pid1: true, init: { name: 'app', ...init }, steps }));

/** Each init mutant, the invariant that catches it, and its scenario (at most six events). */
const FOUND: { mutant: Mutant; invariant: number; scenario: Scenario; why: string }[] = [
  { mutant: 'FORWARD_NOTHING', invariant: 8, scenario: example('init-sigterm'), why: 'SIGTERM to pause never reaches app' },
  { mutant: 'EXIT_ZERO', invariant: 9, scenario: example('init-exit-code'), why: 'app exits 3, pause 0' },
  { mutant: 'SIGNAL_AS_CODE', invariant: 9, scenario: example('init-killed-by-signal'), why: 'app killed by a signal: pause exits with its number, not 128+N' },
  {
    mutant: 'FORWARD_CHLD', invariant: 8, why: 'an orphan of pause exits: pause reaps it and forwards SIGCHLD to app',
    scenario: scenario({ reaps: false }, [
      { event: 'spawn', name: 'p', parent: 'app', reaps: true },
      { event: 'spawn', name: 'c', parent: 'p', reaps: true },
      { event: 'exit', name: 'p', code: 0 },
      { event: 'disposition', name: 'app', signal: 'SIGCHLD', action: 'catch' },
      { event: 'exit', name: 'c', code: 0 },
    ]),
  },
  {
    mutant: 'EXIT_EARLY', invariant: 10, why: "app's exited child, a zombie, reaches pause with app's exit: pause exits before reaping it",
    scenario: scenario({ reaps: false }, [
      { event: 'spawn', name: 'w', parent: 'app', reaps: false },
      { event: 'exit', name: 'w', code: 0 },
      { event: 'exit', name: 'app', code: 0 },
    ]),
  },
];

describe('pausekit explore in init mode', () => {
  describe.each(DESIGNS)('on the %s design', (design) => {
    test.each(FOUND.map((f) => [f.mutant, f.invariant, f.why, f.scenario] as const))('finds %s (invariant %i: %s)', async (mutant, invariant, _why, s) => {
      expect(s.steps.length).toBeLessThanOrEqual(6);
      const found = await explore(s, { design, mutant });
      expect(found.violation?.violation.invariant, JSON.stringify(found.violation)).toBe(invariant);
      const real = await explore(s, { design });
      expect(real.violation, JSON.stringify(real.violation)).toBeNull();
      expect(real.interleavings).toBeGreaterThan(0);
    });
  });

  const EXAMPLES = readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.json') && !f.includes('.expected')).sort();
  test.each(EXAMPLES)('the real pause holds every invariant on %s, every design', async (file) => {
    const s = loadScenario(`${EXAMPLES_DIR}${file}`);
    for (const design of DESIGNS) {
      const result = await explore(s, { design, maxStates: 200_000 });
      expect(result.violation, `${design}: ${JSON.stringify(result.violation)}`).toBeNull();
    }
  });
});
