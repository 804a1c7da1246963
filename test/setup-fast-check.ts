// fast-check's global settings: every run draws from the suite's seed
// (test/support/property.ts: fixed, or PAUSEKIT_SEED), and no property run
// may hang CI: a run that hits the time limit (50 s, or
// PAUSEKIT_TIME_LIMIT_MS, which npm run test:deep raises) fails; it is
// never taken as a pass.
import fc from 'fast-check';
import { SEED } from './support/property.ts';

const TIME_LIMIT_MS = Number(process.env['PAUSEKIT_TIME_LIMIT_MS'] ?? 50_000);

fc.configureGlobal({ seed: SEED, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: true });
