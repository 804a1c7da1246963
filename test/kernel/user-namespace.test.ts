// As an ordinary user the kernel runner makes a user namespace first, and
// observes the same as root. Run as root, the test drops to user nobody
// (65534) with util-linux setpriv.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DRIVER } from '../../src/engines/kernel/engine.ts';
import { warnIfSkipped } from '../support/processes.ts';

const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'env', 'HOME=/tmp'];
const SCRIPT = fileURLToPath(new URL('../support/run-seed-story.ts', import.meta.url));
const EXPECTED = fileURLToPath(new URL('../../src/scenario/examples/seed-story.expected.json', import.meta.url));

function skipReason(): string | undefined {
  if (warnIfSkipped('the user namespace test')) return 'no kernel';
  if (process.getuid?.() !== 0) return 'it needs root, to run something as user nobody';
  const probe = spawnSync(NOBODY[0], [...NOBODY.slice(1), DRIVER, '--probe'], { encoding: 'utf8' });
  if (probe.error) return `setpriv is not available (${probe.error.message})`;
  if (probe.stdout.trim() !== 'ok userns') return `user nobody cannot make a user namespace here (${probe.stdout.trim() || probe.stderr.trim()})`;
  return undefined;
}

const reason = skipReason();
if (reason !== undefined && reason !== 'no kernel') console.warn(`skipping the user namespace test: ${reason}`);

describe.skipIf(reason !== undefined)('the kernel runner as an ordinary user', () => {
  it('runs the seed story in a user namespace and observes the same as root', () => {
    const result = spawnSync(NOBODY[0], [...NOBODY.slice(1), process.execPath, '--import', 'tsx', SCRIPT], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const [availability, observations] = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown);
    expect(availability).toEqual({ ok: true, mode: 'userns' });
    expect(observations).toEqual(JSON.parse(readFileSync(EXPECTED, 'utf8')));
  });
});
