// What a picture tells, before any drawing: the lanes, the arrows with their
// marks, the notes on the lanes, on the model (asked at each atomic action)
// and from observations alone (the kernel's, as the examples record them).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { explore } from '../../src/check/explore.ts';
import { loadModel } from '../../src/engines/model/wasm.ts';
import { loadScenario, SEED_STORY } from '../../src/scenario/load.ts';
import type { Observation, Scenario } from '../../src/scenario/types.ts';
import type { Arrow, Frame, Story } from '../../src/view/frames.ts';
import { modelStory, observedStory, traceStory } from '../../src/view/replay.ts';

const EXAMPLES = new URL('../../src/scenario/examples/', import.meta.url);
const example = (name: string): Scenario => loadScenario(new URL(`${name}.json`, EXAMPLES).pathname);
const expected = (name: string): Observation[] => JSON.parse(readFileSync(new URL(`${name}.expected.json`, EXAMPLES), 'utf8')) as Observation[];
const model = await loadModel();

function frame(story: Story, title: string): Frame {
  const found = story.frames.find((f) => f.title === title);
  if (found === undefined) throw new Error(`no frame '${title}' in ${story.frames.map((f) => f.title).join(' | ')}`);
  return found;
}

const arrows = (f: Frame, kind: Arrow['kind']) => f.arrows.filter((a) => a.kind === kind).map((a) => `${a.from}>${a.to} ${a.label} [${a.marks.join(',')}]`);
const notes = (f: Frame, lane: string) => f.notes.filter((n) => n.lane === lane).map((n) => n.text);

describe('the story of a run on the model', () => {
  test('has a lane for outside, pause and every process in order, and the seed story\'s orphans reparented, told and reaped', () => {
    const { story } = modelStory(model, SEED_STORY, { design: 'sigwait' });
    expect(story.lanes).toEqual(['outside', 'pause', 'app', 'worker', 'helper', 'job', 'debug']);
    const workerExits = frame(story, 'step 5: worker exits with code 0');
    expect(notes(workerExits, 'helper')).toEqual(['parent → pause', 'reaped by pause']);
    expect(notes(workerExits, 'job')).toEqual(['parent → pause']);
    expect(notes(workerExits, 'worker')).toEqual(['exit 0', 'reaped by app']);
    expect(arrows(workerExits, 'sigchld')).toEqual(['worker>app SIGCHLD []', 'helper>pause SIGCHLD []']);
    const sigterm = frame(story, 'step 9: outside sends SIGTERM to pause');
    expect(arrows(sigterm, 'signal')).toEqual(['outside>pause SIGTERM []']);
    expect(notes(sigterm, 'pause')).toEqual(['exit 0']);
    expect(notes(sigterm, 'debug')).toEqual(['killed by SIGKILL (namespace ended)', 'reaped by outside']);
    expect(sigterm.observation.stderr).toEqual(['Shutting down, got signal: Terminated']);
  });

  test('marks what pause forwards in init mode: caught, ignored, blocked, coalesced, and the blocked one caught once unblocked', () => {
    const { story } = modelStory(model, example('init-forwarding'), { design: 'sigwait' });
    expect(arrows(frame(story, 'step 3: outside sends SIGUSR1 to pause'), 'forward')).toEqual(['pause>app SIGUSR1 [caught]']);
    expect(arrows(frame(story, 'step 4: outside sends SIGHUP to pause'), 'forward')).toEqual(['pause>app SIGHUP [ignored]']);
    expect(arrows(frame(story, 'step 5: outside sends SIGUSR2 to pause'), 'forward')).toEqual(['pause>app SIGUSR2 [blocked]']);
    expect(arrows(frame(story, 'step 6: outside sends SIGUSR2 to pause'), 'forward')).toEqual(['pause>app SIGUSR2 [coalesced]']);
    expect(notes(frame(story, 'step 7: app catches SIGUSR2'), 'app')).toEqual(['caught SIGUSR2']);
    const sigint = frame(story, 'step 9: shell sends SIGINT to pause');
    expect(arrows(sigint, 'signal')).toEqual(['shell>pause SIGINT []']);
    expect(arrows(sigint, 'forward')).toEqual(['pause>app SIGINT []']);
    expect(notes(sigint, 'app')).toEqual(['killed by SIGINT', 'reaped by pause']);
    expect(notes(sigint, 'pause')).toEqual(['exit 130']);
  });

  test('says who was left a zombie when the run is over', () => {
    const scenario: Scenario = {
      version: 1, pid1: true, steps: [
        { event: 'spawn', name: 'lazy', parent: 'outside', reaps: false },
        { event: 'spawn', name: 'a', parent: 'lazy', reaps: true },
        { event: 'exit', name: 'a', code: 3 },
      ],
    };
    const { story } = modelStory(model, scenario, { design: 'sigwait' });
    expect(notes(story.frames[3]!, 'a')).toEqual(['exit 3', 'left a zombie (parent lazy)']);
    expect(arrows(story.frames[3]!, 'sigchld')).toEqual(['a>lazy SIGCHLD [ignored]']);
  });
});

