// A real browser for the page tests: Debian's Chromium, headless, driven
// by playwright-core, with no network (a fresh profile, the background
// services off, and every request that is not a file of the page refused
// and recorded). And what every page must pass in it: no console error, no
// request, nothing wider than the window, every SVG text inside its
// picture, and a screenshot that is not blank.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { cannotRun, need, type Need } from '../support/gate.ts';

/** The browser: PAUSEKIT_CHROMIUM, else Debian's package. */
export const CHROMIUM = process.env['PAUSEKIT_CHROMIUM'] || '/usr/bin/chromium';

/** The flags the page tests run Chromium with (Playwright adds --headless and the profile's --user-data-dir). */
export const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** The widths every page is checked at: a laptop, and a phone. */
export const WIDTHS = [1280, 390] as const;

/** Why the browser tests cannot run here, or undefined. */
export function browserMissing(): string | undefined {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set PAUSEKIT_CHROMIUM)`;
  return undefined;
}

/** The browser, as the suite's gate (test/support/gate.ts) asks for what a test needs. */
export const CHROMIUM_INSTALLED: Need = need('Chromium', browserMissing);

/**
 * Whether tests that need the browser (and `more`) must be skipped here:
 * the gate decides, prints the reason, and under PAUSEKIT_REQUIRE_ENGINES=1
 * declares a failing test naming it in their place.
 */
export function cannotRunHere(what: string, ...more: Need[]): boolean {
  return cannotRun(what, CHROMIUM_INSTALLED, ...more);
}

/** One browser with a fresh profile; close() ends it and removes the profile. */
export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launch(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'pausekit-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  return {
    context,
    async close() {
      try {
        await context.close();
      } finally {
        rmSync(profile, { recursive: true, force: true });
      }
    },
  };
}

/** A page open on a file, with what it printed to the console as an error and what it tried to fetch. */
export interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
}

export async function open(browser: Browser, file: string, width: number): Promise<Opened> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('data:')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  await page.setViewportSize({ width, height: 900 });
  await page.goto(pathToFileURL(file).href);
  return { page, errors, requests };
}

/** What a screenshot holds: how many of its sampled pixels are not near white, and how many colours. */
export async function inked(page: Page, png: Buffer): Promise<{ inked: number; colours: number; width: number }> {
  return page.evaluate(async (base64) => {
    const image = new Image();
    image.src = `data:image/png;base64,${base64}`;
    await image.decode();
    const canvas = document.createElement('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d')!;
    context.drawImage(image, 0, 0);
    const data = context.getImageData(0, 0, image.width, image.height).data;
    let ink = 0;
    let samples = 0;
    const colours = new Set<number>();
    for (let i = 0; i < data.length; i += 4 * 13) {
      samples++;
      if (data[i]! < 200 || data[i + 1]! < 200 || data[i + 2]! < 200) ink++;
      colours.add(((data[i]! >> 4) << 8) | ((data[i + 1]! >> 4) << 4) | (data[i + 2]! >> 4));
    }
    return { inked: ink / samples, colours: colours.size, width: image.width };
  }, png.toString('base64'));
}

/**
 * What sticks out: the page wider than the window, a text block wider
 * than its box (outside the boxes that scroll sideways on purpose), an SVG
 * text beyond its picture's edges. Empty when nothing does.
 */
export async function overflows(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > window.innerWidth) found.push(`the page is ${root.scrollWidth} px wide in a ${window.innerWidth} px window`);
    for (const element of Array.from(document.querySelectorAll<HTMLElement>('h1, h2, h3, p, li, figcaption, caption, .verdict, #now'))) {
      if (element.closest('.scroll') !== null) continue;
      if (element.scrollWidth > element.clientWidth + 1) found.push(`${element.tagName.toLowerCase()} "${(element.textContent ?? '').slice(0, 60)}" is ${element.scrollWidth} px wide in ${element.clientWidth} px`);
    }
    for (const svg of Array.from(document.querySelectorAll<SVGSVGElement>('svg[viewBox]'))) {
      const box = svg.viewBox.baseVal;
      for (const text of Array.from(svg.querySelectorAll('text'))) {
        const b = text.getBBox();
        if (b.width === 0) continue;
        if (b.x < box.x - 0.5 || b.y < box.y - 0.5 || b.x + b.width > box.x + box.width + 0.5 || b.y + b.height > box.y + box.height + 0.5) {
          found.push(`svg text "${(text.textContent ?? '').slice(0, 60)}" at x ${b.x.toFixed(0)}..${(b.x + b.width).toFixed(0)}, y ${b.y.toFixed(0)} outside its picture of ${box.width}x${box.height}`);
        }
      }
    }
    return found;
  });
}
