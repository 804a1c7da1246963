// The pictures of docs/pictures.md are what its commands draw. Each
// picture's row in the page's table names the page (the --html FILE of a
// command the page shows), the width it was taken at, and the SHA-256 of
// that page's HTML. This test runs the commands again and holds each page
// to its digest: a change to what a page holds fails here until the
// pictures are taken again (PAUSEKIT_UPDATE_PICTURES=1 rewrites the PNGs and
// the digests). The PNGs are not compared pixel by pixel, since fonts and
// anti-aliasing differ between Chromium builds; each is checked to be a PNG
// of the recorded width, and a screenshot taken now to be not blank.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KERNEL } from '../support/gate.ts';
import { cannotRunHere, inked, launch, open, type Browser } from './chromium.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGE = 'docs/pictures.md';
const UPDATE = process.env['PAUSEKIT_UPDATE_PICTURES'] === '1';
const ROW = /^\| (pictures\/[\w.-]+\.png) \| ([\w.-]+\.html) \| (\d+) \| sha256:([0-9a-f]{64}) \|$/gm;
/** A command of the page that writes a page: `pausekit ...` or, as a reader of the package types it, `npx pausekit ...`. */
const COMMAND = /^\$ (?:npx )?(pausekit .*--html ([\w.-]+\.html).*)$/gm;

interface Picture {
  png: string;
  page: string;
  width: number;
  digest: string;
}

const doc = readFileSync(join(ROOT, PAGE), 'utf8');
const pictures: Picture[] = [...doc.matchAll(ROW)].map((m) => ({ png: m[1]!, page: m[2]!, width: Number(m[3]), digest: m[4]! }));
const commands = new Map([...doc.matchAll(COMMAND)].map((m) => [m[2]!, m[1]!.split(';')[0]!.trim()]));

/** What each picture shows beyond the page's top: the row whose step the panel shows (focused), if any. */
const FOCUS: Record<string, string> = {
  'pictures/seed-story.png': 'a.r[href="#s6"]',
  'pictures/mutant-diff.png': 'a.r.flag',
  'pictures/explore.png': 'a.r.flag',
};

/**
 * Runs a command of the page as a reader's shell would, with `pausekit`
 * (and `npx pausekit`, in a `$(...)` too) this checkout's sources, from a
 * directory that has the repository's src, build and bench.
 */
function runCommand(command: string, cwd: string): void {
  expect(command.startsWith('pausekit '), command).toBe(true);
  const script = `pausekit() { "$PAUSEKIT_NODE" "$PAUSEKIT_BIN" "$@"; }\n${command.replaceAll('npx pausekit ', 'pausekit ')}`;
  const ran = spawnSync('bash', ['-c', script], {
    cwd, encoding: 'utf8', env: { ...process.env, PAUSEKIT_NODE: process.execPath, PAUSEKIT_BIN: join(ROOT, 'src/cli/bin.mjs') },
  });
  expect(ran.stderr, command).toBe('');
  expect(ran.stdout, command).toContain('html: ');
}

/** The picture: the page's top, down to the end of its timelines, with the row `focus` names in focus. */
async function take(browser: Browser, file: string, width: number, focus?: string): Promise<Buffer> {
  const { page, errors } = await open(browser, file, width);
  try {
    // Focus first: the panel fills, and the picture is as tall as the figures and the panel in their places.
    if (focus !== undefined) await page.$eval(focus, (row) => (row as unknown as HTMLElement).focus({ preventScroll: true }));
    // The panel's height follows the window's: grow the window until the figures and the panel fit in it.
    for (let tries = 0; tries < 4; tries++) {
      const bottom = Math.min(2400, await page.$eval('.view', (view) => Math.ceil(view.getBoundingClientRect().bottom) + 8));
      if (bottom === page.viewportSize()?.height) break;
      await page.setViewportSize({ width, height: bottom });
    }
    expect(errors).toEqual([]);
    return await page.screenshot();
  } finally {
    await page.close();
  }
}

/** A PNG's width, from its IHDR chunk. */
function pngWidth(file: string): number {
  const bytes = readFileSync(file);
  expect(bytes.subarray(1, 4).toString('latin1'), `${file} is a PNG`).toBe('PNG');
  return bytes.readUInt32BE(16);
}

describe.skipIf(cannotRunHere('the pictures of docs/pictures.md', KERNEL))('the pictures of docs/pictures.md', () => {
  let browser: Browser;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pausekit-pictures-'));
    for (const entry of ['src', 'build', 'bench']) symlinkSync(join(ROOT, entry), join(dir, entry));
    browser = await launch();
  }, 60_000);
  // The files first: a browser slow to close on a loaded machine leaves nothing behind either.
  afterAll(async () => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    await browser?.close();
  }, 60_000);

  test('are each shown on the page and listed in its table, and each page is written by a command the page shows', () => {
    expect(pictures.length).toBeGreaterThanOrEqual(4);
    const shown = [...doc.matchAll(/!\[[^\]]*\]\((pictures\/[\w.-]+\.png)\)/g)].map((m) => m[1]);
    expect(new Set(shown)).toEqual(new Set(pictures.map((p) => p.png)));
    for (const picture of pictures) expect(commands.get(picture.page), `a command writing ${picture.page}`).toBeDefined();
  });

  test(`are of the pages the commands write now (${UPDATE ? 'taking them again' : 'PAUSEKIT_UPDATE_PICTURES=1 takes them again'})`, async () => {
    const stale: string[] = [];
    let updated = doc;
    for (const page of new Set(pictures.map((p) => p.page))) {
      runCommand(commands.get(page)!, dir);
      const html = readFileSync(join(dir, page));
      const digest = createHash('sha256').update(html).digest('hex');
      for (const picture of pictures.filter((p) => p.page === page)) {
        const png = join(ROOT, 'docs', picture.png);
        const shot = await take(browser, join(dir, page), picture.width, FOCUS[picture.png]);
        const { page: opened } = await open(browser, join(dir, page), picture.width);
        const ink = await inked(opened, shot);
        await opened.close();
        expect(ink.width, picture.png).toBe(picture.width);
        expect(ink.inked, `${picture.png}: share of pixels not near white`).toBeGreaterThan(0.02);
        if (UPDATE) {
          mkdirSync(join(ROOT, 'docs/pictures'), { recursive: true });
          writeFileSync(png, shot);
          updated = updated.replace(`| ${picture.png} | ${page} | ${picture.width} | sha256:${picture.digest} |`, `| ${picture.png} | ${page} | ${picture.width} | sha256:${digest} |`);
          continue;
        }
        if (digest !== picture.digest) stale.push(`${picture.png}: ${page} is now sha256:${digest}, ${PAGE} records sha256:${picture.digest}`);
        expect(existsSync(png), `${png} exists`).toBe(true);
        expect(pngWidth(png), `${picture.png} is ${picture.width} px wide`).toBe(picture.width);
      }
    }
    if (UPDATE) writeFileSync(join(ROOT, PAGE), updated);
    expect(stale, 'the pictures would change: take them again with PAUSEKIT_UPDATE_PICTURES=1 npx vitest run test/browser/pictures.test.ts').toEqual([]);
  });
});
