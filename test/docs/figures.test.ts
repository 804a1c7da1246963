// The figures the pages state about pause's binaries are those of the
// binaries built now (build/native/<arch>/pause-<design>, as `npm run build`
// leaves them): each size a page states, and the image digests and sizes
// docs/kubernetes.md shows as the output of `npx pausekit image`, which
// writes the same bytes for the same binaries. A change to pause.c that
// changes them fails here until the pages say the new figures (the failure
// prints them); the sizes table of docs/kubernetes.md comes from the saved
// benchmark run, which is then taken again.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PLATFORMS, platformName } from '../../src/image/platforms.ts';
import { DESIGNS } from '../../src/scenario/types.ts';
import { cannotRun, need } from '../support/gate.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NATIVE = join(ROOT, 'build/native');

function page(name: string): string {
  return readFileSync(join(ROOT, name), 'utf8');
}

/** The size of an architecture's build of a design, or undefined if it is not built here. */
function builtSize(arch: string, design: string): number | undefined {
  const file = join(NATIVE, arch, `pause-${design}`);
  return existsSync(file) ? statSync(file).size : undefined;
}

const missing = PLATFORMS.flatMap((p) => DESIGNS.filter((d) => builtSize(p.arch, d) === undefined).map((d) => `${p.arch}/pause-${d}`));
// `npm run build` builds every architecture whose cross compiler is installed.
const EVERY_PLATFORM_BUILT = need('every platform\'s pause', () =>
  (missing.length === 0 ? undefined : `not built here (a cross compiler is missing): ${missing.join(', ')}`));

/** The one match of `pattern` on a page (its first group), or a failure naming what was looked for. */
function stated(name: string, pattern: RegExp): string {
  const match = page(name).match(pattern);
  if (match === null) throw new Error(`${name} no longer states the figure this test checks: nothing matches ${pattern}`);
  return match[1]!;
}

const amd64 = builtSize('amd64', 'sigwait');

describe.skipIf(cannotRun("pause's size on x86-64", need('the x86-64 pause', () => (amd64 === undefined ? 'build/native/amd64/pause-sigwait is not built' : undefined))))("pause's size on x86-64, where the pages state it", () => {
  const bytes = amd64!.toLocaleString('en-US');
  const kilobytes = (amd64! / 1000).toFixed(1);

  test.each([
    ['README.md', /\b([\d,]+) bytes static without libc on x86-64/, bytes],
    ['README.md', /\| binary, idle RSS \(x86-64\) \| ([\d.]+) KB static/, kilobytes],
    ['docs/init.md', /\| binary \(x86-64\) \| about ([\d.]+) KB static/, kilobytes],
    ['docs/kubernetes.md', /the same size \(([\d,]+) bytes on\s+x86-64\)/, bytes],
    ['docs/performance.md', /\b([\d,]+) bytes on x86-64 with\n/, bytes],
  ])('%s states %s as the build now has it', (name, pattern, now) => {
    expect(stated(name, pattern), `${name}: build/native/amd64/pause-sigwait is ${amd64} bytes now`).toBe(now);
  });
});

test("docs/kubernetes.md's sizes table has every platform's and design's size as built now", () => {
  const text = page('docs/kubernetes.md');
  const at = text.indexOf('### Sizes');
  expect(at, "docs/kubernetes.md's '### Sizes' section").toBeGreaterThan(0);
  const differences: string[] = [];
  for (const platform of PLATFORMS) {
    const row = text.slice(at).match(new RegExp(`^\\| ${platformName(platform)} \\| (\\d+) B \\| (\\d+) B \\| (\\d+) B \\|`, 'm'));
    expect(row, `a row for ${platformName(platform)}`).not.toBeNull();
    ['sigwait', 'handlers', 'autoreap'].forEach((design, k) => {
      const now = builtSize(platform.arch, design);
      if (now !== undefined && Number(row![k + 1]) !== now) differences.push(`${platformName(platform)} pause-${design}: the page says ${row![k + 1]} B, the build has ${now} B`);
    });
  }
  expect(differences, 'the table is the saved run of bench/results/results.json: take it again with the binaries built now').toEqual([]);
});

/** The lines of the first ```text block after a heading. */
function textBlockAfter(name: string, heading: string): string[] {
  const text = page(name);
  const at = text.indexOf(heading);
  if (at < 0) throw new Error(`${name} has no '${heading}'`);
  const block = text.slice(at).match(/^```text\n([\s\S]*?)^```$/m);
  if (block === null) throw new Error(`no \`\`\`text block after '${heading}' in ${name}`);
  return block[1]!.split('\n');
}

describe.skipIf(cannotRun('the image output docs/kubernetes.md shows', EVERY_PLATFORM_BUILT))('the image output docs/kubernetes.md shows is what `npx pausekit image` writes now', () => {
  let dir = '';
  const written: Record<'oci' | 'docker', string[]> = { oci: [], docker: [] };

  /** Runs `pausekit image` from the checkout, as the page's command does; its output lines. */
  function image(args: string[], cwd: string): Promise<string[]> {
    mkdirSync(cwd);
    return new Promise((resolve, reject) => {
      execFile(process.execPath, [join(ROOT, 'src/cli/bin.mjs'), 'image', ...args], { cwd, encoding: 'utf8' }, (error, stdout, stderr) => {
        if (error !== null) reject(new Error(`pausekit image ${args.join(' ')} failed: ${stderr}`));
        else resolve(stdout.split('\n').filter((line) => line !== ''));
      });
    });
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pausekit-figures-'));
    written.oci = await image(['--out', 'pause.tar'], join(dir, 'oci'));
    written.docker = await image(['--format', 'docker', '--out', 'pause.tar'], join(dir, 'docker'));
  });
  afterAll(() => {
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  });

  test.each([
    ['### Every platform into containerd', 'oci'],
    ["## The seed's demo, with podman", 'docker'],
  ] as const)("the block after '%s' starts with the %s archive's lines, and every digest it shows is one of them", (heading, format) => {
    const shown = textBlockAfter('docs/kubernetes.md', heading);
    const now = written[format];
    expect(shown.slice(0, now.length).join('\n'), `docs/kubernetes.md after '${heading}'`).toBe(now.join('\n'));
    const digests = new Set(now.join('\n').match(/sha256:[0-9a-f]{64}/g));
    const others = shown.join('\n').match(/sha256:[0-9a-f]{64}/g)?.filter((digest) => !digests.has(digest)) ?? [];
    expect(others, 'digests the page shows that the image written now does not have').toEqual([]);
  });
});
