// Prints how this user can run kernel scenarios, then the seed story's
// observations on the kernel, as two JSON lines (for
// test/kernel/user-namespace.test.ts, which runs it as an ordinary user).
import { kernelAvailability, runKernel } from '../../src/engines/kernel/engine.ts';
import { SEED_STORY } from '../../src/scenario/load.ts';

process.stdout.write(`${JSON.stringify(kernelAvailability())}\n`);
process.stdout.write(`${JSON.stringify(await runKernel(SEED_STORY, { design: 'sigwait' }))}\n`);
