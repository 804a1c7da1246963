// Kubernetes' own path: the kubelet speaks the CRI to containerd, whose CRI
// plugin starts the sandbox image for every pod. Here a private containerd
// is set up from docs/kubernetes-cri.md (its commands run as written, its
// config.toml lines used as they stand) and driven through pausekit's CRI
// client exactly as the kubelet would drive it: RunPodSandbox, then
// CreateContainer/StartContainer for the app, ExecSync, StopPodSandbox,
// RemovePodSandbox. What each test asserts is what the doc says happens.
import { createServer } from 'node:net';
import { existsSync, linkSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { CriClient, type NamespaceMode } from '../../src/cri/client.ts';
import { POD_IP, sweepStaleDaemons } from '../../src/cri/containerd.ts';
import { processesMentioning } from '../../src/cri/host.ts';
import { PausekitError } from '../../src/errors.ts';
import { Cleanup, needs, readyOrSkip } from '../support/host.ts';
import { cannotRun } from '../support/gate.ts';
import { SYS_RT_SIGTIMEDWAIT, blockedSyscall, childrenOf, namespaceOf, procInfo, until } from '../support/processes.ts';
import { PAUSE_BINARY, ROOT, pausekitImage, readOciArchive, writeBusyboxImage } from '../support/engines/images.ts';
import { privateContainerd } from '../support/engines/containerd.ts';
import {
  CRI_NEEDS,
  containerConfig,
  containerPid,
  criNode,
  kubeletPidMode,
  podConfig,
  readDoc,
  sandboxNetnsPath,
  sandboxPid,
  taskEvents,
  type CriDoc,
  type CriNode,
} from '../support/engines/cri.ts';

const availability = needs(CRI_NEEDS);
const doc = readDoc();
const NAMESPACES = ['pid', 'net', 'ipc', 'uts'] as const;
/** How many orphans the app's shell leaves behind. */
const ORPHANS = 64;
/** pausekit's pause built with a catalogued bug: SIGCHLD is never taken, so nothing is reaped. */
const NON_REAPING_PAUSE = join(ROOT, 'build/native/mutants/pause-sigwait-NO_CHLD');

/** Load the doc's busybox (built from Debian's static one: no network here) into a node. */
async function loadBusybox(node: CriNode, d: CriDoc): Promise<void> {
  const archive = join(node.dir, 'busybox.tar');
  await writeBusyboxImage(archive, 'oci', d.pod.container.image);
  await node.ctr(['images', 'import', archive]);
}

/** A pod with the doc's app container in it, PID namespace mode as given. */
async function podWithApp(node: CriNode, pid: NamespaceMode): Promise<{ podId: string; appId: string; pausePid: number; appPid: number }> {
  const config = podConfig(node, doc.pod.name, pid);
  const podId = await node.client.runPodSandbox(config);
  const appId = await node.client.createContainer(podId, containerConfig(doc.pod.container, pid), config);
  await node.client.startContainer(appId);
  return { podId, appId, pausePid: await sandboxPid(node.client, podId), appPid: await containerPid(node.client, appId) };
}

async function removePod(node: CriNode, podId: string): Promise<void> {
  await node.client.stopPodSandbox(podId);
  await node.client.removePodSandbox(podId);
}

/** Output of a command in the container; it must exit 0. */
async function exec(node: CriNode, containerId: string, cmd: string[]): Promise<string> {
  const result = await node.client.execSync(containerId, cmd);
  if (result.exitCode !== 0) throw new Error(`${cmd.join(' ')} exited ${result.exitCode} in ${containerId}: ${result.stderr}`);
  return result.stdout;
}

/**
 * ExecSync a shell in the app that double-forks ORPHANS children and
 * returns at once: each `( … & )` subshell exits, leaving its `sleep` an
 * orphan. Returns once `adopter` has all of them as children.
 */
async function leaveOrphans(node: CriNode, appId: string, adopter: number): Promise<number[]> {
  await exec(node, appId, ['sh', '-c', `for i in $(seq ${ORPHANS}); do (sleep 3601 </dev/null >/dev/null 2>&1 &); done`]);
  return until(`${ORPHANS} orphans to be adopted by pid ${adopter}`, () => {
    const children = childrenOf(adopter);
    return children.length === ORPHANS ? children : undefined;
  });
}

const zombiesOf = (pid: number): number => childrenOf(pid).filter((child) => procInfo(child)?.state === 'Z').length;

function killAll(pids: number[]): void {
  for (const pid of pids) process.kill(pid, 'SIGKILL');
}

describe.skipIf(cannotRun('the CRI tests', ...availability))(`pods through containerd's CRI with pausekit as sandbox_image`, () => {
  const cleanup = new Cleanup();
  let node: CriNode | undefined;
  let unavailable = '';
  let work: string;

  beforeAll(async () => {
    await sweepStaleDaemons();
    const setup = await criNode(cleanup, doc.containerdSettings);
    if ('reason' in setup) {
      unavailable = setup.reason;
      return;
    }
    node = setup;
    work = join(node.dir, 'work');
    mkdirSync(work);
    // docs/kubernetes-cri.md, step 1, as written (ctr reaches our daemon
    // through CONTAINERD_ADDRESS).
    const result = await node.sh(doc.shell, work);
    if (result.code !== 0) throw new Error(`the doc's commands failed (exit ${result.code}):\n${result.stderr}${result.stdout}`);
    await loadBusybox(node, doc);
  });
  afterAll(() => cleanup.run());

  const ready = (ctx: TestContext): CriNode => readyOrSkip(ctx, node, unavailable);

  test("the doc's commands put the image its sandbox_image and CRI-O pause_image name into the k8s.io store", async (ctx) => {
    const n = ready(ctx);
    const archive = await readOciArchive(readFileSync(join(work, 'pause.tar')));
    expect(archive.index.manifests[0]!.annotations?.['io.containerd.image.name']).toBe(doc.sandboxImage);
    expect(doc.crio['pause_image']).toBe(doc.sandboxImage);
    expect(archive.config.config.Entrypoint).toEqual([doc.crio['pause_command']]);
    const image = await n.client.imageStatus(doc.sandboxImage);
    expect(image?.repoTags).toContain(doc.sandboxImage);
  });

  test('Version answers: containerd, CRI runtime API v1', (ctx) => {
    const n = ready(ctx);
    expect(n.version.runtimeName).toBe('containerd');
    expect(n.version.runtimeApiVersion).toBe('v1');
  });

  test("RunPodSandbox starts a pod whose sandbox process is pausekit's /pause, PID 1 and user 65535, ready in a network namespace of its own", async (ctx) => {
    const n = ready(ctx);
    const podId = await n.client.runPodSandbox(podConfig(n, doc.pod.name, 'CONTAINER'));
    const { status } = await n.client.podSandboxStatus(podId);
    expect(status.state).toBe('SANDBOX_READY');
    expect(status.linux?.namespaces?.options?.network).toBe('POD');
    expect(status.network?.ip).toBe(POD_IP);

    const pid = await sandboxPid(n.client, podId);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBe('/pause\0');
    expect(readFileSync(`/proc/${pid}/exe`).equals(readFileSync(PAUSE_BINARY))).toBe(true);
    const info = procInfo(pid)!;
    expect(info.uid).toBe(65535);
    expect(info.nspid.at(-1)).toBe(1);

    // Its own network namespace, the one containerd mounted for the pod.
    const net = namespaceOf(pid, 'net');
    expect(net).not.toBe(namespaceOf(process.pid, 'net'));
    expect(net).toBe(`net:[${statSync(await sandboxNetnsPath(n.client, podId)).ino}]`);
    await removePod(n, podId);
  });

  describe('with shareProcessNamespace: true (the doc\'s pod; PID namespace mode POD)', () => {
    test("the app sees /pause as PID 1, and its pid, net, ipc and uts namespaces are pause's", async (ctx) => {
      const n = ready(ctx);
      expect(doc.pod.shareProcessNamespace).toBe(true);
      const pod = await podWithApp(n, kubeletPidMode(doc.pod.shareProcessNamespace));
      expect(await exec(n, pod.appId, ['cat', '/proc/1/cmdline'])).toBe('/pause\0');
      for (const ns of NAMESPACES) {
        expect(namespaceOf(pod.appPid, ns), ns).toBe(namespaceOf(pod.pausePid, ns));
        // The seed's check, from inside the app.
        expect((await exec(n, pod.appId, ['readlink', `/proc/self/ns/${ns}`])).trim(), ns).toBe(namespaceOf(pod.pausePid, ns));
      }
      await removePod(n, pod.podId);
    });

    test(`the ${ORPHANS} orphans an ExecSync shell leaves behind are adopted by pause and reaped: no zombie before, none after`, async (ctx) => {
      const n = ready(ctx);
      const pod = await podWithApp(n, 'POD');
      const orphans = await leaveOrphans(n, pod.appId, pod.pausePid);
      expect(zombiesOf(pod.pausePid)).toBe(0);
      killAll(orphans);
      await until('pause to reap every orphan', () => (childrenOf(pod.pausePid).length === 0 ? true : undefined));
      expect(zombiesOf(pod.pausePid)).toBe(0);
      await removePod(n, pod.podId);
    });

    test('the same run with a sandbox image that does not reap (pause built without SIGCHLD) leaves every orphan a zombie', async (ctx) => {
      ready(ctx);
      const own = new Cleanup();
      try {
        const image = 'localhost/pausekit/pause-no-chld:test';
        const control = await criNode(own, [`sandbox_image = "${image}"`]);
        if ('reason' in control) throw new Error(control.reason);
        await pausekitImage(['--out', join(control.dir, 'no-chld.tar'), '--binary', NON_REAPING_PAUSE, '--name', image]);
        await control.ctr(['images', 'import', join(control.dir, 'no-chld.tar')]);
        await loadBusybox(control, doc);
        const pod = await podWithApp(control, 'POD');
        expect(readFileSync(`/proc/${pod.pausePid}/exe`).equals(readFileSync(NON_REAPING_PAUSE))).toBe(true);
        const orphans = await leaveOrphans(control, pod.appId, pod.pausePid);
        expect(zombiesOf(pod.pausePid)).toBe(0);
        killAll(orphans);
        const zombies = await until(`all ${ORPHANS} orphans to be zombies`, () => (zombiesOf(pod.pausePid) === ORPHANS ? ORPHANS : undefined));
        expect(zombies).toBe(ORPHANS);
      } finally {
        await own.run();
      }
    });
  });

  describe('with the Kubernetes default (PID namespace mode CONTAINER)', () => {
    test("the app is PID 1 of its own PID namespace, pause holds its net, ipc and uts namespaces, and the app's orphans never reach pause", async (ctx) => {
      const n = ready(ctx);
      const pod = await podWithApp(n, kubeletPidMode(false));
      expect(await exec(n, pod.appId, ['cat', '/proc/1/cmdline'])).toBe(`${doc.pod.container.command.join('\0')}\0`);
      expect(namespaceOf(pod.appPid, 'pid')).not.toBe(namespaceOf(pod.pausePid, 'pid'));
      for (const ns of ['net', 'ipc', 'uts'] as const) expect(namespaceOf(pod.appPid, ns), ns).toBe(namespaceOf(pod.pausePid, ns));
      // Orphans go to the app's own PID 1 (its sleep), not to pause.
      await leaveOrphans(n, pod.appId, pod.appPid);
      expect(childrenOf(pod.pausePid)).toEqual([]);
      await removePod(n, pod.podId);
    });
  });

  describe('taking a pod down', () => {
    // pause exits 0 on a SIGTERM it takes (the next test): 137 says the SIGKILL came first.
    test('StopPodSandbox kills pause with SIGKILL (containerd sends the sandbox no SIGTERM): exit status 137', async (ctx) => {
      const n = ready(ctx);
      const events = await taskEvents(n, cleanup);
      const pod = await podWithApp(n, 'CONTAINER');
      await n.client.stopPodSandbox(pod.podId);
      expect(await events.exitStatus(pod.podId)).toBe(128 + 9);
      expect(procInfo(pod.pausePid)).toBeUndefined();
      expect(procInfo(pod.appPid)).toBeUndefined();
      expect((await n.client.podSandboxStatus(pod.podId)).status.state).toBe('SANDBOX_NOTREADY');
      await n.client.removePodSandbox(pod.podId);
    });

    test('SIGTERM to the sandbox task (as a node shutdown sends it): pause exits 0 and the pod turns SANDBOX_NOTREADY', async (ctx) => {
      const n = ready(ctx);
      const events = await taskEvents(n, cleanup);
      const podId = await n.client.runPodSandbox(podConfig(n, doc.pod.name, 'CONTAINER'));
      // As the pod's PID 1, pause gets SIGTERM only once it takes it: before
      // that (runc init, or pause before its setup) the kernel drops it.
      const pid = await sandboxPid(n.client, podId);
      // The image's pause is the sigwait design: it takes SIGTERM once it
      // sleeps in rt_sigtimedwait (its mask reads empty while it waits there).
      const waiting = SYS_RT_SIGTIMEDWAIT[process.arch];
      await until('pause sleeps in rt_sigtimedwait', () => (waiting === undefined || blockedSyscall(pid) === waiting ? true : undefined));
      await n.ctr(['tasks', 'kill', '--signal', 'SIGTERM', podId]);
      expect(await events.exitStatus(podId)).toBe(0);
      await until('the pod to turn SANDBOX_NOTREADY', async () =>
        (await n.client.podSandboxStatus(podId)).status.state === 'SANDBOX_NOTREADY' ? true : undefined,
      );
      await removePod(n, podId);
    });

    test('RemovePodSandbox leaves nothing of the pod: no sandbox, container, task, process, shim, snapshot, netns mount or cgroup', async (ctx) => {
      const n = ready(ctx);
      const config = podConfig(n, doc.pod.name, 'POD');
      const podId = await n.client.runPodSandbox(config);
      const appId = await n.client.createContainer(podId, containerConfig(doc.pod.container, 'POD'), config);
      await n.client.startContainer(appId);
      const pids = [await sandboxPid(n.client, podId), await containerPid(n.client, appId)];
      const netns = await sandboxNetnsPath(n.client, podId);
      const cgroupDirs = readdirSync('/sys/fs/cgroup')
        .flatMap((hierarchy) => [podId, appId].map((id) => join('/sys/fs/cgroup', hierarchy, config.linux!.cgroupParent!, id)))
        .filter((dir) => existsSync(dir));
      expect(cgroupDirs.length).toBeGreaterThan(0);

      await removePod(n, podId);

      expect((await n.client.listPodSandbox()).map((pod) => pod.id)).not.toContain(podId);
      expect(await n.client.listContainers(podId)).toEqual([]);
      for (const kind of ['containers', 'tasks']) {
        const ids = (await n.ctr([kind, 'list', '--quiet'])).split('\n');
        expect(ids, kind).not.toContain(podId);
        expect(ids, kind).not.toContain(appId);
      }
      const snapshots = await n.ctr(['snapshots', 'list']);
      expect(snapshots).not.toContain(podId);
      expect(snapshots).not.toContain(appId);
      for (const pid of pids) expect(procInfo(pid), `pid ${pid}`).toBeUndefined();
      expect(processesMentioning(podId), 'shim').toEqual([]);
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(netns);
      expect(existsSync(netns)).toBe(false);
      expect(cgroupDirs.filter((dir) => existsSync(dir))).toEqual([]);
    });
  });

  describe('bad input to the client gets an error that names what and where', () => {
    const fails = async (promise: Promise<unknown>): Promise<PausekitError> => {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PausekitError);
      return error as PausekitError;
    };

    test('no socket at the path: the path and that nothing is there', async (ctx) => {
      const n = ready(ctx);
      const socket = join(n.dir, 'no-such-dir', 'containerd.sock');
      const error = await fails(CriClient.connect(socket));
      expect(error.message).toBe(`no CRI runtime at ${socket}: no such file (is the runtime running, and is this its socket?)`);
      const file = join(n.dir, 'config.toml');
      expect((await fails(CriClient.connect(file))).message).toBe(`no CRI runtime at ${file}: it is a file, not a socket`);
    });

    test('a socket nobody listens on any more (a runtime that died): the path and the refused connection', async (ctx) => {
      const n = ready(ctx);
      // A second name for a listening socket outlives the listener: a stale socket.
      const live = join(n.dir, 'live.sock');
      const stale = join(n.dir, 'stale.sock');
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(live, resolve));
      linkSync(live, stale);
      await new Promise((resolve) => server.close(resolve));
      const error = await fails(CriClient.connect(stale));
      expect(error.message).toBe(`nothing listens on ${stale} (connection refused): the runtime that made it is gone`);
    });

    test('a socket that does not speak gRPC: the path and the protocol error', async (ctx) => {
      const n = ready(ctx);
      const socket = join(n.dir, 'http.sock');
      const server = createServer((connection) => {
        connection.on('error', () => undefined);
        connection.once('data', () => connection.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
      });
      await new Promise<void>((resolve) => server.listen(socket, resolve));
      try {
        const error = await fails(CriClient.connect(socket, { timeoutMs: 10_000 }));
        expect(error.message).toMatch(new RegExp(`^${socket} does not speak gRPC as a CRI runtime does: Version failed \\(.+\\)$`));
      } finally {
        server.close();
      }
    });

    test('a gRPC daemon that is not a CRI runtime (containerd with its CRI plugin disabled): the path and the unknown service', async (ctx) => {
      ready(ctx);
      const own = new Cleanup();
      try {
        const plain = await privateContainerd('cri-disabled', own);
        if ('reason' in plain) throw new Error(plain.reason);
        const socket = join(plain.dir, 'containerd.sock');
        const error = await fails(CriClient.connect(socket));
        expect(error.message).toContain(`${socket} is not a CRI v1 runtime`);
        expect(error.message).toContain('unknown service runtime.v1.RuntimeService');
        expect(error.message).toContain('disabled_plugins');
      } finally {
        await own.run();
      }
    });

    test("a container image the node does not have: the image, the container and the runtime's socket", async (ctx) => {
      const n = ready(ctx);
      const config = podConfig(n, doc.pod.name, 'CONTAINER');
      const podId = await n.client.runPodSandbox(config);
      const missing = 'docker.io/library/never-loaded:1.0';
      const error = await fails(
        n.client.createContainer(podId, containerConfig({ ...doc.pod.container, image: missing }, 'CONTAINER'), config),
      );
      expect(error.message).toBe(
        `image ${missing} (for container ${doc.pod.container.name}) is not in the image store of the runtime at ${n.socket}; ` +
          'load it first (containerd: ctr --namespace k8s.io images import FILE.tar)',
      );
      await removePod(n, podId);
    });

    test('a sandbox_image that was never imported: RunPodSandbox says which image is missing and where', async (ctx) => {
      ready(ctx);
      const own = new Cleanup();
      try {
        const image = 'localhost/pausekit/never-imported:0';
        const bare = await criNode(own, [`sandbox_image = "${image}"`]);
        if ('reason' in bare) throw new Error(bare.reason);
        const error = await fails(bare.client.runPodSandbox(podConfig(bare, 'no-sandbox-image', 'CONTAINER')));
        expect(error.message).toMatch(
          new RegExp(`^the runtime at ${bare.socket} cannot start a pod: its sandbox image ${image} is not in its image store and pulling it failed`),
        );
      } finally {
        await own.run();
      }
    });
  });
});
