// A runner that gets killed: opens a kernel session (argv[2]: pid1 | plain),
// leaves a running, a stopped and a zombie process in it, prints every host
// pid as one JSON line, then waits to be killed (test/kernel/cleanup.test.ts).
import { KernelSession } from '../../src/engines/kernel/engine.ts';
import type { Step } from '../../src/scenario/types.ts';

const session = await KernelSession.open({ design: 'sigwait', pid1: process.argv[2] !== 'plain' });
const steps: Step[] = [
  { event: 'spawn', name: 'app', parent: 'outside', reaps: false },
  { event: 'spawn', name: 'child', parent: 'app', reaps: true },
  { event: 'spawn', name: 'dead', parent: 'app', reaps: true },
  { event: 'exit', name: 'dead', code: 0 },
  { event: 'spawn', name: 'frozen', parent: 'child', reaps: true },
  { event: 'signal', target: 'frozen', signal: 'SIGSTOP', from: 'outside' },
];
for (const [index, step] of steps.entries()) await session.step(step, index);
process.stdout.write(`${JSON.stringify(await session.pids())}\n`);
