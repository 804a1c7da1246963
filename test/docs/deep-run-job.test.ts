// docs/deep-run-job.json, the Kubernetes Indexed Job docs/deep-run.md shows
// (no cluster here to run it): it parses, it is an Indexed Job, and each of
// its indexes (JOB_COMPLETION_INDEX 0..completions-1), through the shell
// its container runs, asks `npm run test:deep` for a different shard K/N
// of one seeded run, with N its completions, each writing its own report
// on the volume the pod mounts. The page shows the file as it is.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const text = readFileSync(`${ROOT}docs/deep-run-job.json`, 'utf8');
const job = JSON.parse(text);
const pod = job.spec.template.spec;
const container = pod.containers[0];

// The arguments npm is given at an index: the container's command run by sh,
// with npm a shell function that prints them one a line.
function npmArguments(index: number): string[] {
  const [shell, flag] = container.command as string[];
  expect([shell, flag]).toEqual(['sh', '-c']);
  const script = `npm() { printf '%s\\n' "$@"; }; ${container.args[0]}`;
  const out = execFileSync('sh', ['-c', script], { env: { PATH: process.env['PATH'], JOB_COMPLETION_INDEX: String(index) }, encoding: 'utf8' });
  return out.trimEnd().split('\n');
}

describe('the deep run as a Kubernetes Indexed Job (docs/deep-run-job.json)', () => {
  test('is an Indexed Job that runs each index once, privileged (the driver makes PID namespaces)', () => {
    expect(job).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', spec: { completionMode: 'Indexed' } });
    expect(Number.isInteger(job.spec.completions) && job.spec.completions >= 2).toBe(true);
    expect(pod.restartPolicy).toBe('Never');
    expect(pod.containers).toHaveLength(1);
    expect(container.securityContext).toEqual({ privileged: true });
    expect(container.workingDir).toBe('/pausekit');
  });

  test('gives each index its own shard of one seeded run, and its own report on the mounted volume', () => {
    const count: number = job.spec.completions;
    const mount = container.volumeMounts.find((m: { name: string }) => m.name === 'reports').mountPath;
    expect(pod.volumes.map((v: { name: string }) => v.name)).toContain('reports');
    const runs = Array.from({ length: count }, (_, index) => npmArguments(index));
    const asked = runs.map((args) => {
      expect(args.slice(0, 3)).toEqual(['run', 'test:deep', '--']);
      return parseArgs({ args: args.slice(3), strict: true, options: { runs: { type: 'string' }, seed: { type: 'string' }, shard: { type: 'string' }, report: { type: 'string' } } }).values;
    });
    expect(asked.map((a) => a.shard)).toEqual(Array.from({ length: count }, (_, i) => `${i + 1}/${count}`));
    expect(new Set(asked.map((a) => a.seed)).size).toBe(1);
    expect(asked[0]!.seed).toMatch(/^[0-9]+$/);
    expect(new Set(asked.map((a) => a.runs)).size).toBe(1);
    expect(new Set(asked.map((a) => a.report)).size).toBe(count);
    for (const a of asked) expect(a.report!.startsWith(`${mount}/`)).toBe(true);
  });

  test('is shown on docs/deep-run.md as it is, with the image the page builds', () => {
    const page = readFileSync(`${ROOT}docs/deep-run.md`, 'utf8');
    expect(page).toContain('```json\n' + text + '```\n');
    expect(page).toContain(`-t ${container.image} `);
  });
});
