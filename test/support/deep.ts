// `npm run test:deep`: the differential at scale, then the other tests
// that draw random cases, with a fresh seed and many more runs than CI's
// (which use the fixed seed of property.ts).
//
//   npm run test:deep -- [--runs N] [--seed S] [--shard K/N] [--workers W]
//                        [--design D,...] [--report FILE] [--differential-only]
//   npm run test:deep -- --replay DESIGN:INDEX --seed S
//   npm run test:deep -- --merge FILE... [--report FILE]
//
// The differential plays N random scenarios per design (PAUSEKIT_DIFF_RUNS,
// default 100,000), every design, pause and init mode mixed, on the model
// and the kernel, several kernel sessions at once, printing progress and
// throughput; then its summary (lengths, endings) and a report file. A
// shard (--shard K/N) plays every Nth scenario of the same seeded run and
// writes its own report; --merge sums the shards' reports into the whole
// run's. A disagreement is shrunk and saved as a scenario file, with the
// command that replays that one run alone (--replay). Without a shard the
// property and fuzz tests then run under vitest with the same seed.
import { mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { propertySeed } from '../../src/check/arbitraries.ts';
import { loadModel } from '../../src/engines/model/wasm.ts';
import { scenarioToJson } from '../../src/scenario/load.ts';
import { counted } from '../../src/scenario/report.ts';
import { DESIGNS, type Design, type Scenario } from '../../src/scenario/types.ts';
import { DIFFERENTIAL_PLANS, runCampaign, shrinkRun, type CampaignReport, type Shard } from './campaign.ts';
import { coverageTable, mergeReports, readReport, ReportError, summary, writeReport } from './deep-report.ts';

const USAGE = `usage: npm run test:deep -- [--runs N] [--seed S] [--shard K/N] [--workers W]
                            [--design D,...] [--report FILE] [--differential-only]
       npm run test:deep -- --replay DESIGN:INDEX --seed S
       npm run test:deep -- --merge FILE... [--report FILE]`;

/** The tests besides the differential that draw random cases from the seed. */
const FILES = [
  'test/model/properties.test.ts',
  'test/model/init-forwarding.test.ts',
  'test/model/debug-build.test.ts',
  'test/model/mutants.test.ts',
  'test/model/wasi-runtimes.test.ts',
  'test/kernel/mutants.test.ts',
  'test/cli/fuzz-arguments.test.ts',
  'test/cli/fuzz-scenario-loader.test.ts',
  'test/native/random-argv.test.ts',
];

/** Their run counts in a deep run, ten times CI's (PAUSEKIT_*_RUNS set in the environment win). */
const RUNS: Record<string, string> = {
  PAUSEKIT_PROPERTY_RUNS: '10000',
  PAUSEKIT_DEBUG_RUNS: '10000',
  PAUSEKIT_FUZZ_RUNS: '100000',
  PAUSEKIT_FUZZ_ARGV_RUNS: '20000',
  PAUSEKIT_FUZZ_PAUSE_RUNS: '3000',
};

/** The differential's scenarios per design in a deep run (PAUSEKIT_DIFF_RUNS or --runs win). */
const DEEP_DIFF_RUNS = 100_000;

/** Each vitest test's time, and fast-check's limit on one property run: half an hour. */
const TIMEOUT_MS = 1_800_000;

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = `${ROOT}build/deep/`;

/** Bad input: one line naming what was wrong, and exit 2. */
class Usage extends Error {}

/** A whole number in range, or Usage naming the option. */
function whole(what: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new Usage(`${what}: expected a whole number ${min}..${max}, got '${text}'`);
  return n;
}

/** --shard K/N: 1 <= K <= N. */
function shardOf(text: string): Shard {
  const match = /^([0-9]+)\/([0-9]+)$/.exec(text);
  if (match === null) throw new Usage(`--shard: expected K/N (e.g. 1/4), got '${text}'`);
  const count = whole('--shard N', match[2]!, 1, 10_000);
  return { index: whole('--shard K', match[1]!, 1, count), count };
}

/** --design a,b: known designs. */
function designsOf(text: string): Design[] {
  const names = text.split(',');
  const bad = names.find((name) => !DESIGNS.includes(name as Design));
  if (bad !== undefined) throw new Usage(`--design: expected ${DESIGNS.join(', ')} (comma-separated), got '${bad}'`);
  return names as Design[];
}

/** The seed: --seed, else PAUSEKIT_SEED, else a fresh one. */
function seedOf(text: string | undefined): number {
  if (text === undefined) return propertySeed();
  if (!/^-?[0-9]+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new Usage(`--seed: expected an integer, got '${text}'`);
  return Number(text);
}

/** "12m 30s" for a number of seconds. */
function duration(seconds: number): string {
  const s = Math.round(seconds);
  return s >= 60 ? `${Math.floor(s / 60)}m ${s % 60}s` : `${s}s`;
}

/** Saves a shrunk failure as a scenario file; its path. */
function saveFailure(seed: number, design: Design, index: number, scenario: Scenario, why: string): string {
  mkdirSync(`${ROOT}build/counterexamples/`, { recursive: true });
  const file = `${ROOT}build/counterexamples/deep-${design}-run${index}-seed${seed}.json`;
  writeFileSync(file, scenarioToJson({ ...scenario, description: why.split('\n')[0]!.slice(0, 300) }));
  return file;
}

/** Shrinks and saves each design's first disagreement; how many there were. */
async function reportFailures(report: CampaignReport, model: Awaited<ReturnType<typeof loadModel>>): Promise<number> {
  let failures = 0;
  for (const design of report.designs) {
    const first = (report.verdicts[design] ?? []).find((v) => !v.agree);
    if (first === undefined) continue;
    failures++;
    console.log(`\n${design}: run ${first.index} disagrees:\n  ${first.why}`);
    await replay(report.seed, design, first.index, model);
  }
  return failures;
}

/** Plays one run alone, and shrinks and saves it if it fails: its exit code. */
async function replay(seed: number, design: Design, index: number, model: Awaited<ReturnType<typeof loadModel>>): Promise<number> {
  const found = await shrinkRun({ model, seed, index, design, arbitrary: DIFFERENTIAL_PLANS });
  const command = `npm run test:deep -- --replay ${design}:${index} --seed ${seed}`;
  if (found === null) {
    console.log(`run ${index} of seed ${seed} (${design}): model and kernel agree (replay: ${command})`);
    return 0;
  }
  const file = saveFailure(seed, design, index, found.scenario, found.why);
  console.log(`run ${index} of seed ${seed} (${design}) disagrees, shrunk ${found.shrinks} times; saved to ${file}\n` +
    `  (pausekit diff ${file} --design ${design}; replay: ${command})\n${found.why}\n${scenarioToJson(found.scenario)}`);
  return 1;
}

/** The differential run (or a shard of it): progress, report, summary, failures. Its exit code. */
async function differential(values: Record<string, string | boolean | undefined>, seed: number): Promise<number> {
  const runs = whole('--runs', String(values['runs'] ?? process.env['PAUSEKIT_DIFF_RUNS'] ?? DEEP_DIFF_RUNS), 1);
  const shard = values['shard'] === undefined ? { index: 1, count: 1 } : shardOf(String(values['shard']));
  const designs = values['design'] === undefined ? [...DESIGNS] : designsOf(String(values['design']));
  const workers = values['workers'] === undefined ? undefined : whole('--workers', String(values['workers']), 1, 64);
  const file = values['report'] === undefined ? `${OUT}deep-seed${seed}${shard.count > 1 ? `-shard${shard.index}of${shard.count}` : ''}.json` : String(values['report']);
  console.log(`test:deep: differential, seed ${seed}, ${runs.toLocaleString('en-US')} scenarios per design (${designs.join(', ')})` +
    `${shard.count > 1 ? `, shard ${shard.index}/${shard.count}` : ''}\n` +
    `replay: npm run test:deep -- --seed ${seed} --runs ${runs}${shard.count > 1 ? ` --shard ${shard.index}/${shard.count}` : ''} --differential-only\n`);
  const model = await loadModel();
  let printed = 0;
  const report = await runCampaign({
    model, seed, runs, designs, shard, workers, arbitrary: DIFFERENTIAL_PLANS,
    progress: (design, done, total, elapsedMs) => {
      if (done < total && performance.now() - printed < 10_000) return;
      printed = performance.now();
      const rate = done / (elapsedMs / 1000);
      console.log(`  ${design}: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} (${((100 * done) / total).toFixed(1)}%), ` +
        `${rate.toFixed(1)} scenarios/s${done < total ? `, ${duration((total - done) / rate)} to go` : ` in ${duration(elapsedMs / 1000)}`}`);
    },
  });
  mkdirSync(OUT, { recursive: true });
  writeReport(file, report);
  console.log(`\n${[...summary(report), '', ...coverageTable(report)].join('\n')}\nreport: ${file}`);
  return (await reportFailures(report, model)) > 0 ? 1 : 0;
}

/** The other random tests, under vitest with the same seed: its exit code. */
function vitest(seed: number, extra: string[]): number {
  const env: NodeJS.ProcessEnv = { ...RUNS, PAUSEKIT_TIME_LIMIT_MS: String(TIMEOUT_MS - 60_000), ...process.env, PAUSEKIT_SEED: String(seed) };
  const files = extra.length > 0 ? extra : FILES;
  const settings = Object.keys(RUNS).map((name) => `${name}=${env[name]}`).join(' ');
  console.log(`\ntest:deep: the other random tests, seed ${seed}\nreplay: PAUSEKIT_SEED=${seed} ${settings} npx vitest run ${files.join(' ')}\n`);
  const bin = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
  const result = spawnSync(process.execPath, [bin, 'run', `--testTimeout=${TIMEOUT_MS}`, ...files], { env, stdio: 'inherit' });
  return result.status ?? 1;
}

/** --merge: the shards' reports into the whole run's: its summary, and exit 1 if any run disagrees. */
function merge(files: string[], out: string | undefined): number {
  const report = mergeReports(files.map(readReport));
  console.log(`test:deep: ${counted(files.length, 'shard')} of seed ${report.seed}, ${report.runs.toLocaleString('en-US')} scenarios per design\n` +
    [...summary(report), '', ...coverageTable(report)].join('\n'));
  if (out !== undefined) {
    writeReport(out, report);
    console.log(`report: ${out}`);
  }
  const failed = report.designs.flatMap((d) => (report.verdicts[d] ?? []).filter((v) => !v.agree).map((v) => `${d}:${v.index}`));
  for (const run of failed.slice(0, 10)) console.log(`replay: npm run test:deep -- --replay ${run} --seed ${report.seed}`);
  return failed.length > 0 ? 1 : 0;
}

/** Parses the command line and does what it asks: the exit code. */
async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: {
      runs: { type: 'string' }, seed: { type: 'string' }, shard: { type: 'string' }, workers: { type: 'string' },
      design: { type: 'string' }, report: { type: 'string' }, 'differential-only': { type: 'boolean' },
      replay: { type: 'string' }, merge: { type: 'boolean' }, help: { type: 'boolean' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.merge) return merge(positionals, values.report);
  const seed = seedOf(values.seed ?? (process.env['PAUSEKIT_SEED'] || undefined));
  if (values.replay !== undefined) {
    const match = /^([a-z]+):([0-9]+)$/.exec(values.replay);
    if (match === null) throw new Usage(`--replay: expected DESIGN:INDEX (e.g. sigwait:123), got '${values.replay}'`);
    if (values.seed === undefined && !process.env['PAUSEKIT_SEED']) throw new Usage('--replay: needs the run\'s --seed');
    return replay(seed, designsOf(match[1]!)[0]!, whole('--replay INDEX', match[2]!, 0), await loadModel());
  }
  const failed = await differential(values, seed);
  if (values['differential-only'] || values.shard !== undefined) return failed;
  return Math.max(failed, vitest(seed, positionals));
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // A mistake in the command line or a report file: one line, exit 2.
  const usage = error instanceof Usage || error instanceof ReportError || (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'));
  if (!usage) throw error;
  console.error(`test:deep: ${(error as Error).message.split('\n')[0]}`);
  process.exitCode = 2;
}
