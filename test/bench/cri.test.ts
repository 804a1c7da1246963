// `pausekit bench --only cri` times pods through containerd's CRI, one
// private daemon per sandbox image: pausekit's pause, and the Kubernetes
// pause built from the source given. The project has no copy of Kubernetes'
// pause.c, so a stand-in with its shape (handlers for INT, TERM and CHLD,
// then pause() forever) plays that row. Quick counts: the part works, every
// pod is timed, the images' sizes are read, and nothing is left behind.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ROOT } from '../../src/bench/build.ts';
import type { BenchResult } from '../../src/bench/result.ts';
import { cannotRun } from '../support/gate.ts';
import { needs } from '../support/host.ts';
import { CLI, processesTagged, taggedEnv } from '../support/bench.ts';
import { CRI_NEEDS } from '../support/engines/cri.ts';
import { K8S_PAUSE_STAND_IN } from '../support/k8s-pause.ts';

const DIR = mkdtempSync(join(tmpdir(), 'pausekit-bench-cri-'));
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

describe.skipIf(cannotRun('the CRI bench', ...needs(CRI_NEEDS)))('pausekit bench --only cri', () => {
  test('starts and stops pods with each sandbox image in shuffled rounds, reads each image\'s sizes, and leaves nothing behind', async () => {
    const source = join(DIR, 'pause.c');
    writeFileSync(source, K8S_PAUSE_STAND_IN);
    const file = join(DIR, 'results.json');
    const { env, tag } = taggedEnv();
    let pid: number | undefined;
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      pid = execFile(process.execPath, [...CLI, 'bench', '--only', 'cri', '--quick', '--json', file, '--k8s-pause-source', source, '--seed', '5'],
        { cwd: ROOT, env, timeout: 240_000 }, (error, stdout, stderr) =>
          resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, stdout, stderr })).pid;
    });
    expect(run.code, run.stderr).toBe(0);
    const cri = (JSON.parse(readFileSync(file, 'utf8')) as BenchResult).cri!;
    expect(cri.rows.map((r) => r.id)).toEqual(['pause', 'k8s-pause-glibc']);
    for (const row of cri.rows) {
      expect({ id: row.id, start: row.startMs.length, stop: row.stopMs.length }).toEqual({ id: row.id, start: 2, stop: 2 });
      expect([...row.startMs, ...row.stopMs].every((ms) => ms > 0)).toBe(true);
      expect(row.layerBytes).toBeGreaterThan(0);
      expect(row.storeBytes).toBeGreaterThan(row.layerBytes);
    }
    // pausekit's /pause is the libc-free build; the stand-in is static glibc, hundreds of times larger.
    expect(cri.rows[1]!.binaryBytes).toBeGreaterThan(100 * cri.rows[0]!.binaryBytes);
    expect(run.stdout).toMatch(/^CRI: pod start \(RunPodSandbox to SANDBOX_READY\) and stop \(StopPodSandbox\) through containerd /m);
    expect(processesTagged(tag)).toEqual([]);
    // Each daemon's directory (pausekit-cri-<pid of the run>-*) is removed with it.
    expect(pid).toBeGreaterThan(0);
    expect(readdirSync(tmpdir()).filter((name) => name.startsWith(`pausekit-cri-${pid}-`))).toEqual([]);
  }, 250_000);
});
