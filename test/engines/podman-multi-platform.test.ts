// podman and pausekit's multi-platform OCI archive: `podman load` takes this
// machine's platform out of the image index, and that image runs as the
// infra container of a pod (PID 1, this machine's /pause, exit 0 on pod
// stop); `podman pull --arch` takes another platform's image from the same
// archive.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test, type TestContext } from 'vitest';
import { Cleanup, needs, readyOrSkip } from '../support/host.ts';
import { cannotRun, need } from '../support/gate.ts';
import { procInfo, until } from '../support/processes.ts';
import { ARCHES, HOST_ARCH, archBinary, buildMissing } from '../support/qemu.ts';
import { HOST_PLATFORM, OCI_ARCH, pausekitImage, readOciIndexArchive, type OciIndexImage } from '../support/engines/images.ts';
import { PODMAN_NEEDS, privatePodman, type Podman } from '../support/engines/podman.ts';

const availability = needs(PODMAN_NEEDS);
const PAUSE = 'localhost/pausekit/pause:multi';
/** A platform of the archive that is not this machine's (arm64 on x86-64 CI). */
const FOREIGN = ARCHES.find((arch) => arch !== HOST_ARCH && arch !== 'arm' && buildMissing(arch) === undefined);
const FOREIGN_BUILT = need('a platform other than this machine\'s, built', () => (FOREIGN === undefined
  ? 'no platform but this machine\'s is built (make -C native builds them)' : undefined));

describe.skipIf(cannotRun('the podman tests', ...availability))(`podman and the multi-platform archive`, () => {
  const cleanup = new Cleanup();
  let podman: Podman | undefined;
  let unavailable = '';
  let archive: string;
  let written: OciIndexImage;

  beforeAll(async () => {
    const setup = await privatePodman('podman-multi', cleanup);
    if ('reason' in setup) {
      unavailable = setup.reason;
      return;
    }
    podman = setup;
    archive = join(setup.dir, 'pause.tar');
    await pausekitImage(['--out', archive, '--name', PAUSE]);
    written = await readOciIndexArchive(readFileSync(archive));
  });
  afterAll(() => cleanup.run());

  const ready = (ctx: TestContext): Podman => readyOrSkip(ctx, podman, unavailable);

  test(`podman load takes ${HOST_PLATFORM}'s image out of the index, under the image's name`, async (ctx) => {
    const p = ready(ctx);
    const loaded = await p.ok(['load', '--quiet', '--input', archive]);
    expect(loaded).toBe(`Loaded image: ${PAUSE}`);
    const [architecture, os, id, digest] = (await p.ok(['image', 'inspect', '--format', '{{.Architecture}} {{.Os}} {{.Id}} {{.Digest}}', PAUSE])).split(' ');
    expect({ architecture, os }).toEqual({ architecture: OCI_ARCH[process.arch], os: 'linux' });
    expect(`sha256:${id}`).toBe(written.images.get(HOST_PLATFORM)!.manifest.config.digest);
    expect(digest).toBe(written.indexDigest);
  });

  test("runs it as a pod's infra container: PID 1 of the pod, this machine's /pause, exit 0 on pod stop", async (ctx) => {
    const p = ready(ctx);
    const name = 'pausekit-multi';
    await p.ok(['pod', 'create', '--name', name, '--share', 'pid,ipc,uts', '--cgroup-parent', p.cgroupParent,
      '--infra-image', PAUSE, '--infra-command', '/pause']);
    await p.ok(['pod', 'start', name]);
    const infraId = await p.ok(['pod', 'inspect', '--format', '{{.InfraContainerID}}', name]);
    const infraPid = Number(await p.ok(['inspect', '--format', '{{.State.Pid}}', infraId]));
    const info = await until('the infra container runs /pause', () => {
      const i = procInfo(infraPid);
      return i !== undefined && i.state !== 'Z' ? i : undefined;
    });
    expect(info.nspid.at(-1)).toBe(1);
    expect(readFileSync(`/proc/${infraPid}/exe`).equals(readFileSync(archBinary(HOST_ARCH!, 'default')))).toBe(true);
    await p.ok(['pod', 'stop', '--time', '10', name]);
    expect(Number(await p.ok(['inspect', '--format', '{{.State.ExitCode}}', infraId]))).toBe(0);
    const logs = await p.podman(['logs', infraId]);
    expect(logs.stdout + logs.stderr).toContain('Shutting down, got signal: Terminated');
  });

  test.skipIf(cannotRun('podman pull --arch', FOREIGN_BUILT))(`podman pull --arch ${FOREIGN} oci-archive:… takes that platform's image from the same archive`, async (ctx) => {
    const p = ready(ctx);
    await p.ok(['pull', '--quiet', '--arch', FOREIGN!, `oci-archive:${archive}`]);
    const [architecture, id] = (await p.ok(['image', 'inspect', '--format', '{{.Architecture}} {{.Id}}', PAUSE])).split(' ');
    expect(architecture).toBe(FOREIGN);
    expect(`sha256:${id}`).toBe(written.images.get(`linux/${FOREIGN}`)!.manifest.config.digest);
  });
});
