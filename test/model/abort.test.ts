// An abort inside the model (here: a table the debug build's hook breaks
// on purpose, which its invariant check then catches) is one PausekitError
// with the module's own words, under either WASI runtime; the instance is
// done with: every world in it refuses further calls, and loadModel()
// starts a fresh one.
import { describe, expect, test } from 'vitest';
import { loadModel, WASI_RUNTIMES } from '../../src/engines/model/wasm.ts';
import { PausekitError } from '../../src/errors.ts';

/** What a call throws (null if it returns). */
function thrown(call: () => unknown): unknown {
  try {
    call();
  } catch (error) {
    return error;
  }
  return null;
}

describe.each(WASI_RUNTIMES)('under %s', (wasi) => {
  test('an abort is a PausekitError with the model\'s words, and the aborted instance refuses every later call', async () => {
    const model = await loadModel({ wasi, build: 'debug' });
    const bystander = model.create({ design: 'handlers' });
    const world = model.create({ design: 'sigwait' });
    world.spawn('app');
    // CORRUPT_PENDING (asm/kernel/check.ts): signal bit 0 pending on the newest process.
    expect(model.raw.corrupt!(3)).toBe(0);
    const error = thrown(() => world.step());
    expect(error).toBeInstanceOf(PausekitError);
    expect((error as PausekitError).details.kind).toBe('abort');
    expect((error as PausekitError).message).toMatch(/^the model aborted: abort: invariant 'pending signals are 1\.\.64 but 32 and 33, none for the dead' broken/);
    expect((error as PausekitError).message).not.toContain('\n');

    for (const call of [() => world.observe(0), () => bystander.spawn('late'), () => model.create({ design: 'sigwait' })]) {
      expect(thrown(call)).toMatchObject({ message: 'the model aborted earlier; load it again with loadModel()' });
    }
    // What the host keeps of a world is still there, and disposing is harmless.
    expect(world.names).toEqual(['app']);
    expect(() => world.dispose()).not.toThrow();
    const fresh = await loadModel({ wasi, build: 'debug' });
    expect(fresh).not.toBe(model);
    fresh.create({ design: 'sigwait' }).dispose();
  });
});
