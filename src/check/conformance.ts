// Conformance of container inits: pausekit's init-mode example scenarios run
// on the kernel with a peer (tini, dumb-init, catatonit) in pause's place,
// compared at every step with the model's prediction for pausekit's pause,
// stderr aside (each init words its own messages). The table this makes is
// docs/init-conformance.md; test/kernel/peers-conformance.test.ts checks
// that the page says what the runs give. A difference is either one of the
// peer's documented design choices (PEER_DIFFERENCES, one sentence each) or
// a finding.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { runKernel, findOnPath, INIT_COMMANDS, type InitProgram } from '../engines/kernel/engine.ts';
import { runModel } from '../engines/model/engine.ts';
import { PausekitError, checkArgument, isRecord } from '../errors.ts';
import { loadScenario } from '../scenario/load.ts';
import type { InitConfig, Observation, Scenario } from '../scenario/types.ts';
import { differences } from './diff.ts';

/** The peers the table compares. */
export const PEERS = ['tini', 'dumb-init', 'catatonit'] as const satisfies readonly InitProgram[];
export type Peer = (typeof PEERS)[number];

/**
 * The known differences, by peer and example: each a design choice the peer
 * makes on purpose (in its documentation or its source's comments), not a
 * bug. The test fails for a difference not listed here, and for a listed
 * one that no longer shows.
 */
export const PEER_DIFFERENCES: Record<string, string> = {
  'dumb-init/init-exec-missing': 'dumb-init exits 2, its own code for a program it could not start, instead of the shell\'s 127.',
  'dumb-init/init-exec-not-executable': 'dumb-init exits 2, its own code for a program it could not start, instead of the shell\'s 126.',
  'dumb-init/init-expect': 'dumb-init has no option to turn an exit code into 0 (tini\'s and pause\'s -e), so the program\'s 143 passes through.',
  'dumb-init/init-subreaper': 'dumb-init is built to run as PID 1 and has no subreaper option, so elsewhere the program\'s orphans go past it.',
  'catatonit/init-exec-missing': 'catatonit\'s child exits 1 (its bail() on any failure) when exec fails, and catatonit passes that 1 on.',
  'catatonit/init-exec-not-executable': 'catatonit\'s child exits 1 (its bail() on any failure) when exec fails, and catatonit passes that 1 on.',
  'catatonit/init-expect': 'catatonit has no option to turn an exit code into 0 (tini\'s and pause\'s -e), so the program\'s 143 passes through.',
  'catatonit/init-not-pid1': 'catatonit always makes itself a child subreaper when it is not PID 1 ("otherwise zombies will collect on the host"), so orphans come back to it unasked.',
  'tini/init-exec-name-too-long': 'tini\'s child exits 127 for ENOENT and 126 for EACCES only; any other exec error, ENAMETOOLONG included, is its 1.',
  'dumb-init/init-exec-directory': 'dumb-init exits 2, its own code for a program it could not start, instead of the shell\'s 126.',
  'dumb-init/init-exec-name-too-long': 'dumb-init exits 2, its own code for a program it could not start, instead of the shell\'s 126.',
  'catatonit/init-exec-directory': 'catatonit\'s child exits 1 (its bail() on any failure) when exec fails, and catatonit passes that 1 on.',
  'catatonit/init-exec-name-too-long': 'catatonit\'s child exits 1 (its bail() on any failure) when exec fails, and catatonit passes that 1 on.',
  'dumb-init/init-fault-signals': 'dumb-init forwards every signal it gets, the CPU\'s faults SEGV and BUS included, where pause leaves those at their default (a real one must kill the init): SIGBUS kills the program.',
  'dumb-init/init-inherited-signals': 'dumb-init installs its handler for every signal, which the exec resets to the default: its program starts with nothing ignored, and the SIGHUP nohup meant to stop kills it.',
  'tini/init-job-control': 'tini ignores SIGTTIN and SIGTTOU itself and does not forward them (it hands the terminal to its child, and must not be stopped writing to it): the program is not stopped.',
  'catatonit/init-job-control': 'catatonit ignores SIGTSTP, SIGTTIN and SIGTTOU ("ignoring kernel attempting to stop us") and does not forward them: the program is not stopped.',
  'dumb-init/init-job-control': 'dumb-init, signalling the program\'s session (without --single-child), turns SIGTSTP, SIGTTIN and SIGTTOU into SIGSTOP, which no handler catches: the program that catches SIGTTOU stops.',
};

export interface ConformanceResult {
  /** The example's file name without .json. */
  scenario: string;
  peer: Peer;
  /** The first step that differs, as `pausekit diff` words it; null when the peer matches. */
  difference: string | null;
}

/** The init-mode examples of a directory (those with an "init" object), by name. */
export function initExamples(dir: string): { name: string; scenario: Scenario }[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.includes('.expected'))
    .sort()
    .map((f) => ({ name: f.replace(/\.json$/, ''), scenario: loadScenario(`${dir}${f}`) }))
    .filter((e) => e.scenario.init !== undefined);
}

const withoutStderr = (observations: Observation[]): Observation[] => observations.map((o) => ({ ...o, stderr: [] }));

