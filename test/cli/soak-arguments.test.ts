// `pausekit soak`: --help explains the sizes; a bad size or option is a clear
// error naming the option and the value (exit 2, no stack trace), before
// anything runs.
import { describe, expect, it } from 'vitest';
import { pausekit } from './pausekit.ts';

describe('pausekit soak arguments', () => {
  it('explains every size with --help', async () => {
    const result = await pausekit(['soak', '--help']);
    expect(result.code).toBe(0);
    for (const option of ['--orphans N', '--waves N', '--storm-senders N', '--storm-seconds S', '--design D']) {
      expect(result.stdout).toContain(option);
    }
  });

  for (const { args, message } of [
    { args: ['--orphans', '0'], message: 'soak: --orphans: expected a positive integer, got "0"' },
    { args: ['--orphans', '10', '--waves', '20'], message: 'soak: --waves: at most --orphans (10), got 20' },
    { args: ['--orphans', '1000000', '--waves', '10'], message: 'soak: --waves: at least 76 for 1000000 orphans' },
    { args: ['--design', 'threads'], message: 'soak: --design: expected sigwait, handlers, autoreap or all, got "threads"' },
    { args: ['--storm-seconds', 'lots'], message: 'soak: --storm-seconds: expected a number >= 0, got "lots"' },
    { args: ['--storm-senders', '65'], message: 'soak: --storm-senders: at most 64, got 65' },
    { args: ['--pause', '/bin/true'], message: 'soak: --pause: a custom binary needs one --design' },
    { args: ['--pause', '/no/such/pause', '--design', 'sigwait'], message: 'soak: --pause: no such file, got /no/such/pause' },
  ]) {
    it(`rejects ${args.join(' ')} with a clear message`, async () => {
      const result = await pausekit(['soak', ...args]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`pausekit: ${message}`);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    });
  }
});
