// The peers held to the model: `pausekit conform` on tini, dumb-init and
// catatonit, each with its known differences declared (PEER_DIFFERENCES in
// src/check/conformance.ts), must find exactly those: an undeclared
// difference, a declaration that no longer shows, or a page that says
// otherwise fails. docs/init-conformance.md is the table these runs give;
// PAUSEKIT_WRITE_CONFORMANCE=1 rewrites it. Few random plans (the fixed
// seed of test/support/property.ts; PAUSEKIT_CONFORM_RUNS for more).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { conformanceTable, PEERS, peerConformance, peerVersion, type Peer } from '../../src/check/conformance.ts';
import type { ConformReport } from '../../src/check/conform.ts';
import { needs } from '../support/host.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';
import { replayCommand, SEED } from '../support/property.ts';

const FILE = 'test/kernel/peers-conformance.test.ts';
const PAGE = fileURLToPath(new URL('../../docs/init-conformance.md', import.meta.url));
const RUNS = Number(process.env['PAUSEKIT_CONFORM_RUNS'] ?? 20);
const skip = cannotRun('init conformance (tini, dumb-init, catatonit on the kernel)', KERNEL, ...needs([...PEERS, 'strace']));

describe.skipIf(skip)('pausekit conform on the peers', () => {
  test(`finds each peer's declared differences and no other, as docs/init-conformance.md shows (seed ${SEED})`, async () => {
    const reports: Partial<Record<Peer, ConformReport>> = {};
    for (const peer of PEERS) {
      const report = await peerConformance(peer, { runs: RUNS, seed: SEED });
      const differing = report.rows.filter((r) => report.undeclared.includes(r.id)).map((r) => `${r.id}: ${r.difference?.probe}: ${r.difference?.text}`);
      const replay = replayCommand(FILE, { PAUSEKIT_CONFORM_RUNS: RUNS });
      expect(differing, `${peer}: differences no reason declares (replay: ${replay})`).toEqual([]);
      expect(report.stale, `${peer}: declared differences that no longer show`).toEqual([]);
      reports[peer] = report;
    }
    const versions = Object.fromEntries(PEERS.map((p) => [p, peerVersion(p)]));
    const page = conformanceTable(reports, versions);
    if (process.env['PAUSEKIT_WRITE_CONFORMANCE'] === '1') writeFileSync(PAGE, page);
    expect(readFileSync(PAGE, 'utf8'), 'docs/init-conformance.md is out of date: PAUSEKIT_WRITE_CONFORMANCE=1 npx vitest run test/kernel/peers-conformance.test.ts').toBe(page);
  }, 300_000);
});
