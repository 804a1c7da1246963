// Many scenarios on the kernel at once: a pool of driver servers
// (pausekit-driver --serve), each playing one scenario at a time in a fresh
// PID namespace of its own, so that scenarios run side by side on every
// core and no scenario pays for starting a driver process.
import { availableParallelism } from 'node:os';
import { checkArgument } from '../../errors.ts';
import { normalizeScenario } from '../../scenario/load.ts';
import type { Observation, ScenarioInput } from '../../scenario/types.ts';
import { DriverServer } from './driver.ts';
import { playOnKernel, type KernelOptions } from './engine.ts';

export interface KernelPoolOptions {
  /**
   * Scenarios played at once, each on a driver of its own (default: twice
   * the machine's CPUs: a session spends much of its time waiting for its
   * processes to settle, and another's work fills it).
   */
  workers?: number;
  /** A command to run each driver under, e.g. valgrind and its options. */
  driverPrefix?: string[];
}

/**
 * Plays scenarios on the kernel, up to `workers` at once; run() as
 * runKernel() does, close() when done. A driver that dies is replaced.
 */
export class KernelPool {
  readonly workers: number;
  private readonly prefix: string[];
  private readonly idle: DriverServer[] = [];
  private readonly waiting: ((server: DriverServer) => void)[] = [];
  private servers = 0;
  private closed = false;

  constructor(options: KernelPoolOptions = {}) {
    this.workers = options.workers ?? 2 * availableParallelism();
    checkArgument(Number.isSafeInteger(this.workers) && this.workers >= 1, 'new KernelPool(options): options.workers', 'a whole number of at least 1', options.workers);
    this.prefix = options.driverPrefix ?? [];
  }

  /** One scenario's observations (the start, then one per step), as runKernel() returns them. */
  async run(input: ScenarioInput, options: KernelOptions = { design: 'sigwait' }): Promise<Observation[]> {
    const scenario = normalizeScenario(input);
    const server = await this.acquire();
    try {
      return await playOnKernel(scenario, options, server);
    } finally {
      this.release(server);
    }
  }

  // A server with no session open: an idle one, a new one, or the next one released.
  private acquire(): Promise<DriverServer> {
    checkArgument(!this.closed, 'KernelPool.run()', 'a pool not yet closed', 'closed');
    const server = this.idle.pop();
    if (server !== undefined) return Promise.resolve(server);
    if (this.servers < this.workers) {
      this.servers++;
      return Promise.resolve(new DriverServer(this.prefix));
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  // A server's session is over: to the next waiting, or idle. A dead one is replaced.
  private release(server: DriverServer): void {
    let next = server;
    if (server.dead) {
      void server.close().catch(() => {});
      next = new DriverServer(this.prefix);
    }
    const waiter = this.waiting.shift();
    if (waiter !== undefined) waiter(next);
    else this.idle.push(next);
  }

  /** Ends every driver (each must exit 0); run() is refused from now on. */
  async close(): Promise<void> {
    this.closed = true;
    const servers = this.idle.splice(0);
    this.servers -= servers.length;
    await Promise.all(servers.map((server) => server.close()));
  }
}
