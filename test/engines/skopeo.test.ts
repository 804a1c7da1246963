// skopeo, the containers/image reference tool, accepts pausekit's
// single-platform OCI archive and reports the entrypoint, user, platform and
// digest we wrote (the multi-platform one: skopeo-multi-platform.test.ts).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Cleanup, needs, removeDir, tempDir } from '../support/host.ts';
import { cannotRun } from '../support/gate.ts';
import { ok } from '../support/processes.ts';
import { HOST_PLATFORM, OCI_ARCH, pausekitImage, readOciArchive } from '../support/engines/images.ts';

const availability = needs(['skopeo']);

describe.skipIf(cannotRun('the skopeo tests', ...availability))(`skopeo inspect of the oci-archive of one platform`, () => {
  const cleanup = new Cleanup();
  let archive: string;

  beforeAll(async () => {
    const dir = tempDir('skopeo');
    cleanup.add('temp dir', () => removeDir(dir));
    archive = join(dir, 'pause.tar');
    await pausekitImage(['--out', archive, '--platform', HOST_PLATFORM]);
  });
  afterAll(() => cleanup.run());

  test('reports the manifest digest that the archive holds', async () => {
    const expected = (await readOciArchive(readFileSync(archive))).manifestDigest;
    const inspect = JSON.parse(await ok('skopeo', ['inspect', `oci-archive:${archive}`])) as Record<string, unknown>;
    expect(inspect.Digest).toBe(expected);
    expect(inspect.Os).toBe('linux');
    expect(inspect.Architecture).toBe(OCI_ARCH[process.arch]);
  });

  test('reads entrypoint ["/pause"] and user 65535:65535 from its config', async () => {
    const config = JSON.parse(await ok('skopeo', ['inspect', '--config', `oci-archive:${archive}`])) as {
      config: Record<string, unknown>;
    };
    expect(config.config.Entrypoint).toEqual(['/pause']);
    expect(config.config.User).toBe('65535:65535');
  });
});
