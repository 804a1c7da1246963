// The pages pausekit writes, opened in a real browser (headless Chromium,
// no network) at 1280 and at 390 px wide: the seed story, an init-mode
// scenario, an explored counterexample, the diff of a native mutant
// against the model, and a bench run. Each must load without a console
// error or a request, draw every lane and every arrow its scenario names,
// highlight the step it is about, keep its text inside its boxes, and
// screenshot as something (not a blank page).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { explore } from '../../src/check/explore.ts';
import { NATIVE_DIR } from '../../src/engines/kernel/engine.ts';
import { KERNEL } from '../support/gate.ts';
import { runModel } from '../../src/engines/model/engine.ts';
import { loadScenario, SEED_STORY } from '../../src/scenario/load.ts';
import type { Scenario } from '../../src/scenario/types.ts';
import { benchPage } from '../../src/view/bench.ts';
import { diffPage, diffRun, explorePage, runPage } from '../../src/view/pages.ts';
import { cannotRunHere, inked, launch, open, overflows, WIDTHS, type Browser } from './chromium.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const example = (name: string): Scenario => loadScenario(join(ROOT, 'src/scenario/examples', `${name}.json`));

/** The lanes and arrows a scenario names: pause and every process; each signal from its sender to its target, each spawn from its parent. */
function named(scenario: Scenario): { lanes: string[]; arrows: [string, string, string][] } {
  const lanes = ['pause', ...(scenario.init ? [scenario.init.name] : [])];
  const arrows: [string, string, string][] = [];
  for (const step of scenario.steps) {
    if (step.event === 'spawn') {
      lanes.push(step.name);
      arrows.push([step.parent, step.name, step.parent === 'outside' ? 'start' : 'fork']);
    }
    if (step.event === 'signal') arrows.push([step.from, step.target, step.signal]);
  }
  return { lanes, arrows };
}

let browser: Browser;
let dir: string;

/**
 * Opens the page at every width and checks what every page must hold: no
 * console error and no request, a screenshot with ink at the window's
 * width, nothing sticking out, the lanes and arrows named, and the flagged
 * step (if any) being `flagged` alone.
 */
async function checkPage(file: string, expected: { lanes: string[]; arrows: [string, string, string][]; flagged?: string }): Promise<void> {
  for (const width of WIDTHS) {
    const { page, errors, requests } = await open(browser, file, width);
    try {
      const at = `${file} at ${width} px`;
      expect(errors, at).toEqual([]);
      expect(requests, at).toEqual([]);
      const shot = await inked(page, await page.screenshot());
      expect(shot.width, at).toBe(width);
      expect(shot.inked, `${at}: the share of pixels that are not near white`).toBeGreaterThan(0.02);
      expect(shot.colours, `${at}: colours in the screenshot`).toBeGreaterThan(8);
      expect(await overflows(page), at).toEqual([]);
      const lanes = await page.$$eval('svg.tl text.lane', (texts) => texts.map((t) => t.textContent));
      for (const lane of expected.lanes) expect(lanes, `${at}: lane ${lane}`).toContain(lane);
      for (const [from, to, label] of expected.arrows) {
        const arrow = page.locator(`svg.tl g[data-from="${from}"][data-to="${to}"] text`, { hasText: label });
        expect(await arrow.count(), `${at}: an arrow ${from} -> ${to} labelled ${label}`).toBeGreaterThan(0);
      }
      const flagged = await page.$$eval('svg.tl a.r.flag', (rows) => rows.map((r) => r.getAttribute('href')));
      const sections = await page.$$eval('section.step.flag', (all) => all.map((s) => s.id));
      if (expected.flagged === undefined) {
        expect(flagged, at).toEqual([]);
      } else {
        expect(flagged.length, `${at}: flagged rows`).toBeGreaterThan(0);
        expect(new Set(flagged), `${at}: flagged rows`).toEqual(new Set([`#${expected.flagged}`]));
        expect(sections, `${at}: flagged step sections`).toEqual([expected.flagged]);
      }
    } finally {
      await page.close();
    }
  }
}

