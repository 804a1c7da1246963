// Interrupted in the middle of a run (Ctrl-C), `pausekit bench` leaves
// nothing behind: no program under test, no child of a peer, no harness, no
// zombie; and it exits non-zero with a message instead of a stack trace.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BENCH, CLI, processesTagged, taggedEnv } from '../support/bench.ts';
import { cannotRun } from '../support/gate.ts';

describe.skipIf(cannotRun('the pausekit bench tests', ...BENCH))('pausekit bench', () => {
  it('kills and reaps every process it started when it is interrupted by SIGINT mid-run', async () => {
    const { env, tag } = taggedEnv();
    const child = spawn(process.execPath, [...CLI, 'bench', '--quick', '--only', 'latency', '--rounds', '100000', '--out', '/nonexistent'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The handshake: interrupt once the second round is under way, while
    // programs are being started and killed.
    await new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('latency: round 2 of 100000')) resolve();
      });
      void exited.then(() => reject(new Error(`bench ended before round 2: ${stderr}`)));
    });
    expect(processesTagged(tag).some((p) => p.includes('build/bench/harness'))).toBe(true);
    child.kill('SIGINT');
    const code = await exited;

    expect(code).toBe(130);
    expect(stderr).toContain('pausekit: interrupted by SIGINT');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(processesTagged(tag)).toEqual([]);
  }, 60_000);
});