describe('the story of a run on the model, with what the format says since real-time signals, inherit and exec failures', () => {
  test('draws a real-time signal pause forwards once per delivery, queued behind the one pending (never coalesced), and counts its catches', () => {
    const { story } = modelStory(model, example('init-realtime-queued'), { design: 'sigwait' });
    expect(arrows(frame(story, 'step 3: outside sends SIGRTMIN+3 to pause'), 'forward')).toEqual(['pause>app SIGRTMIN+3 [blocked]']);
    expect(arrows(frame(story, 'step 5: outside sends SIGRTMIN+3 to pause'), 'forward')).toEqual(['pause>app SIGRTMIN+3 [queued,blocked]']);
    expect(arrows(frame(story, 'step 8: outside sends SIGRTMIN+3 to pause'), 'forward')).toEqual(['pause>app SIGRTMIN+3 [queued,blocked]']);
    // A standard signal still coalesces.
    expect(arrows(frame(story, 'step 7: outside sends SIGUSR1 to pause'), 'forward')).toEqual(['pause>app SIGUSR1 [coalesced]']);
    const unblocked = frame(story, 'step 10: app catches SIGRTMIN+3');
    expect(unblocked.observation.processes['app']?.caught).toEqual(['SIGRTMIN+3', 'SIGRTMIN+3', 'SIGRTMIN+3']);
    expect(notes(unblocked, 'app')).toEqual(['caught SIGRTMIN+3 ×3']);
    expect(notes(frame(story, 'step 11: app catches SIGUSR1'), 'app')).toEqual(['caught SIGUSR1']);
  });

  test('marks what the init program ignores or blocks from the start, as pause was started with (inherit)', () => {
    const { story } = modelStory(model, example('init-inherited-signals'), { design: 'sigwait' });
    expect(frame(story, story.frames[0]!.title).title).toContain('started with SIGHUP SIGINT ignored and SIGUSR1 SIGTERM blocked');
    expect(arrows(frame(story, 'step 0: outside sends SIGHUP to pause'), 'forward')).toEqual(['pause>app SIGHUP [ignored]']);
    expect(arrows(frame(story, 'step 2: outside sends SIGUSR1 to pause'), 'forward')).toEqual(['pause>app SIGUSR1 [blocked]']);
    expect(arrows(frame(story, 'step 4: outside sends SIGTERM to pause'), 'forward')).toEqual(['pause>app SIGTERM [blocked]']);
  });

  test('ends an init program that cannot be run at the start: exec failed and why, its one SIGCHLD to pause, pause\'s exit', () => {
    const { story } = modelStory(model, example('init-exec-directory'), { design: 'sigwait' });
    const start = story.frames[0]!;
    expect(arrows(start, 'sigchld')).toEqual(['app>pause SIGCHLD []']);
    expect(notes(start, 'app')).toEqual(['exit 126: exec failed (a directory)', 'reaped by pause']);
    expect(notes(start, 'pause')).toEqual(['exit 126']);
  });
});