describe.skipIf(cannotRunHere('the browser tests of the pages'))('pages in headless Chromium, at 1280 and 390 px', () => {
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pausekit-pages-'));
    browser = await launch();
  }, 60_000);
  // The files first: a browser slow to close on a loaded machine leaves nothing behind either.
  afterAll(async () => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    await browser?.close();
  }, 60_000);

  test('the seed story: every lane and arrow; a row reached with Tab, or hovered, shows its step\'s table', async () => {
    const file = join(dir, 'seed-story.html');
    writeFileSync(file, await runPage(SEED_STORY, await runModel(SEED_STORY, { design: 'sigwait' }), { engine: 'model', design: 'sigwait', name: 'the seed story' }));
    await checkPage(file, named(SEED_STORY));
    const { page } = await open(browser, file, 1280);
    try {
      let focused: string | null = null;
      for (let presses = 0; presses < 20 && focused === null; presses++) {
        await page.keyboard.press('Tab');
        focused = await page.evaluate(() => (document.activeElement?.matches('a.r') ? document.activeElement.getAttribute('href') : null));
      }
      expect(focused, 'a row of the timeline takes the focus from the keyboard').not.toBeNull();
      const title = (id: string) => page.$eval(`${id} h3`, (h) => h.textContent);
      expect(await page.textContent('#now')).toContain(await title(focused!));
      expect(await page.$$eval('a.r.on', (rows) => rows.map((r) => r.getAttribute('href')))).toEqual([focused]);
      await page.hover('a.r[href="#s9"]');
      expect(await page.textContent('#now')).toContain('step 8: spawn debug (parent outside, reaps its children)');
      expect(await page.$$eval('#now table tr', (rows) => rows.length)).toBe(3);
    } finally {
      await page.close();
    }
  });

  test('an init-mode scenario: pause\'s forwards drawn with their marks', async () => {
    const scenario = example('init-forwarding');
    const file = join(dir, 'init-forwarding.html');
    writeFileSync(file, await runPage(scenario, await runModel(scenario, { design: 'sigwait' }), { engine: 'model', design: 'sigwait', name: 'init-forwarding.json' }));
    const { lanes, arrows } = named(scenario);
    await checkPage(file, { lanes, arrows: [...arrows, ['pause', 'app', 'SIGUSR1 · caught'], ['pause', 'app', 'SIGUSR2 · coalesced'], ['pause', 'app', 'SIGHUP · ignored']] });
  });

  test('an explored counterexample: the trace to the broken invariant, flagged where it breaks', async () => {
    const scenario = example('coalesced-sigchld');
    const result = await explore(scenario, { design: 'sigwait', mutant: 'REAP_ONCE' });
    const file = join(dir, 'explore.html');
    writeFileSync(file, await explorePage(scenario, result, { design: 'sigwait', mutant: 'REAP_ONCE', name: 'coalesced-sigchld.json' }));
    const { lanes, arrows } = named(scenario);
    await checkPage(file, { lanes, arrows: [...arrows, ['w2', 'pause', 'SIGCHLD · coalesced']], flagged: `s${result.violation!.trace.length}` });
    expect(readFileSync(file, 'utf8')).toContain('invariant 1 breaks: w2 is a zombie child of pause after settling');
  });

  test('a bench run: the latency and reaping charts with titles, and every table', async () => {
    const file = join(dir, 'bench.html');
    const result = JSON.parse(readFileSync(join(ROOT, 'bench/results/results.json'), 'utf8'));
    writeFileSync(file, benchPage({ loadavgBefore: {}, targets: [], realtime: false, ...result }));
    await checkPage(file, { lanes: [], arrows: [] });
    const { page } = await open(browser, file, 1280);
    try {
      expect(await page.$$eval('svg > title', (titles) => titles.map((t) => t.textContent))).toEqual([
        'Signal latency: the fraction of samples under each time, per program, as PID 1 and as a plain process',
        'Time to reap N orphans as PID 1, per program, against the floor',
      ]);
      expect(await page.locator('svg.chart text', { hasText: 'Reaping 10,000 orphans as PID 1' }).count()).toBe(1);
      expect(await page.locator('table').count()).toBeGreaterThan(5);
    } finally {
      await page.close();
    }
  });

  test('every example scenario, on the model, as the kernel recorded it, and explored: no error, nothing sticking out at 390 px', async () => {
    const examples = readdirSync(join(ROOT, 'src/scenario/examples')).filter((f) => f.endsWith('.json') && !f.includes('.expected')).sort();
    const problems: string[] = [];
    for (const name of examples) {
      const scenario = example(name.replace(/\.json$/, ''));
      const expected = join(ROOT, 'src/scenario/examples', name.replace(/\.json$/, '.expected.json'));
      const pages: [string, string][] = [
        ['model', await runPage(scenario, await runModel(scenario, { design: 'sigwait' }), { engine: 'model', design: 'sigwait', name })],
        ...(readdirSync(join(ROOT, 'src/scenario/examples')).includes(name.replace(/\.json$/, '.expected.json'))
          ? [['kernel', await runPage(scenario, JSON.parse(readFileSync(expected, 'utf8')), { engine: 'kernel', design: 'sigwait', name })] as [string, string]]
          : []),
        ['explore', await explorePage(scenario, await explore(scenario, { design: 'sigwait' }), { design: 'sigwait', name })],
      ];
      for (const [kind, html] of pages) writeFileSync(join(dir, `${name}-${kind}.html`), html);
    }
    // At the phone's width, where room is short (the five pages above are seen at both): one tab going
    // from page to page, what each printed or fetched taken after it.
    const tab = await open(browser, join(dir, `${examples[0]}-model.html`), 390);
    try {
      for (const file of readdirSync(dir).filter((f) => /-(model|kernel|explore)\.html$/.test(f)).sort()) {
        await tab.page.goto(pathToFileURL(join(dir, file)).href);
        problems.push(...[...tab.errors.splice(0), ...tab.requests.splice(0), ...await overflows(tab.page)].map((p) => `${file}: ${p}`));
      }
    } finally {
      await tab.page.close();
    }
    expect(problems).toEqual([]);
  }, 60_000);

  test.skipIf(cannotRunHere('the browser test of a native mutant\'s diff', KERNEL))('the diff of the native REAP_ONCE against the model: both timelines, the differing step highlighted and said in words', async () => {
    const scenario = example('coalesced-sigchld');
    const run = await diffRun(scenario, 'sigwait', { binary: `${NATIVE_DIR}mutants/pause-sigwait-REAP_ONCE` });
    expect(run.lines[0]).toBe('  step 12: batch exits with code 0');
    const file = join(dir, 'diff.html');
    writeFileSync(file, await diffPage(scenario, [run], { name: 'coalesced-sigchld.json' }));
    await checkPage(file, { ...named(scenario), flagged: 'sigwait-s13' });
    expect(readFileSync(file, 'utf8')).toContain('first difference: w2: model gone | kernel zombie, parent pause');
  });
});