/** The first step where a peer's observations differ from the model's (stderr aside), or null. */
export function firstDifference(model: Observation[], peer: Observation[]): string | null {
  const a = withoutStderr(model);
  const b = withoutStderr(peer);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const lines = differences(a[i], b[i]);
    if (lines.length > 0) {
      const where = i === 0 ? 'start' : `step ${i - 1}`;
      return `${where}: ${lines.map((l) => l.trim().replace(' | kernel ', ' | peer ')).join('; ')}`;
    }
  }
  return null;
}

/** Runs every init-mode example of `dir` with each peer on the kernel, against the model. */
export async function conformance(dir: string, peers: readonly Peer[] = PEERS): Promise<ConformanceResult[]> {
  checkArgument(typeof dir === 'string', 'conformance(dir, peers): dir', 'the folder of the example scenarios', dir);
  const results: ConformanceResult[] = [];
  for (const { name, scenario } of initExamples(dir)) {
    const model = await runModel(scenario, { design: 'sigwait' });
    for (const peer of peers) {
      const observed = await runKernel(scenario, { design: 'sigwait', init: peer }).catch(observedBefore);
      results.push({ scenario: name, peer, difference: firstDifference(model, observed) });
    }
  }
  return results;
}

/**
 * A peer run that stopped at a step it could not play (its init ended the
 * namespace earlier than pause would): the observations made before it,
 * which differ from the model's where that happened.
 */
function observedBefore(error: unknown): Observation[] {
  const before = error instanceof PausekitError ? error.details['observations'] : undefined;
  if (!Array.isArray(before)) throw error;
  return before as Observation[];
}

/** A peer's version, as its --version prints it (x.y.z), or "?". */
export function peerVersion(peer: Peer): string {
  const binary = findOnPath(peer);
  if (binary === undefined) return '?';
  const run = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 5000 });
  return /\d+\.\d+\.\d+/.exec(`${run.stdout}${run.stderr}`)?.[0] ?? '?';
}

/** The page docs/init-conformance.md: the table, then each difference with its reason. */
export function conformanceTable(results: readonly ConformanceResult[], versions: Record<Peer, string>): string {
  checkArgument(Array.isArray(results), 'conformanceTable(results, versions): results', 'what conformance() returns', results);
  checkArgument(isRecord(versions), 'conformanceTable(results, versions): versions', "each peer's version ({ tini: '0.19.0', ... })", versions);
  const scenarios = [...new Set(results.map((r) => r.scenario))];
  const peers = PEERS.filter((p) => results.some((r) => r.peer === p));
  const notes: string[] = [];
  const cell = (scenario: string, peer: Peer): string => {
    const result = results.find((r) => r.scenario === scenario && r.peer === peer);
    if (result === undefined) return '-';
    if (result.difference === null) return 'pass';
    const reason = PEER_DIFFERENCES[`${peer}/${scenario}`] ?? 'NOT EXPLAINED: a finding, not a known design choice.';
    notes.push(`${notes.length + 1}. **${peer}, ${scenario}**: ${reason} (${result.difference})`);
    return `differs [${notes.length}]`;
  };
  const none: InitConfig = { name: 'app', exec: 'ok', group: false, subreaper: false, expect: [], reaps: true };
  const all: InitConfig = { ...none, group: true, subreaper: true, expect: [143] };
  const command = (p: Peer, init: InitConfig) => `\`${INIT_COMMANDS[p](p, init, ['PROGRAM']).join(' ')}\``;
  const rows = scenarios.map((s) => `| ${s} | ${peers.map((p) => cell(s, p)).join(' | ')} |`);
  return [
    '# Init conformance: the init-mode scenarios on tini, dumb-init and catatonit',
    '',
    '<!-- Generated: PAUSEKIT_WRITE_CONFORMANCE=1 npx vitest run test/kernel/peers-conformance.test.ts -->',
    '',
    'Every init-mode example scenario (`src/scenario/examples/`, those with an',
    '`"init"` object) runs on the kernel with a peer in pause\'s place, and each',
    'step\'s observation is compared with the model\'s prediction for pausekit\'s',
    'pause, stderr aside (each init words its own messages). pausekit\'s pause',
    'itself must match every step, stderr included: that is',
    '`test/kernel/example-scenarios.test.ts`. The test',
    '`test/kernel/peers-conformance.test.ts` fails when a run no longer gives',
    'this page. Run one yourself with `pausekit run FILE --init tini`.',
    '',
    `| scenario | ${peers.map((p) => `${p} ${versions[p]}`).join(' | ')} |`,
    `|---|${peers.map(() => '---').join('|')}|`,
    ...rows,
    '',
    'How each peer is started (`INIT_COMMANDS` in `src/engines/kernel/engine.ts`),',
    'for a scenario with no options, and with `"group"`, `"subreaper"` and',
    '`"expect": [143]` (pause\'s `-g -s -e 143`):',
    '',
    ...peers.map((p) => `- ${p}: ${command(p, none)}; ${command(p, all)}`),
    '',
    ...(notes.length === 0 ? ['No differences.'] : ['Each difference is a design choice of the peer, not a bug:', '', ...notes]),
    '',
  ].join('\n');
}
