// `pausekit bench` refuses bad input before it runs anything: one line that
// names the option and what was wrong, exit 2, nothing on stdout, no stack
// trace, no run started. Rounds are bounded; options that do not apply to
// what was asked are refused, not ignored; the Kubernetes pause source is
// checked whether it comes from the option or the environment.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT } from '../../src/bench/build.ts';
import { CLI } from '../support/bench.ts';

const DIR = mkdtempSync(join(tmpdir(), 'pausekit-bench-args-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));
const NOT_PAUSE = join(DIR, 'hello.c');
writeFileSync(NOT_PAUSE, '#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n');

/** Runs `pausekit bench ARGS`; its exit code and output. */
function bench(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...CLI, 'bench', ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr });
    });
  });
}

const SAVED = join(ROOT, 'bench/results/results.json');

const CASES: [string, string[], NodeJS.ProcessEnv, string][] = [
  ['no rounds at all', ['--rounds', '0'], {}, 'pausekit: bench: --rounds: expected an integer from 1 to 100000, got "0"'],
  ['more rounds than the bound', ['--rounds', '100001'], {}, 'pausekit: bench: --rounds: expected an integer from 1 to 100000, got "100001"'],
  ['rounds in exponent form', ['--rounds', '1e12'], {}, 'pausekit: bench: --rounds: expected an integer from 1 to 100000, got "1e12"'],
  ['a negative warm-up', ['--only', 'cri', '--warmup=-1'], {}, 'pausekit: bench: --warmup: expected an integer from 0 to 1000, got "-1"'],
  ['an unknown snapshotter', ['--only', 'cri', '--snapshotter', 'zfs'], {}, 'pausekit: bench: --snapshotter: expected native or overlayfs, got "zfs"'],
  ['a CRI option without the CRI part', ['--only', 'latency', '--warmup', '2'], {}, 'pausekit: bench: --warmup does not apply without the cri part (--only cri)'],
  ['a run option with --from', ['--from', SAVED, '--rounds', '5'], {}, 'pausekit: bench: --rounds does not apply to --from, which prints a saved run'],
  ['--only with --targets', ['--targets', '--only', 'latency'], {}, 'pausekit: bench: --only does not apply to --targets'],
  ['a Kubernetes pause source that is not there', ['--k8s-pause-source', join(DIR, 'absent.c')], {},
    `pausekit: bench: --k8s-pause-source: cannot read ${join(DIR, 'absent.c')} (ENOENT)`],
  ['a Kubernetes pause source that is not the pause', ['--k8s-pause-source', NOT_PAUSE], {},
    `pausekit: bench: --k8s-pause-source: ${NOT_PAUSE} is not the Kubernetes pause.c (no main() calling sigaction and pause(), nor a Markdown listing of it)`],
  ['the same source through the environment', [], { PAUSEKIT_K8S_PAUSE_SOURCE: NOT_PAUSE },
    `pausekit: bench: PAUSEKIT_K8S_PAUSE_SOURCE: ${NOT_PAUSE} is not the Kubernetes pause.c (no main() calling sigaction and pause(), nor a Markdown listing of it)`],
];

describe('pausekit bench, given bad input', () => {
  test.each(CASES)('names it in one line and exits 2 before running anything: %s', async (_what, args, env, line) => {
    const run = await bench(args, env);
    expect({ code: run.code, stdout: run.stdout, first: run.stderr.split('\n')[0] }).toEqual({ code: 2, stdout: '', first: line });
    // Nothing but the command's usage may follow the line; no run began (its first progress line names the seed).
    const rest = run.stderr.split('\n').slice(1).join('\n').trim();
    if (rest !== '') expect(rest.startsWith('usage: pausekit bench')).toBe(true);
    expect(run.stderr).not.toContain('pausekit bench: seed');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, 70_000);
});
