// The peers held to the model: tini, dumb-init and catatonit, each given to
// `pausekit conform` as its command line and the templates of the features
// it offers. Their known differences (PEER_DIFFERENCES, one sentence each:
// a design choice the peer makes, or a finding) are declared, so each
// peer's run must show exactly those. The page docs/init-conformance.md is
// conformanceTable() of their reports; test/kernel/peers-conformance.test.ts
// checks that the page says what the runs give.
import { spawnSync } from 'node:child_process';
import { findOnPath } from '../engines/kernel/engine.ts';
import { checkArgument, isRecord } from '../errors.ts';
import { conform, type ConformReport, type RowResult } from './conform.ts';
import { commandOptions, initCommand, type TemplateOption } from './conform-command.ts';

/** The peers the page compares. */
export const PEERS = ['tini', 'dumb-init', 'catatonit'] as const;
export type Peer = (typeof PEERS)[number];

/** Each peer as `pausekit conform --init` takes it: its command line before the program, and its templates. */
export const PEER_COMMANDS: Record<Peer, { init: string; templates: Partial<Record<TemplateOption, string>> }> = {
  tini: { init: 'tini --', templates: { 'subreaper-flag': '-s', 'group-flag': '-g', 'expect-flag': '-e {code}' } },
  'dumb-init': { init: 'dumb-init', templates: { 'single-flag': '--single-child' } },
  catatonit: { init: 'catatonit --', templates: { 'group-flag': '-g' } },
};

const FAULTS = 'pause, like tini and catatonit, leaves the CPU\'s fault signals (ILL, TRAP, BUS, FPE, SEGV) at their default, as they are about the init itself';

/** One reason given to each of several rows. */
const each = (ids: string[], reason: string): Record<string, string> => Object.fromEntries(ids.map((id) => [id, reason]));

/**
 * The known differences, by peer and behaviour (a row of the report): each
 * a choice the peer makes on purpose, or a finding, in one sentence. The
 * test fails for a difference not listed here, and for a listed one that no
 * longer shows.
 */
export const PEER_DIFFERENCES: Record<Peer, Record<string, string>> = {
  tini: {
    SIGABRT: 'tini leaves SIGABRT, with the fault signals, unblocked and without a handler, so as PID 1 it never gets it (the kernel drops it); pause forwards it.',
    ...each(['SIGTTIN', 'SIGTTOU'], 'tini ignores SIGTTIN and SIGTTOU, so that a terminal with TOSTOP set cannot stop it once its program has the foreground, and never forwards them; pause forwards them.'),
    SIGSYS: 'tini leaves SIGSYS, with the fault signals, unblocked and without a handler, so as PID 1 it never gets it: the kernel drops it.',
    exec: 'tini\'s child exits 127 for ENOENT, 126 for EACCES and 1 for any other failed exec, so a name too long (ENAMETOOLONG) gives 1 where pause gives 126.',
    start: 'a finding: tini leaves SIGCHLD as it was started with, so started with it ignored, the kernel reaps its program for it: tini never learns that it exited and runs on.',
  },
  'dumb-init': {
    ...each(['SIGILL', 'SIGTRAP', 'SIGBUS', 'SIGFPE', 'SIGSEGV'], `dumb-init forwards every signal it can catch; ${FAULTS}.`),
    group: 'in its default setsid mode dumb-init rewrites SIGTSTP, SIGTTIN and SIGTTOU to SIGSTOP (documented), so a program that catches SIGTTOU is stopped anyway.',
    orphans: 'dumb-init exits as soon as it has reaped its program, leaving the zombies it adopted at that moment to the kernel.',
    'program-exit': 'when its program exits, dumb-init sends SIGTERM to the program\'s whole session (unless --single-child), so the program\'s children die with it.',
    exec: 'dumb-init exits 2, its own code for a program it could not start, instead of the shell\'s 127 and 126.',
    start: 'dumb-init sets a handler on every signal and unblocks them all in its child, so its program starts with no signal ignored or blocked, whatever the init was started with (nohup\'s ignored SIGHUP is lost).',
  },
  catatonit: {
    SIGABRT: 'catatonit leaves SIGABRT among the signals "the kernel sends us if we screwed something up", unblocked and without a handler, so as PID 1 it never gets it; pause forwards it.',
    ...each(['SIGTSTP', 'SIGTTIN', 'SIGTTOU'], 'catatonit takes SIGTSTP, SIGTTIN and SIGTTOU as a terminal trying to stop it, ignores them and never forwards them; pause forwards them.'),
    SIGSYS: 'catatonit leaves SIGSYS, a synchronous signal, unblocked and without a handler, as tini does, so as PID 1 it never gets it.',
    'not-pid1': 'catatonit always makes itself a child subreaper when it is not PID 1 ("otherwise zombies will collect on the host"), so orphans come back to it unasked.',
    exec: 'catatonit\'s child exits 1 (its bail() on any failure) when exec fails, and catatonit passes that 1 on, instead of 127 and 126.',
    start: 'a finding: catatonit 0.1.7 starts its program with SIGTSTP, SIGTTIN and SIGTTOU blocked on top of the mask it was started with, which the program inherits through exec.',
  },
};

