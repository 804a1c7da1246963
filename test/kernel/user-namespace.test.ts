// As an ordinary user the kernel runner makes a user namespace first, and
// observes the same as root. Run as root, the test drops to user nobody
// (65534) with util-linux setpriv.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DRIVER } from '../../src/engines/kernel/engine.ts';
import { cannotRun, commands, KERNEL, need, ROOT } from '../support/gate.ts';

const NOBODY = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'env', 'HOME=/tmp'];
const SCRIPT = fileURLToPath(new URL('../support/run-seed-story.ts', import.meta.url));
const EXPECTED = fileURLToPath(new URL('../../src/scenario/examples/seed-story.expected.json', import.meta.url));

/** User nobody can make a user namespace here (the driver's probe says so). */
const NOBODY_USERNS = need('a user namespace for user nobody', () => {
  const probe = spawnSync(NOBODY[0], [...NOBODY.slice(1), DRIVER, '--probe'], { encoding: 'utf8' });
  if (probe.error) return `setpriv cannot run the driver's probe (${probe.error.message})`;
  const answer = probe.stdout.trim();
  return answer === 'ok userns' ? undefined : `user nobody cannot make a user namespace here (${answer || probe.stderr.trim()})`;
});

// Root, to run something as user nobody.
const skip = cannotRun('the user namespace test', KERNEL, ROOT, commands(['setpriv']), NOBODY_USERNS);

describe.skipIf(skip)('the kernel runner as an ordinary user', () => {
  it('runs the seed story in a user namespace and observes the same as root', () => {
    const result = spawnSync(NOBODY[0], [...NOBODY.slice(1), process.execPath, '--import', 'tsx', SCRIPT], { encoding: 'utf8' });
    expect(result.stderr).toBe('');
    const [availability, observations] = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as unknown);
    expect(availability).toEqual({ ok: true, mode: 'userns' });
    expect(observations).toEqual(JSON.parse(readFileSync(EXPECTED, 'utf8')));
  });
});
