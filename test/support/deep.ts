// `npm run test:deep`: the property, differential and fuzz tests with a fresh
// seed and many more runs than CI's (which use the fixed seed of
// property.ts). It prints the seed and the command that replays the run
// first; every failure prints them again. Extra arguments go to vitest
// (e.g. a test file, to go deep on one).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The tests that draw random cases from the seed. */
const FILES = [
  'test/model/properties.test.ts',
  'test/model/init-forwarding.test.ts',
  'test/model/debug-build.test.ts',
  'test/model/mutants.test.ts',
  'test/model/wasi-runtimes.test.ts',
  'test/kernel/differential.test.ts',
  'test/kernel/mutants.test.ts',
  'test/cli/fuzz-arguments.test.ts',
  'test/cli/fuzz-scenario-loader.test.ts',
  'test/native/random-argv.test.ts',
];

/** The run counts of a deep run, ten times CI's (PAUSEKIT_*_RUNS set in the environment win). */
const RUNS: Record<string, string> = {
  PAUSEKIT_PROPERTY_RUNS: '10000',
  PAUSEKIT_DEBUG_RUNS: '10000',
  PAUSEKIT_DIFF_RUNS: '3000',
  PAUSEKIT_FUZZ_RUNS: '100000',
  PAUSEKIT_FUZZ_ARGV_RUNS: '20000',
  PAUSEKIT_FUZZ_PAUSE_RUNS: '3000',
};

/** Each test's time, and fast-check's limit on one property run, for that many runs: half an hour. */
const TIMEOUT_MS = 1_800_000;

// A fresh seed, unless PAUSEKIT_SEED replays one.
const seed = process.env['PAUSEKIT_SEED'] || String((Date.now() ^ (process.pid << 16)) | 0);
const env: NodeJS.ProcessEnv = { ...RUNS, PAUSEKIT_TIME_LIMIT_MS: String(TIMEOUT_MS - 60_000), ...process.env, PAUSEKIT_SEED: seed };
const files = process.argv.length > 2 ? process.argv.slice(2) : FILES;
const settings = Object.keys(RUNS).map((name) => `${name}=${env[name]}`).join(' ');
console.log(`test:deep: seed ${seed}\nreplay: PAUSEKIT_SEED=${seed} ${settings} npx vitest run ${files.join(' ')}\n`);
const vitest = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const result = spawnSync(process.execPath, [vitest, 'run', `--testTimeout=${TIMEOUT_MS}`, ...files], { env, stdio: 'inherit' });
process.exitCode = result.status ?? 1;
