// The model's process table is bounded: 4,096 named processes fit, one more
// is a clear error (never memory corruption), and the model still works.
import { expect, test } from 'vitest';
import { PausekitError } from '../../src/errors.ts';
import { loadModel, MAX_PROCESSES } from '../../src/engines/model/wasm.ts';

test('the model holds 4096 processes, refuses the next with a clear error, and reaps them all', async () => {
  const model = await loadModel();
  const world = model.create({ design: 'handlers', pid1: true });
  world.spawn('app', 'outside', false);
  for (let i = 1; i < MAX_PROCESSES; i++) world.spawn(`c${i}`, 'app', false);
  const error = (() => {
    try {
      world.spawn('one-too-many', 'outside', true);
    } catch (e) {
      return e;
    }
    return null;
  })();
  expect(error).toBeInstanceOf(PausekitError);
  expect((error as PausekitError).message).toBe("cannot spawn 'one-too-many' from 'outside': the process table is full (4096 processes)");
  // Every child exits, then app: 4095 zombies reach pause under one SIGCHLD.
  for (let i = 1; i < MAX_PROCESSES; i++) world.exit(`c${i}`, 0);
  world.exit('app', 0);
  world.settle(0);
  const states = world.names.map((name) => world.process(name).state);
  expect(states.every((s) => s === 'gone')).toBe(true);
  world.dispose();
});

test('the model refuses an unknown process with a PausekitError naming it', async () => {
  const model = await loadModel();
  const world = model.create({ design: 'sigwait' });
  expect(() => world.exit('ghost', 0)).toThrow(PausekitError);
  expect(() => world.exit('ghost', 0)).toThrow("name 'ghost' is not a process of this scenario");
  world.dispose();
});