describe('the story of an explored trace', () => {
  test('shows the five SIGCHLDs of one exit coalescing into one, and ends where REAP_ONCE leaves a zombie of pause', async () => {
    const scenario = example('coalesced-sigchld');
    const result = await explore(scenario, { design: 'sigwait', mutant: 'REAP_ONCE' });
    const story = traceStory(model, scenario, result.violation!.trace, { design: 'sigwait', mutant: 'REAP_ONCE' });
    expect(story.frames).toHaveLength(result.violation!.trace.length + 1);
    const batchExits = frame(story, 'step 12: batch exits with code 0');
    expect(arrows(batchExits, 'sigchld')).toEqual([
      'w1>pause SIGCHLD [pending]', 'w2>pause SIGCHLD [coalesced]', 'w3>pause SIGCHLD [coalesced]', 'w4>pause SIGCHLD [coalesced]', 'w5>pause SIGCHLD [coalesced]',
    ]);
    expect(story.frames.at(-1)!.title).toBe('pause: REAPING -> WAITING (running)');
    expect(story.frames.at(-1)!.observation.processes['w2']).toEqual({ state: 'zombie', parent: 'pause' });
  });

  test('refuses a trace the model does not play as written', () => {
    const scenario = example('coalesced-sigchld');
    expect(() => traceStory(model, scenario, ['event 1: spawn w1 (parent batch, reaps its children)'], { design: 'sigwait' }))
      .toThrow("the trace does not replay on the model: action 1 (event 1: spawn w1 (parent batch, reaps its children)): the scenario's next event is 0");
    expect(() => traceStory(model, scenario, ['pause: WAITING -> EXITED (running)'], { design: 'sigwait' }))
      .toThrow('action 1 (pause: WAITING -> EXITED (running)): pause has no action to take there');
  });
});

describe('the story that observations alone tell (the kernel\'s)', () => {
  test('has no mark only the model can know, and still shows what the program caught', () => {
    const story = observedStory(example('init-forwarding'), expected('init-forwarding'));
    const marks = story.frames.flatMap((f) => f.arrows.flatMap((a) => a.marks));
    expect(marks).not.toContain('coalesced');
    expect(marks).not.toContain('pending');
    expect(story.frames.flatMap((f) => arrows(f, 'forward'))).toEqual([]);
    expect(notes(frame(story, 'step 3: outside sends SIGUSR1 to pause'), 'app')).toEqual(['caught SIGUSR1']);
    expect(arrows(frame(story, 'step 4: outside sends SIGHUP to pause'), 'signal')).toEqual(['outside>pause SIGHUP [no visible effect]']);
  });

  test('ends an init program that cannot be run at the start, and pause with it, though both ended before the first observation', () => {
    const start = observedStory(example('init-exec-name-too-long'), expected('init-exec-name-too-long')).frames[0]!;
    expect(notes(start, 'app')).toEqual(['exec failed (name too long)', 'reaped']);
    expect(expected('init-exec-name-too-long')[0]!.pause).toEqual({ state: 'exited', code: 126 });
    expect(notes(start, 'pause')).toEqual(['exit 126']);
  });

  test('does not name a reaper it cannot know: a zombie whose parent died in the same step', () => {
    const story = observedStory(example('coalesced-sigchld'), expected('coalesced-sigchld'));
    const batchExits = frame(story, 'step 12: batch exits with code 0');
    expect(notes(batchExits, 'w1')).toEqual(['reaped']);
    expect(notes(batchExits, 'batch')).toEqual(['exit 0', 'reaped by outside']);
  });

  test('marks a signal blocked or ignored from the scenario\'s dispositions', () => {
    const scenario: Scenario = {
      version: 1, pid1: true, steps: [
        { event: 'spawn', name: 'a', parent: 'outside', reaps: true },
        { event: 'disposition', name: 'a', signal: 'SIGUSR1', action: 'block' },
        { event: 'disposition', name: 'a', signal: 'SIGUSR2', action: 'ignore' },
        { event: 'signal', target: 'a', signal: 'SIGUSR1', from: 'outside' },
        { event: 'signal', target: 'a', signal: 'SIGUSR2', from: 'outside' },
      ],
    };
    const { observations } = modelStory(model, scenario, { design: 'sigwait' });
    const story = observedStory(scenario, observations);
    expect(arrows(story.frames[4]!, 'signal')).toEqual(['outside>a SIGUSR1 [blocked]']);
    expect(arrows(story.frames[5]!, 'signal')).toEqual(['outside>a SIGUSR2 [ignored]']);
  });
});
