// `pausekit conform` on the command line: bad input is one line and exit 2,
// with nothing written; as a CI step, it exits 0 on tini with tini's known
// differences declared in YAML, 1 when a declaration no longer shows (said
// so), and 1 for an init that differs, whose saved scenario `pausekit run`
// replays; and it checks the Kubernetes pause built from a pause.c the user
// names (here a stand-in of the same shape: the project has no copy of it),
// which differs only in keeping the signal mask it is started with.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { PEER_DIFFERENCES } from '../../src/check/conformance.ts';
import type { ConformReport } from '../../src/check/conform.ts';
import { pausekit } from '../cli/pausekit.ts';
import { cannotRun, commands, KERNEL } from '../support/gate.ts';
import { K8S_PAUSE_STAND_IN } from '../support/k8s-pause.ts';
import { SEED } from '../support/property.ts';

const DIR = mkdtempSync(join(tmpdir(), 'pausekit-conform-cli-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));
const TINI = ['--init', 'tini --', '--group-flag=-g', '--subreaper-flag=-s', '--expect-flag=-e {code}'];
const file = (name: string, text: string) => {
  const path = join(DIR, name);
  writeFileSync(path, text);
  return path;
};

describe('pausekit conform refuses bad input in one line, exit 2, writing nothing', () => {
  const yaml = file('bad.yaml', 'differences:\n  exec: [not, a, reason]\n');
  const unknown = file('unknown.json', '{ "differences": { "SIGFOO": "no such row" } }');
  const broken = file('broken.yaml', 'differences: {\n');
  test.each([
    ['no init', [], "conform: which init? (--init, or --pause for a sandbox pause)"],
    ['an init and a pause', ['--init', 'tini --', '--pause', 'catatonit -P'], 'conform: --init and --pause name two things to check: give one'],
    ['a template with --pause', ['--pause', 'catatonit -P', '--group-flag=-g'], "conform: --group-flag is a template of an init's feature: it does not apply to --pause"],
    ['an unbalanced quote', ['--init', "tini '--"], "conform: --init: unbalanced quote in 'tini '--'"],
    ['an expect template without {code}', [...TINI.slice(0, 4), '--expect-flag=-e'],
      "--expect-flag: the words must hold {code}, where the exit code goes (e.g. '-e {code}'), got '-e'"],
    ['a bad run count', [...TINI, '--runs', 'many'], 'conform: --runs: expected a whole number from 0 to 100000, got "many"'],
    ['a reason that is not text', [...TINI, '--declared', yaml], `${yaml}: differences.exec: give the reason for this difference (a line of text)`],
    ['a behaviour that does not exist', [...TINI, '--declared', unknown], "conform: declared difference 'SIGFOO' is not a behaviour of init mode (they are: exit-code, "],
    ['YAML that does not parse', [...TINI, '--declared', broken], `${broken}: not valid YAML: `],
    ['a declarations file of another kind', [...TINI, '--declared', join(DIR, 'x.txt')], `${join(DIR, 'x.txt')}: a file of declared differences is .json, .yaml or .yml`],
    ['a Kubernetes source that is not pause.c', ['--k8s-pause-source', yaml], `conform: --k8s-pause-source: ${yaml} is not the Kubernetes pause.c`],
  ])('%s', async (_, args, message) => {
    const out = join(DIR, `out-${args.length}`);
    const ran = await pausekit(['conform', ...args, '--out', out]);
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
    expect(ran.stderr.split('\n')[0]!.startsWith(`pausekit: ${message}`), ran.stderr).toBe(true);
    if (!message.startsWith('conform: which') && !message.startsWith('conform: --init and')) expect(ran.stderr.split('\n').length).toBe(2);
    expect(existsSync(out)).toBe(false);
  });
});

const skip = cannotRun('pausekit conform on the kernel', KERNEL, commands(['tini', 'catatonit', 'strace', 'cc']));

describe.skipIf(skip)('pausekit conform as a CI step', () => {
  test(`exits 0 on tini with its differences declared in YAML, and 1 when a declaration no longer shows (seed ${SEED})`, async () => {
    const reasons = Object.entries(PEER_DIFFERENCES.tini).map(([id, reason]) => `  ${id}: ${JSON.stringify(reason)}`);
    const declared = file('tini.yaml', `differences:\n${reasons.join('\n')}\n`);
    const ran = await pausekit(['conform', ...TINI, '--declared', declared, '--runs', '5', '--seed', String(SEED), '--out', join(DIR, 'tini')]);
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toMatch(/\nconforms, apart from the declared differences\n$/);
    expect(ran.code).toBe(0);
    const stale = file('stale.yaml', `differences:\n${reasons.join('\n')}\n  exit-code: "tini passes the code on as pause does, so this shows nothing"\n`);
    const again = await pausekit(['conform', ...TINI, '--declared', stale, '--runs', '0', '--out', join(DIR, 'tini-stale')]);
    expect(again.stdout).toMatch(/\ndeclared but no longer differing: exit-code\ndoes not conform\n$/);
    expect(again.code).toBe(1);
  }, 120_000);

  test('exits 1 for catatonit, whose saved scenario pausekit run replays to the same difference', async () => {
    const out = join(DIR, 'catatonit');
    const ran = await pausekit(['conform', '--init', 'catatonit --', '--group-flag=-g', '--runs', '0', '--out', out, '--json']);
    expect(ran.code).toBe(1);
    const report = JSON.parse(ran.stdout) as ConformReport;
    expect(report.undeclared).toEqual(['SIGABRT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGSYS', 'not-pid1', 'exec', 'start']);
    expect(report.rows.find((r) => r.id === 'not-pid1')!.difference!.replay).toBe(`pausekit run ${join(out, 'not-pid1.json')} --init 'catatonit --' --group-flag=-g`);
    const saved = JSON.parse(readFileSync(join(out, 'not-pid1.json'), 'utf8')) as { description: string };
    expect(saved.description).toMatch(/^conform not-pid1: step 2 \(worker exits with code 0\): daemon: model running, parent outside \| kernel running, parent pause/);
    const replay = await pausekit(['run', join(out, 'not-pid1.json'), '--init', 'catatonit --', '--group-flag=-g', '--json']);
    expect(replay.code).toBe(0);
    const observations = JSON.parse(replay.stdout) as { processes: Record<string, { parent: string | null }> }[];
    expect(observations[3]!.processes['daemon']!.parent).toBe('pause');
  }, 120_000);

  // The Kubernetes pause never sets its signal mask: started with SIGCHLD blocked, it never reaps.
  test('holds the Kubernetes pause built from the pause.c given (a stand-in of its shape) as a sandbox pause: it conforms but for the mask it is started with', async () => {
    const source = file('pause.c', K8S_PAUSE_STAND_IN);
    const declared = file('k8s.yaml', 'differences:\n  start: "the Kubernetes pause keeps the signal mask it is started with, so with SIGCHLD blocked it reaps nothing"\n');
    const ran = await pausekit(['conform', '--k8s-pause-source', source, '--work-dir', join(DIR, 'work'), '--runs', '5', '--seed', String(SEED),
      '--declared', declared, '--out', join(DIR, 'k8s'), '--json']);
    expect(ran.stderr).toBe('');
    const report = JSON.parse(ran.stdout) as ConformReport;
    expect(report.subject).toMatch(new RegExp(`^--pause ${join(DIR, 'work', 'bench')}/k8s-[0-9a-f]{12}/k8s-pause-glibc$`));
    expect(report.rows.map((r) => `${r.id}: ${r.result}`)).toEqual([
      ...['reaping', 'shutdown', 'protection', 'stop', 'plain'].map((id) => `${id}: passes`), 'start: differs', 'random: passes']);
    expect(report.rows.find((r) => r.id === 'start')!.difference!.text).toMatch(/^step 3 \(child exits with code 3\): child: model gone \| kernel zombie, parent pause$/);
    expect(ran.code).toBe(0);
  }, 120_000);
});
