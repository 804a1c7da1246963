// The peers on pausekit's init-mode scenarios: tini, dumb-init and catatonit
// each run every init-mode example on the kernel, compared with the model's
// prediction (stderr aside). docs/init-conformance.md is the table these
// runs give, and each difference in it is one of the peer's documented
// design choices (src/check/conformance.ts, PEER_DIFFERENCES): an
// unexplained difference, a stale explanation, or a page that says
// otherwise fails. PAUSEKIT_WRITE_CONFORMANCE=1 rewrites the page.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { conformance, conformanceTable, PEER_DIFFERENCES, PEERS, peerVersion } from '../../src/check/conformance.ts';
import { needs } from '../support/host.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const EXAMPLES = fileURLToPath(new URL('../../src/scenario/examples/', import.meta.url));
const PAGE = fileURLToPath(new URL('../../docs/init-conformance.md', import.meta.url));
const skip = cannotRun('init conformance (tini, dumb-init, catatonit on the kernel)', KERNEL, ...needs([...PEERS]));

describe.skipIf(skip)('the peers on the init-mode scenarios', () => {
  test('differ from the model only where a documented design choice says so, as docs/init-conformance.md shows', async () => {
    const results = await conformance(EXAMPLES);
    expect(results.length).toBeGreaterThanOrEqual(3 * 10);
    const differing = results.filter((r) => r.difference !== null).map((r) => `${r.peer}/${r.scenario}`);
    const unexplained = results.filter((r) => r.difference !== null && PEER_DIFFERENCES[`${r.peer}/${r.scenario}`] === undefined)
      .map((r) => `${r.peer}/${r.scenario}: ${r.difference}`);
    expect(unexplained, 'differences no design choice explains').toEqual([]);
    expect(Object.keys(PEER_DIFFERENCES).filter((k) => !differing.includes(k)), 'explanations for differences that no longer show').toEqual([]);
    const versions = { tini: peerVersion('tini'), 'dumb-init': peerVersion('dumb-init'), catatonit: peerVersion('catatonit') };
    const page = conformanceTable(results, versions);
    if (process.env['PAUSEKIT_WRITE_CONFORMANCE'] === '1') writeFileSync(PAGE, page);
    expect(readFileSync(PAGE, 'utf8'), 'docs/init-conformance.md is out of date: PAUSEKIT_WRITE_CONFORMANCE=1 npx vitest run test/kernel/peers-conformance.test.ts').toBe(page);
  }, 300_000);
});
