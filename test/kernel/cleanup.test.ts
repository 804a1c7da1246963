// The kernel runner leaves no process or zombie behind on the host, even
// when the runner itself is killed in the middle of a scenario.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { until } from '../support/processes.ts';
import { cannotRun, KERNEL } from '../support/gate.ts';

const skip = cannotRun('the kernel runner cleanup tests', KERNEL);
const CHILD = fileURLToPath(new URL('../support/kernel-session-child.ts', import.meta.url));

describe.skipIf(skip)('the kernel engine', () => {
  for (const mode of ['pid1', 'plain']) {
    it(`leaves no process behind when its runner is SIGKILLed mid-scenario (${mode} mode)`, async () => {
      const runner = spawn(process.execPath, ['--import', 'tsx', CHILD, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
      let output = '';
      runner.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      const line = await until('the runner has printed its pids', () => (output.includes('\n') ? output : undefined), 30_000);
      const pids = JSON.parse(line) as Record<string, number>;
      expect(Object.keys(pids).sort()).toEqual(['app', 'child', 'dead', 'frozen', 'outside', 'pause']);
      for (const pid of Object.values(pids)) expect(existsSync(`/proc/${pid}`)).toBe(true);

      runner.kill('SIGKILL');
      const left = await until('every process of the scenario is gone', () => {
        const alive = Object.entries(pids).filter(([, pid]) => existsSync(`/proc/${pid}`));
        return alive.length === 0 ? alive : undefined;
      });
      expect(left).toEqual([]);
    });
  }
});
