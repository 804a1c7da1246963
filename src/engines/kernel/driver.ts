// The kernel engine's line to the native driver (native/driver/main.c
// writes the protocol down): a driver process read block by block, and the
// two ways a scenario talks to one. A driver started for one scenario
// (runKernel, KernelSession.open) plays it and exits; a server
// (`pausekit-driver --serve`, which KernelPool keeps) plays one scenario
// after another, each in a session of its own, and saves a process start
// per scenario.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { PausekitError } from '../../errors.ts';
import { DRIVER } from './binaries.ts';

/** One scenario's line to a driver: commands in, blocks out, and its end. */
export interface Channel {
  /** The next block (the lines up to "end"), or the driver's (or the session's) end as an error. */
  next(): Promise<string[]>;
  send(command: string): void;
  /**
   * Ends the scenario: whatever it started is gone when this resolves. A
   * scenario that went well until now must end with exit 0 (anything else,
   * a sanitizer's report or valgrind's error exit code, is an error).
   */
  stop(): Promise<void>;
}

/** One driver process, read block by block (lines up to "end"). */
export class DriverProcess implements Channel {
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private blocks: string[][] = [];
  private current: string[] = [];
  private waiting: ((block: string[] | Error) => void) | undefined;
  private failure: Error | undefined;
  /** Everything the driver wrote to stderr. */
  stderr = '';
  readonly closed: Promise<void>;

  constructor(args: string[], prefix: string[] = [], driver: string = DRIVER) {
    const [command, ...rest] = [...prefix, driver, ...args] as [string, ...string[]];
    this.child = spawn(command, rest, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.take(chunk));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    // A closed stdin (the driver died) must not crash the runner.
    this.child.stdin.on('error', () => {});
    this.closed = new Promise((resolve) => {
      this.child.on('close', (code, signal) => {
        this.fail(new PausekitError(
          `kernel driver ended unexpectedly (${signal ?? `exit ${code}`})${this.stderr ? `: ${this.stderr.trim()}` : ''}`,
          { kind: 'driver' },
        ));
        resolve();
      });
      this.child.on('error', (error) => {
        this.fail(new PausekitError(`cannot start the kernel driver ${driver}: ${error.message}`, { kind: 'driver' }));
        resolve();
      });
    });
  }

  /** Whether the process has ended (or never started). */
  get dead(): boolean {
    return this.failure !== undefined;
  }

  // Splits what the driver wrote into blocks.
  private take(chunk: string): void {
    this.buffer += chunk;
    let newline: number;
    while ((newline = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + 1);
      if (line === 'end') {
        this.blocks.push(this.current);
        this.current = [];
      } else {
        this.current.push(line);
      }
    }
    this.deliver();
  }

  // The process is gone: whoever waits, and waits later, hears why.
  private fail(error: Error): void {
    this.failure ??= error;
    this.deliver();
  }

  // Hands the next block (or the failure) to the one waiting for it.
  private deliver(): void {
    if (this.waiting === undefined) return;
    const block = this.blocks.shift();
    if (block !== undefined || this.failure !== undefined) {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting(block ?? (this.failure as Error));
    }
  }

  next(): Promise<string[]> {
    return new Promise((resolve, reject) => {
      this.waiting = (block) => (block instanceof Error ? reject(block) : resolve(block));
      this.deliver();
    });
  }

  send(command: string): void {
    this.child.stdin.write(`${command}\n`);
  }

  /** Ends its stdin and waits until it (and all it started) is gone. */
  async stop(): Promise<void> {
    const wellUntilNow = this.failure === undefined;
    this.child.stdin.end();
    const killer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
    await this.closed;
    clearTimeout(killer);
    const { exitCode, signalCode } = this.child;
    if (wellUntilNow && (exitCode !== 0 || signalCode !== null)) {
      throw new PausekitError(
        `kernel driver ended with ${signalCode ?? `exit ${exitCode}`} at its close${this.stderr ? `: ${this.stderr.trim()}` : ''}`,
        { kind: 'driver' },
      );
    }
  }
}

/** A session's end as the server answers it: "closed exit CODE" or "closed signal SIGNUM". */
function closedAs(block: string[]): string | undefined {
  const match = block.length === 1 ? /^closed (exit|signal) (\d+)$/.exec(block[0]!) : null;
  return match === null ? undefined : `${match[1]} ${match[2]}`;
}

/**
 * A driver that serves sessions (--serve): one scenario at a time, each in
 * a fork of it with a PID namespace of its own. Its stderr, for a session's
 * errors, is what it wrote since that session began.
 */
export class DriverServer {
  private readonly driver: DriverProcess;
  private busy = false;

  constructor(prefix: string[] = []) {
    this.driver = new DriverProcess(['--serve'], prefix);
  }

  /** Whether the server process has ended: it serves no more sessions. */
  get dead(): boolean {
    return this.driver.dead;
  }

  /**
   * A session with the driver's command-line arguments (those of a driver
   * for one scenario), and `lines` sent right after it: the session's
   * commands, all at once, ending with "quit" or not. One at a time: the
   * last one must have been stopped.
   */
  session(args: string[], lines: string[] = []): Channel {
    if (this.busy) throw new PausekitError('a kernel driver server plays one session at a time', { kind: 'driver' });
    const bad = args.find((arg) => /[\t\n]/.test(arg));
    if (bad !== undefined) {
      throw new PausekitError(`cannot pass ${JSON.stringify(bad)} to a kernel driver session: tabs and newlines separate its arguments`, { kind: 'driver', value: bad });
    }
    this.busy = true;
    this.driver.send([['session', ...args].join('\t'), ...lines].join('\n'));
    const session = new ServerSession(this.driver, this.driver.stderr.length, () => (this.busy = false));
    if (lines.at(-1) === 'quit') session.quitSent = true;
    return session;
  }

  /** Ends the server: it must exit 0. */
  close(): Promise<void> {
    return this.driver.stop();
  }
}

/** One scenario on a server: its blocks until the server answers "closed". */
class ServerSession implements Channel {
  private ended: string | undefined;
  private failed = false;
  /** The session's "quit" is on its way: stop() only waits for the server's answer. */
  quitSent = false;

  constructor(private readonly driver: DriverProcess, private readonly stderrFrom: number, private readonly release: () => void) {}

  private stderr(): string {
    const text = this.driver.stderr.slice(this.stderrFrom).trim();
    return text === '' ? '' : `: ${text}`;
  }

  async next(): Promise<string[]> {
    if (this.ended !== undefined) throw this.endedError();
    let block: string[];
    try {
      block = await this.driver.next();
    } catch (error) {
      this.failed = true;
      throw error;
    }
    const closed = closedAs(block);
    if (closed === undefined) return block;
    this.ended = closed;
    this.failed = true;
    this.release();
    throw this.endedError();
  }

  private endedError(): PausekitError {
    return new PausekitError(`kernel driver ended unexpectedly (${this.ended})${this.stderr()}`, { kind: 'driver' });
  }

  send(command: string): void {
    if (this.ended === undefined) this.driver.send(command);
  }

  async stop(): Promise<void> {
    if (this.ended !== undefined) return;
    const wellUntilNow = !this.failed;
    if (!this.quitSent) this.driver.send('quit');
    this.quitSent = true;
    for (;;) {
      const closed = closedAs(await this.driver.next());
      if (closed === undefined) continue; // a block nobody asked for: its step was given up
      this.ended = closed;
      this.release();
      if (wellUntilNow && closed !== 'exit 0') {
        throw new PausekitError(`kernel driver ended with ${closed} at its close${this.stderr()}`, { kind: 'driver' });
      }
      return;
    }
  }
}
