// containerd builds a sandbox as Kubernetes' CRI does: pause starts first
// and holds the namespaces; the application container joins its pid, ipc
// and network namespaces (--with-ns). The seed's check: the app's
// /proc/self/ns/net and /ns/pid are pause's. Killing the app leaves the
// namespaces held; SIGTERM to pause exits 0 and ends the sandbox.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { Cleanup, needs, readyOrSkip } from '../support/host.ts';
import { cannotRun } from '../support/gate.ts';
import { exitOf, foreground, namespaceOf, procInfo, until, type Foreground } from '../support/processes.ts';
import { pausekitImage, writeBusyboxImage } from '../support/engines/images.ts';
import { CONTAINERD_NEEDS, privateContainerd, type Containerd } from '../support/engines/containerd.ts';

const availability = needs(CONTAINERD_NEEDS);
const PAUSE = 'localhost/pausekit/pause:test';
const BUSYBOX_IMAGE = 'localhost/pausekit/busybox:test';

describe.skipIf(cannotRun('the containerd tests', ...availability))(`pause as the sandbox of containerd containers`, () => {
  const cleanup = new Cleanup();
  let containerd: Containerd | undefined;
  let unavailable = '';
  let sandbox: Foreground;
  let pausePid: number;
  let held: Record<'net' | 'pid' | 'ipc', string>;

  beforeAll(async () => {
    const setup = await privateContainerd('containerd', cleanup);
    if ('reason' in setup) {
      unavailable = setup.reason;
      return;
    }
    containerd = setup;
    await pausekitImage(['--out', join(setup.dir, 'pause.tar'), '--name', PAUSE]);
    await writeBusyboxImage(join(setup.dir, 'busybox.tar'), 'oci', BUSYBOX_IMAGE);
    for (const archive of ['pause.tar', 'busybox.tar']) {
      await setup.ok(['image', 'import', '--snapshotter', 'native', join(setup.dir, archive)]);
    }
  });
  afterAll(() => cleanup.run());

  const ready = (ctx: TestContext): Containerd => readyOrSkip(ctx, containerd, unavailable);

  async function taskPid(c: Containerd, id: string): Promise<number> {
    return until(`task ${id} runs`, async () => {
      const tasks = await c.ctr(['task', 'list']);
      const line = tasks.stdout.split('\n').find((l) => l.split(/\s+/)[0] === id);
      const [, pid, status] = line?.split(/\s+/) ?? [];
      return status === 'RUNNING' ? Number(pid) : undefined;
    });
  }

  /** An app container joined to pause's pid, ipc and network namespaces. */
  async function startApp(c: Containerd, id: string): Promise<number> {
    await c.ok([
      'run', '--detach', '--snapshotter', 'native', '--cgroup', c.cgroup(id),
      '--with-ns', `pid:/proc/${pausePid}/ns/pid`,
      '--with-ns', `ipc:/proc/${pausePid}/ns/ipc`,
      '--with-ns', `network:/proc/${pausePid}/ns/net`,
      BUSYBOX_IMAGE, id, 'sleep', '3600',
    ]);
    return taskPid(c, id);
  }

  test('starts first, as PID 1 of the sandbox and as user 65535', async (ctx) => {
    const c = ready(ctx);
    // In the foreground: `ctr task delete` only warns about an exit code,
    // the waiting `ctr run` returns it.
    sandbox = foreground('ctr', c.args(['run', '--rm', '--snapshotter', 'native', '--cgroup', c.cgroup('sandbox'), PAUSE, 'sandbox']));
    pausePid = await taskPid(c, 'sandbox');
    const info = procInfo(pausePid)!;
    expect(info.nspid.at(-1)).toBe(1);
    expect(info.uid).toBe(65535);
    held = { net: namespaceOf(pausePid, 'net'), pid: namespaceOf(pausePid, 'pid'), ipc: namespaceOf(pausePid, 'ipc') };
  });

  test("shares its net, pid and ipc namespaces with an app joined by --with-ns, as the app reads them at /proc/self/ns", async (ctx) => {
    const c = ready(ctx);
    await startApp(c, 'app');
    const inside = async (ns: string) =>
      (await c.ok(['task', 'exec', '--exec-id', `readlink-${ns}`, 'app', 'readlink', `/proc/self/ns/${ns}`])).trim();
    expect(await inside('net')).toBe(held.net);
    expect(await inside('pid')).toBe(held.pid);
    expect(await inside('ipc')).toBe(held.ipc);
  });

  test('keeps running and holds its namespaces when the app is killed: a new app joins the same ones', async (ctx) => {
    const c = ready(ctx);
    await c.ok(['task', 'kill', '--signal', 'SIGKILL', 'app']);
    await until('the app task has stopped', async () => ((await c.ctr(['task', 'delete', 'app'])).code === 0 ? true : undefined));
    await c.ok(['container', 'delete', 'app']);
    expect(procInfo(pausePid)?.state).toMatch(/[SR]/);
    expect(namespaceOf(pausePid, 'net')).toBe(held.net);
    const next = await startApp(c, 'app2');
    expect({ net: namespaceOf(next, 'net'), pid: namespaceOf(next, 'pid'), ipc: namespaceOf(next, 'ipc') }).toEqual(held);
  });

  test('prints its message and exits 0 on SIGTERM, and the sandbox ends with the app in it', async (ctx) => {
    const c = ready(ctx);
    await c.ok(['task', 'kill', '--signal', 'SIGTERM', 'sandbox']);
    const exit = await exitOf(sandbox, 'ctr run sandbox');
    expect(exit).toEqual({ code: 0, signal: null });
    expect(sandbox.stderr()).toContain('Shutting down, got signal: Terminated');
    // The PID namespace died with its init: the kernel killed the app too.
    const app2 = await until('app2 is stopped', async () => {
      const tasks = await c.ctr(['task', 'list']);
      const line = tasks.stdout.split('\n').find((l) => l.split(/\s+/)[0] === 'app2');
      return line?.includes('STOPPED') ? line : undefined;
    });
    expect(app2).toContain('STOPPED');
    expect((await c.ctr(['container', 'list', '--quiet'])).stdout.split('\n')).not.toContain('sandbox');
  });
});
