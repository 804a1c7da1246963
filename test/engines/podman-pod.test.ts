// A podman pod whose infra container is pausekit's image: pause is PID 1 of
// the pod, reaps the orphans of the application container, and on `pod
// stop` exits 0 by itself on the SIGTERM podman sends first, where a pod
// whose infra ignores SIGTERM (busybox sleep as PID 1) is killed by the
// SIGKILL podman sends when the grace period runs out (exit 137).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { Cleanup, needs, readyOrSkip } from '../support/host.ts';
import { cannotRun } from '../support/gate.ts';
import { childrenOf, namespaceOf, procInfo, until } from '../support/processes.ts';
import { pausekitImage, writeBusyboxImage } from '../support/engines/images.ts';
import { PODMAN_NEEDS, privatePodman, type Podman } from '../support/engines/podman.ts';

const availability = needs(PODMAN_NEEDS);
const PAUSE = 'localhost/pausekit/pause:test';
const BUSYBOX_IMAGE = 'localhost/pausekit/busybox:test';
const SLEEPER = 'localhost/pausekit/sleeper:test';
const GRACE_S = 2;
const ORPHANS = 8;

describe.skipIf(cannotRun('the podman tests', ...availability))(`pause from pausekit's image, as the infra container of a podman pod`, () => {
  const cleanup = new Cleanup();
  let podman: Podman | undefined;
  let unavailable = '';
  let serial = 0;

  beforeAll(async () => {
    const setup = await privatePodman('podman-pod', cleanup);
    if ('reason' in setup) {
      unavailable = setup.reason;
      return;
    }
    podman = setup;
    const images = join(podman.dir, 'images');
    mkdirSync(images);
    await pausekitImage(['--out', join(images, 'pause.tar'), '--format', 'docker', '--name', PAUSE]);
    await writeBusyboxImage(join(images, 'busybox.tar'), 'docker', BUSYBOX_IMAGE);
    await writeBusyboxImage(join(images, 'sleeper.tar'), 'docker', SLEEPER, ['/bin/sleep', '3600']);
    for (const archive of ['pause.tar', 'busybox.tar', 'sleeper.tar']) {
      await podman.ok(['load', '--quiet', '--input', join(images, archive)]);
    }
  });
  afterAll(() => cleanup.run());

  const ready = (ctx: TestContext): Podman => readyOrSkip(ctx, podman, unavailable);

  /** A pod sharing pid, ipc and uts (no network) with a busybox app in it. */
  async function pod(p: Podman, infra: string[]): Promise<{ name: string; infraPid: number; appPid: number }> {
    const name = `pausekit-test-${++serial}`;
    await p.ok(['pod', 'create', '--name', name, '--share', 'pid,ipc,uts', '--cgroup-parent', p.cgroupParent, ...infra]);
    await p.ok(['run', '--detach', '--pod', name, '--name', `${name}-app`, BUSYBOX_IMAGE, 'sleep', '3600']);
    const infraId = await p.ok(['pod', 'inspect', '--format', '{{.InfraContainerID}}', name]);
    const infraPid = Number(await p.ok(['inspect', '--format', '{{.State.Pid}}', infraId]));
    const appPid = Number(await p.ok(['inspect', '--format', '{{.State.Pid}}', `${name}-app`]));
    return { name, infraPid, appPid };
  }

  const pausekitInfra = ['--infra-image', PAUSE, '--infra-command', '/pause'];

  test('is PID 1 of the pod, and the app shares its PID, IPC and UTS namespaces but not its network', async (ctx) => {
    const p = ready(ctx);
    const { name, infraPid, appPid } = await pod(p, pausekitInfra);
    expect(procInfo(infraPid)!.nspid.at(-1)).toBe(1);
    for (const ns of ['pid', 'ipc', 'uts'] as const) expect(namespaceOf(appPid, ns)).toBe(namespaceOf(infraPid, ns));
    expect(namespaceOf(appPid, 'net')).not.toBe(namespaceOf(infraPid, 'net'));
    const ps = await p.ok(['exec', `${name}-app`, 'ps', '-o', 'pid,args']);
    expect(ps).toMatch(/^\s*1 \/pause$/m);
  });

  test('reaps the orphans a process in the app container leaves behind', async (ctx) => {
    const p = ready(ctx);
    const { name, infraPid } = await pod(p, pausekitInfra);
    await p.ok(['exec', `${name}-app`, 'sh', '-c', `for i in $(seq ${ORPHANS}); do sleep 0 & done`]);
    await until('pause has no children left', () => (childrenOf(infraPid).length === 0 ? true : undefined));
    expect(procInfo(infraPid)!.state).toMatch(/[SR]/);
  });

  test(`exits 0 by itself on the SIGTERM of pod stop --time ${GRACE_S}, where an infra that ignores SIGTERM is SIGKILLed at the grace period's end (137)`, async (ctx) => {
    const p = ready(ctx);
    const stop = async (infra: string[]) => {
      const { name } = await pod(p, infra);
      await p.podman(['pod', 'stop', '--time', String(GRACE_S), name]);
      const infraId = await p.ok(['pod', 'inspect', '--format', '{{.InfraContainerID}}', name]);
      const exitCode = Number(await p.ok(['inspect', '--format', '{{.State.ExitCode}}', infraId]));
      const logs = await p.podman(['logs', infraId]);
      return { exitCode, logs: logs.stdout + logs.stderr };
    };
    const pausekit = await stop(pausekitInfra);
    const ignoresTerm = await stop(['--infra-image', SLEEPER]);
    // 0 with pause's own line: it ended on SIGTERM; the SIGKILL would have made it 137.
    expect(pausekit.exitCode).toBe(0);
    expect(pausekit.logs).toContain('Shutting down, got signal: Terminated');
    expect(ignoresTerm.exitCode).toBe(137);
  });
});
