// A reader that goes away early (`pausekit run ... | head -1`) ends pausekit
// quietly: exit 0, nothing on stderr, no stack trace (Node's default is an
// unhandled EPIPE error). Output that cannot be written for another reason
// (a full disk: /dev/full) is one line and exit 2.
//
// The output here is far bigger than a pipe holds (a scenario of 150
// processes: about 1 MB of JSON), so the write still under way when the
// reader closes its end gets EPIPE, whatever the timing.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { BIN } from './pausekit.ts';
import { run } from '../support/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'pausekit-closed-output-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const BIG = join(dir, 'big.json');
writeFileSync(BIG, JSON.stringify({ version: 1, steps: Array.from({ length: 150 }, (_, i) => ({ event: 'spawn', name: `p${i}` })) }));

/** Runs pausekit with its stdout read until the first chunk, then closed; its exit code and stderr. */
function readOneChunk(args: string[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string; first: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let first = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.once('data', (chunk: Buffer) => {
      first = chunk.toString('utf8');
      child.stdout.destroy();
    });
    child.on('close', (code, signal) => resolve({ code, signal, stderr, first }));
  });
}

describe('pausekit whose reader goes away', () => {
  for (const args of [[BIG, '--engine', 'model', '--json'], [BIG, '--engine', 'model']]) {
    test(`run ${args.slice(1).join(' ')}: ends quietly with exit 0 once its stdout is closed after the first chunk`, async () => {
      const result = await readOneChunk(['run', ...args]);
      expect(result.first.length).toBeGreaterThan(0);
      expect(result).toMatchObject({ code: 0, signal: null, stderr: '' });
    });
  }

  test('run ... | head -1, as a shell pipes it: pausekit exits 0 and prints nothing on stderr', async () => {
    const script = `"${process.execPath}" "${BIN}" run "${BIG}" --engine model --json | head -1; echo "status \${PIPESTATUS[0]} \${PIPESTATUS[1]}"`;
    const result = await run('bash', ['-c', script]);
    expect(result).toMatchObject({ code: 0, stdout: '[\nstatus 0 0\n', stderr: '' });
  });

  test('says in one line that stdout cannot be written when the disk is full (/dev/full), exit 2', async () => {
    const result = await run('bash', ['-c', `"${process.execPath}" "${BIN}" run "${BIG}" --engine model > /dev/full`]);
    expect(result).toMatchObject({ code: 2, stdout: '', stderr: 'pausekit: cannot write to stdout (ENOSPC)\n' });
  });
});
