// docs/kubernetes.md's "Every platform into containerd" block runs as
// written against a private containerd: `ctr images import --all-platforms`
// keeps every platform of pausekit's multi-platform archive (the index
// holds each manifest for the garbage collector, each manifest its config
// and layer), `ctr images ls` lists the platforms the page shows, and this
// machine's platform is unpacked and runs.
import { defaultImageName } from '../../src/cli/image.ts';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { Cleanup, needs, readyOrSkip } from '../support/host.ts';
import { cannotRun } from '../support/gate.ts';
import { expectedVersionLine, run, type Result } from '../support/processes.ts';
import { ROOT, readOciIndexArchive, type OciIndexImage } from '../support/engines/images.ts';
import { CONTAINERD_NEEDS, privateContainerd, type Containerd } from '../support/engines/containerd.ts';

const PAGE = 'docs/kubernetes.md';
const HEADING = '### Every platform into containerd';
const availability = needs(CONTAINERD_NEEDS);

/** The first fenced block of `language` after the heading. */
function pageBlock(language: 'sh' | 'text'): string {
  const page = readFileSync(join(ROOT, PAGE), 'utf8');
  const at = page.indexOf(HEADING);
  if (at < 0) throw new Error(`${PAGE} has no '${HEADING}'`);
  const block = page.slice(at).match(new RegExp('^```' + language + '\\n([\\s\\S]*?)^```$', 'm'));
  if (block === null) throw new Error(`no \`\`\`${language} block after '${HEADING}' in ${PAGE}`);
  return block[1]!;
}

/** The row of `ctr images ls` for a name: its columns. */
function imageRow(listing: string, name: string): { type: string; digest: string; platforms: string[] } | undefined {
  const line = listing.split('\n').find((l) => l.split(/\s+/)[0] === name);
  if (line === undefined) return undefined;
  const [, type, digest, , , platforms] = line.trim().split(/\s+/);
  return { type: type!, digest: digest!, platforms: platforms!.split(',') };
}

describe.skipIf(cannotRun('the containerd tests', ...availability))(`${PAGE}: every platform into containerd`, () => {
  const cleanup = new Cleanup();
  let containerd: Containerd | undefined;
  let unavailable = '';
  let result: Result;
  let written: OciIndexImage;
  let ctr: (args: string[]) => Promise<string>;
  const name = defaultImageName();

  beforeAll(async () => {
    const setup = await privateContainerd('containerd-multi', cleanup);
    if ('reason' in setup) {
      unavailable = setup.reason;
      return;
    }
    containerd = setup;
    // `npx pausekit` finds the checkout's as a project's node_modules/.bin
    // holds it; ctr pointed at the private daemon.
    const work = join(setup.dir, 'work');
    const bin = join(work, 'node_modules/.bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'pausekit'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'src/cli/bin.mjs')}" "$@"\n`);
    chmodSync(join(bin, 'pausekit'), 0o755);
    const env = { ...process.env, npm_config_offline: 'true', CONTAINERD_ADDRESS: setup.address };
    result = await run('sh', ['-e', '-c', `cd '${work}'\n${pageBlock('sh')}`], { env, timeoutMs: 60_000 });
    if (result.code !== 0) throw new Error(`the page's block failed (exit ${result.code}):\n${result.stderr}${result.stdout}`);
    written = await readOciIndexArchive(readFileSync(join(work, 'pause.tar')));
    ctr = async (args) => {
      const r = await run('ctr', ['--address', setup.address, '--namespace', 'k8s.io', ...args], { timeoutMs: 30_000 });
      if (r.code !== 0) throw new Error(`ctr ${args.join(' ')} failed (exit ${r.code}):\n${r.stderr}`);
      return r.stdout;
    };
    cleanup.add('k8s.io task and container', async () => {
      const k8s = ['--address', setup.address, '--namespace', 'k8s.io'];
      await run('ctr', [...k8s, 'task', 'delete', '--force', 'pause-version']);
      await run('ctr', [...k8s, 'container', 'delete', 'pause-version']);
    });
  });
  afterAll(() => cleanup.run());

  const ready = (ctx: TestContext): Containerd => readyOrSkip(ctx, containerd, unavailable);

  test('ctr images ls lists the image index with every platform of the archive, as the page shows', (ctx) => {
    ready(ctx);
    const row = imageRow(result.stdout, name);
    expect(row).toBeDefined();
    expect(row!.type).toBe('application/vnd.oci.image.index.v1+json');
    expect(row!.digest).toBe(written.indexDigest);
    expect(row!.platforms).toEqual([...written.images.keys()].sort());
    const shown = imageRow(pageBlock('text'), name);
    expect(shown?.platforms).toEqual(row!.platforms);
  });

  test('--all-platforms keeps every platform: the index holds each manifest, each manifest its config and layer', async (ctx) => {
    ready(ctx);
    const labels = new Map<string, string>();
    for (const line of (await ctr(['content', 'ls'])).split('\n').slice(1).filter(Boolean)) {
      const columns = line.split('\t');
      labels.set(columns[0]!, columns.at(-1)!);
    }
    const refs = (digest: string): string[] =>
      (labels.get(digest) ?? '')
        .split(',')
        .filter((label) => label.startsWith('containerd.io/gc.ref.content.'))
        .map((label) => label.split('=')[1]!)
        .sort();
    expect(refs(written.indexDigest)).toEqual([...written.images.values()].map((image) => image.manifestDigest).sort());
    for (const [platform, image] of written.images) {
      expect({ platform, refs: refs(image.manifestDigest) }).toEqual({
        platform,
        refs: [image.manifest.config.digest, image.manifest.layers[0]!.digest].sort(),
      });
    }
  });

  test("runs this machine's platform of the image: its /pause reports its version", async (ctx) => {
    ready(ctx);
    const out = await ctr(['run', '--rm', '--snapshotter', 'native', name, 'pause-version', '/pause', '-v']);
    expect(out).toBe(expectedVersionLine());
  });
});
