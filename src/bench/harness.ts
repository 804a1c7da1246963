// Drives build/bench/harness (bench/harness.c): one command line in, one
// answer line out. Node only orchestrates; the C harness does the timing.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PausekitError } from '../errors.ts';
import { benchDir } from './build.ts';
import type { Program } from './programs.ts';

export type Answer =
  | { kind: 'L'; id: string; mode: 'pid1' | 'plain'; ns: number; status: number }
  | { kind: 'R'; id: string; n: number; ns: number; cpuNs: number; lagNs: number; wakeups: number; preemptions: number }
  | { kind: 'F'; id: string; vmRssKb: number; vmHwmKb: number }
  | { kind: 'E'; id: string; message: string };

function parse(line: string): Answer {
  const f = line.split('\t');
  const id = f[1] ?? '';
  switch (f[0]) {
    case 'L':
      return { kind: 'L', id, mode: f[2] === 'pid1' ? 'pid1' : 'plain', ns: Number(f[3]), status: Number(f[4]) };
    case 'R':
      return { kind: 'R', id, n: Number(f[2]), ns: Number(f[3]), cpuNs: Number(f[4]), lagNs: Number(f[5]), wakeups: Number(f[6]), preemptions: Number(f[7]) };
    case 'F':
      return { kind: 'F', id, vmRssKb: Number(f[2]), vmHwmKb: Number(f[3]) };
    default:
      return { kind: 'E', id, message: f.slice(2).join(' ') || line };
  }
}

/** One running harness; ask() sends a command and resolves with its answer. */
export class Harness {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #waiting: ((answer: Answer) => void)[] = [];
  #stderr = '';
  #exited: string | undefined;

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.#child = child;
    createInterface({ input: child.stdout }).on('line', (line) => this.#waiting.shift()?.(parse(line)));
    child.stderr.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString();
    });
    child.on('exit', (code, signal) => {
      this.#exited = `the harness exited (${signal ?? `code ${String(code)}`})${this.#stderr ? `: ${this.#stderr.trim()}` : ''}`;
      for (const resolve of this.#waiting.splice(0)) resolve({ kind: 'E', id: '-', message: this.#exited });
    });
  }

  /** Starts the work directory's harness and declares the programs; realtime: latency samples run SCHED_FIFO. */
  static start(programs: Program[], options: { realtime: boolean; work: string }): Harness {
    const path = join(benchDir(options.work), 'harness');
    if (!existsSync(path)) throw new PausekitError(`the benchmark harness is not built: ${path} is missing`, { file: path });
    const harness = new Harness(spawn(path, options.realtime ? ['--realtime'] : [], { stdio: ['pipe', 'pipe', 'pipe'] }));
    for (const p of programs) {
      const child = p.childReady === undefined ? '-' : p.childReady.join(',');
      harness.#child.stdin.write(['P', p.id, p.ready.join(','), child, ...p.argv].join('\t') + '\n');
    }
    return harness;
  }

  ask(command: (string | number)[]): Promise<Answer> {
    if (this.#exited !== undefined) return Promise.resolve({ kind: 'E', id: String(command[1]), message: this.#exited });
    return new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#child.stdin.write(command.join('\t') + '\n');
    });
  }

  /** Ends the harness (it kills and reaps whatever it still has) and waits. */
  async close(): Promise<void> {
    if (this.#exited !== undefined) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.stdin.end();
    await exited;
  }

  /** On an interrupt: the harness cleans up on SIGTERM. */
  kill(): void {
    if (this.#exited === undefined) this.#child.kill('SIGTERM');
  }
}
