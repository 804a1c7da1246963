// The two checks of `pausekit conform` that observations cannot make.
//
// Exit reaping: when the program exits with zombies around, the init must
// reap them all before it exits itself (the model's invariant 10). Once it
// has exited, the namespace's end or the runner reaps what it left, so no
// observation shows the difference; strace, attached to the init before the
// scenario's last step, shows which children its wait calls returned before
// exit_group.
//
// The program's start: the program must start with the ignored signals and
// the signal mask the init was started with, as if the init were not there.
// The program here is cat /proc/self/status, run by the init outside any
// namespace, both started (by env(1), where it can) with SIGHUP and SIGINT
// ignored and SIGTERM and SIGUSR1 blocked, as nohup and a shell leave them;
// what it prints must be what cat prints when env starts it directly.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOnPath, KernelSession, type KernelOptions } from '../engines/kernel/engine.ts';
import { PausekitError } from '../errors.ts';
import type { Scenario } from '../scenario/types.ts';

/** How long strace may take to attach, and the init to exit after the last step. */
const TRACE_TIMEOUT_MS = 10_000;

/** Why the exit-reaping check cannot run here (no strace), or null. */
export function exitReapingUnavailable(): string | null {
  return findOnPath('strace') === undefined ? 'strace is not installed (apt-get install strace), so the zombies the init leaves at its exit are not checked' : null;
}

/** The innermost PID namespace's pid of a host pid (the last field of NSpid). */
function namespacePid(hostPid: number): number | undefined {
  try {
    const line = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${hostPid}/status`, 'utf8'))?.[1];
    return line === undefined ? undefined : Number(line.trim().split(/\s+/).at(-1));
  } catch {
    return undefined;
  }
}

/** The pids strace shows the init's wait calls returning, before its exit_group (null: it never exited). */
function reapedBeforeExit(log: string): number[] | null {
  const reaped: number[] = [];
  for (const line of log.split('\n')) {
    if (/^exit_group\(/.test(line) || /^\+\+\+ exited/.test(line)) return reaped;
    const wait4 = /^wait4\(.*\) = (\d+)/.exec(line);
    const waitid = /^waitid\(.*si_pid=(\d+).*\) = 0/.exec(line);
    const pid = Number(wait4?.[1] ?? waitid?.[1] ?? 0);
    if (pid > 0) reaped.push(pid);
  }
  return null;
}

/** Waits for a child process to end, or for the deadline; whether it ended. */
function ended(child: ReturnType<typeof spawn>, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** strace attached to a pid, once it says so; its log goes to `log`. */
async function attachStrace(pid: number, log: string): Promise<ReturnType<typeof spawn>> {
  const strace = spawn(findOnPath('strace')!, ['-p', String(pid), '-o', log, '-e', 'trace=wait4,waitid,exit_group', '-e', 'signal=none'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  const attached = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), TRACE_TIMEOUT_MS);
    strace.stderr!.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      if (/attached/.test(said)) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    strace.once('close', () => resolve(false));
  });
  if (!attached) {
    strace.kill('SIGKILL');
    throw new PausekitError(`strace could not attach to the init: ${said.trim() || 'it said nothing'}`, { kind: 'unavailable' });
  }
  return strace;
}

/**
 * Plays an init-mode scenario on the kernel with strace attached to the init
 * before its last step, the program's exit, which must hand every other
 * process still there to the init as a zombie (the probe's shape); the names
 * of those the init left unreaped when it exited (empty when it reaped them
 * all), or null if it did not exit.
 * The observations are not used: a traced process stops at each system call,
 * which the driver could take for a settled state.
 */
export async function zombiesLeftAtExit(scenario: Scenario, options: KernelOptions): Promise<string[] | null> {
  const session = await KernelSession.open({ ...options, pid1: scenario.pid1, scenarioInit: scenario.init });
  const dir = mkdtempSync(join(tmpdir(), 'pausekit-conform-'));
  try {
    const last = scenario.steps.length - 1;
    for (let i = 0; i < last; i++) await session.step(scenario.steps[i]!, i);
    const hostPids = await session.pids();
    const names = Object.entries(hostPids).filter(([name]) => name !== 'outside' && name !== 'pause');
    const nsPids = new Map(names.map(([name, pid]) => [namespacePid(pid), name]));
    const strace = await attachStrace(hostPids['pause']!, join(dir, 'log'));
    await session.step(scenario.steps[last]!, last);
    if (!(await ended(strace, TRACE_TIMEOUT_MS))) {
      strace.kill('SIGTERM');
      await ended(strace, TRACE_TIMEOUT_MS);
      return null;
    }
    const reaped = reapedBeforeExit(readFileSync(join(dir, 'log'), 'utf8'));
    if (reaped === null) return null;
    const program = scenario.init?.name;
    return [...nsPids.values()].filter((name) => name !== program && !reaped.some((pid) => nsPids.get(pid) === name));
  } finally {
    await session.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
}

/** SigBlk and SigIgn of a /proc/PID/status text, or null when it has not both. */
function signalState(text: string): { blocked: string; ignored: string } | null {
  const blocked = /^SigBlk:\s*([0-9a-f]+)$/m.exec(text)?.[1];
  const ignored = /^SigIgn:\s*([0-9a-f]+)$/m.exec(text)?.[1];
  return blocked === undefined || ignored === undefined ? null : { blocked, ignored };
}

/** The env(1) words that start a command with SIGHUP, SIGINT ignored and SIGTERM, SIGUSR1 blocked; none when env cannot (coreutils before 8.31). */
function inheritingEnv(run: (argv: string[]) => { status: number | null }): string[] {
  const env = findOnPath('env');
  const words = env === undefined ? [] : [env, '--ignore-signal=HUP,INT', '--block-signal=TERM,USR1'];
  return words.length > 0 && run([...words, 'true']).status === 0 ? words : [];
}

/**
 * The program's start under an init: the command line that runs cat, and
 * what differs from cat started directly (null: nothing), in words.
 */
export function startDifference(line: (program: string[]) => string[]): { command: string[]; difference: string | null } {
  const cat = findOnPath('cat');
  if (cat === undefined) throw new PausekitError('the start check needs cat(1) on PATH', { kind: 'unavailable' });
  const program = [cat, '/proc/self/status'];
  const run = (argv: string[]) => spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: TRACE_TIMEOUT_MS, stdio: ['ignore', 'pipe', 'pipe'] });
  const inherit = inheritingEnv(run);
  const command = [...inherit, ...line(program)];
  const direct = signalState(run([...inherit, ...program]).stdout ?? '');
  if (direct === null) throw new PausekitError('the start check could not read cat /proc/self/status started directly', { kind: 'unavailable' });
  const underInit = run(command);
  const seen = signalState(underInit.stdout ?? '');
  if (seen === null) {
    const said = (underInit.stderr ?? '').trim().split('\n')[0] ?? '';
    return { command, difference: `the program printed no signal state (the init ${underInit.status === null ? 'did not exit' : `exited ${underInit.status}`}${said ? `: ${said}` : ''})` };
  }
  const differences = [
    seen.blocked === direct.blocked ? '' : `mask SigBlk ${seen.blocked} (expected ${direct.blocked})`,
    seen.ignored === direct.ignored ? '' : `ignored SigIgn ${seen.ignored} (expected ${direct.ignored})`,
  ].filter((d) => d !== '');
  return { command, difference: differences.length === 0 ? null : `the program started with ${differences.join(' and ')}` };
}
