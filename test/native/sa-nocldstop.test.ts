// Reference row: SIGCHLD is installed with SA_NOCLDSTOP, so a child that
// stops or continues does not wake pause; a child that exits does (and is
// reaped). The autoreap design ignores SIGCHLD: nothing a child does wakes
// pause, and the kernel releases it at its exit. Seen through pause's
// voluntary context switches in /proc.
import { readFileSync } from 'node:fs';
import type { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { pauseBinary } from '../../src/engines/kernel/engine.ts';
import {
  DESIGNS, MODES, childrenOf, until, procStatus, startPause, stopPause, untilReady, type PauseProcess,
} from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the SA_NOCLDSTOP tests', KERNEL);

/** pause's voluntary context switches, read once pause sleeps with nothing pending. */
async function settledSwitches(pid: number): Promise<number> {
  return until(`pause (${pid}) sleeps with nothing pending`, () => {
    const status = procStatus(pid);
    const syscall = readFileSync(`/proc/${pid}/syscall`, 'utf8');
    if (!status || !status.State.startsWith('S') || syscall.startsWith('running')) return undefined;
    if (BigInt(`0x${status.SigPnd}`) !== 0n || BigInt(`0x${status.ShdPnd}`) !== 0n) return undefined;
    return Number(status.voluntary_ctxt_switches);
  });
}

/** Waits until a process is in a state, then until it is off the CPU (/proc/PID/syscall waits for that). */
async function untilState(pid: number, state: RegExp): Promise<void> {
  await until(`process ${pid} is in state ${state}`, () => (state.test(procStatus(pid)?.State ?? '') ? true : undefined));
  readFileSync(`/proc/${pid}/syscall`, 'utf8');
}

describe.skipIf(skip)('SA_NOCLDSTOP', () => {
  let pause: PauseProcess | undefined;
  afterEach(() => stopPause(pause));

  for (const design of DESIGNS) {
    for (const mode of MODES) {
      const exit = design === 'autoreap' ? 'nor when it exits (the kernel releases it)' : 'and not when it exits';
      it(`keeps pause asleep when its child stops and continues, ${exit} (${design} design, as ${mode})`, async () => {
        // The shell forks a child that waits on fd 3, then becomes pause.
        pause = await startPause(mode, ['sh', '-c', `read x <&3 & exec ${pauseBinary(design)}`], ['pipe']);
        await untilReady(pause, design);
        const { pid } = pause;
        const [child] = await until('pause has its child', () => (childrenOf(pid).length === 1 ? childrenOf(pid) : undefined));
        await untilState(child, /^S/);
        const before = await settledSwitches(pid);

        process.kill(child, 'SIGSTOP');
        await untilState(child, /^T/);
        expect(await settledSwitches(pid)).toBe(before);

        process.kill(child, 'SIGCONT');
        await untilState(child, /^S/);
        expect(await settledSwitches(pid)).toBe(before);

        // The control: an exit does wake pause, which reaps the child; with
        // autoreap the child is gone, no zombie ever, and pause slept on.
        (pause.child.stdio[3] as Writable).end();
        await until('the child is reaped', () => (childrenOf(pid).length === 0 ? true : undefined));
        if (design === 'autoreap') expect(await settledSwitches(pid)).toBe(before);
        else expect(await settledSwitches(pid)).toBeGreaterThan(before);
      });
    }
  }
});
