// A disposed world's id goes back to the module, and the next world created
// takes it: so a disposed ModelWorld must refuse every call, or it would
// read (or change) another world's state.
import { expect, test } from 'vitest';
import { loadModel, ModelWorld } from '../../src/engines/model/wasm.ts';
import { PausekitError } from '../../src/errors.ts';

const model = await loadModel();

// Every public method and getter of ModelWorld, with arguments it takes.
// (takeStderr is internal: the module hands a live world pause's output.)
const CALLS: Record<string, (world: ModelWorld) => unknown> = {
  names: (w) => w.names,
  spawn: (w) => w.spawn('late'),
  exit: (w) => w.exit('app', 0),
  kill: (w) => w.kill('app', 'SIGTERM'),
  stop: (w) => w.stop('app'),
  continue: (w) => w.continue('app'),
  subreaper: (w) => w.subreaper('app'),
  disposition: (w) => w.disposition('app', 'SIGUSR1', 'catch'),
  forwardCount: (w) => w.forwardCount('SIGTERM'),
  zombiesAtExit: (w) => w.zombiesAtExit,
  step: (w) => w.step(),
  canStep: (w) => w.canStep(),
  settle: (w) => w.settle(),
  phase: (w) => w.phase,
  depth: (w) => w.depth,
  pause: (w) => w.pause(),
  process: (w) => w.process('app'),
  fate: (w) => w.fate('app'),
  pending: (w) => w.pending('app'),
  stderr: (w) => w.stderr(),
  peekStderr: (w) => w.peekStderr(),
  observe: (w) => w.observe(0),
  pauseSteps: (w) => w.pauseSteps,
  key: (w) => w.key(),
  clone: (w) => w.clone(),
};

test('the table above covers every public method and getter of ModelWorld', () => {
  const members = Object.getOwnPropertyNames(ModelWorld.prototype).filter((n) => !['constructor', 'dispose', 'takeStderr'].includes(n));
  expect(members.sort()).toEqual(Object.keys(CALLS).sort());
});

test.each(Object.keys(CALLS))('%s on a disposed world throws, and leaves the world that took its id alone', (name) => {
  const old = model.create({ design: 'sigwait', pid1: true });
  old.spawn('app', 'outside', false);
  old.settle();
  old.dispose();
  // The next world takes the id the disposed one had: its app is a zombie.
  const next = model.create({ design: 'sigwait', pid1: true });
  try {
    next.spawn('app', 'outside', false);
    next.exit('app', 3);
    next.settle();
    const before = next.observe(0);
    const key = next.key();
    let error: unknown = null;
    try {
      CALLS[name]!(old);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PausekitError);
    expect((error as PausekitError).message).toBe('this model world was disposed');
    expect((error as PausekitError).details.kind).toBe('disposed');
    expect(next.key()).toBe(key);
    expect(next.process('app')).toEqual(before.processes['app']);
  } finally {
    next.dispose();
  }
});

test('dispose() twice is harmless', () => {
  const world = model.create({ design: 'handlers' });
  world.dispose();
  expect(() => world.dispose()).not.toThrow();
});
