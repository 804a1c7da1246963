// A diff page where one engine stopped with an error (a livelock, a refused
// step) still draws: the error in the verdict, the other engine's timeline,
// and each step saying which engine has no observation there.
import { expect, test } from 'vitest';
import { compare } from '../../src/check/diff.ts';
import { runModel } from '../../src/engines/model/engine.ts';
import { PausekitError } from '../../src/errors.ts';
import { SEED_STORY } from '../../src/scenario/load.ts';
import { diffPage } from '../../src/view/pages.ts';

test('an engine that stopped with an error: its error in the verdict, the other\'s timeline, every step saying who saw nothing', async () => {
  const model = { error: new PausekitError('step 5: pause never blocks (livelock)', { kind: 'livelock', step: 5 }) };
  const kernel = { observations: await runModel(SEED_STORY, { design: 'sigwait' }) };
  const html = await diffPage(SEED_STORY, [{ design: 'sigwait', model, kernel, lines: compare(SEED_STORY, model, kernel) }], { name: 'the seed story' });
  expect(html).toContain('<p>model: step 5: pause never blocks (livelock)</p>');
  expect(html.match(/<p>the model has no observation here \(it stopped before\)<\/p>/g)).toHaveLength(SEED_STORY.steps.length + 1);
  expect(html).toContain('<a class="r" href="#sigwait-s10">');
  expect(html).toContain('<section class="step flag" id="sigwait-s0"');
});