/** Runs `pausekit conform` on a peer, its known differences declared. */
export async function peerConformance(peer: Peer, options: { runs?: number; seed?: number } = {}): Promise<ConformReport> {
  checkArgument(PEERS.includes(peer), 'peerConformance(peer, options): peer', PEERS.join(', '), peer);
  const { init, templates } = PEER_COMMANDS[peer];
  return conform({ init: initCommand(init, templates), declared: PEER_DIFFERENCES[peer], ...options });
}

/** A peer's version, as its --version prints it (x.y.z), or "?". */
export function peerVersion(peer: Peer): string {
  const binary = findOnPath(peer);
  if (binary === undefined) return '?';
  const run = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 5000 });
  return /\d+\.\d+\.\d+/.exec(`${run.stdout}${run.stderr}`)?.[0] ?? '?';
}

/** The page docs/init-conformance.md: one row per behaviour, a column per peer, then each difference with its reason. */
export function conformanceTable(reports: Partial<Record<Peer, ConformReport>>, versions: Partial<Record<Peer, string>>): string {
  checkArgument(isRecord(reports), 'conformanceTable(reports, versions): reports', "each peer's report ({ tini: await peerConformance('tini'), ... })", reports);
  checkArgument(isRecord(versions), 'conformanceTable(reports, versions): versions', "each peer's version ({ tini: '0.19.0', ... })", versions);
  const peers = PEERS.filter((p) => reports[p] !== undefined);
  const rows = reports[peers[0]!]?.rows ?? [];
  const notes: string[] = [];
  const cell = (peer: Peer, id: string): string => {
    const row: RowResult | undefined = reports[peer]!.rows.find((r) => r.id === id);
    if (row === undefined) return '-';
    if (row.result !== 'differs') return row.result === 'passes' ? 'pass' : row.result;
    const reason = row.declared ?? 'NOT EXPLAINED: a finding, not yet a known difference.';
    notes.push(`${notes.length + 1}. **${peer}, ${id}**: ${reason} (${row.difference!.probe}: ${row.difference!.text})`);
    return `differs [${notes.length}]`;
  };
  const table = rows.map((r) => `| ${r.id} | ${r.title.replace(/\|/g, '\\|')} | ${peers.map((p) => cell(p, r.id)).join(' | ')} |`);
  return [
    '# Init conformance: tini, dumb-init and catatonit held to the model',
    '',
    '<!-- Generated: PAUSEKIT_WRITE_CONFORMANCE=1 npx vitest run test/kernel/peers-conformance.test.ts -->',
    '',
    '`pausekit conform` runs each behaviour\'s scenarios (the init-mode examples of',
    '`src/scenario/examples/`, and scenarios made for the behaviour) on the kernel',
    'with a peer in pause\'s place, and compares each step\'s observation with the',
    'model\'s prediction for pausekit\'s pause in any of its designs, stderr aside',
    '(each init words its own messages); then random plans that combine what',
    'passed alone. pausekit\'s pause passes every row in each design, with nothing',
    'declared (`test/conform/pause-and-mutants.test.ts`). The test',
    '`test/kernel/peers-conformance.test.ts` fails when a run no longer gives this',
    'page. Replay a difference with `pausekit run FILE` and the same `--init`',
    'options, or check your own init: [init.md](init.md#check-your-own-init).',
    '',
    `| behaviour | the model's pause | ${peers.map((p) => `${p} ${versions[p] ?? '?'}`).join(' | ')} |`,
    `|---|---|${peers.map(() => '---').join('|')}|`,
    ...table,
    '',
    'How each peer is given to `pausekit conform` (a feature with no template is',
    '"not offered", and no scenario that needs it runs):',
    '',
    ...peers.map((p) => `- ${p}: \`pausekit conform ${commandOptions(initCommand(PEER_COMMANDS[p].init, PEER_COMMANDS[p].templates))}\``),
    '',
    ...(notes.length === 0 ? ['No differences.'] : [
      'Each difference, with its reason (a design choice of the peer, or a finding),',
      'then the shortest scenario that shows it and its first differing step:',
      '',
      ...notes,
    ]),
    '',
  ].join('\n');
}
