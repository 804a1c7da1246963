// Every architecture's pause, per design: the size of each libc-free build
// native/Makefile writes to build/native/<arch>/pause-<design>, read from the
// files (no program runs). `pause` there is a copy of the default design's.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { DESIGNS } from '../scenario/types.ts';
import { join } from 'node:path';
import { PLATFORMS, buildHint, platformName } from '../image/platforms.ts';
import { binaryFacts } from './programs.ts';

export interface ArchSizes {
  /** `linux/arm/v7` */
  platform: string;
  /** The build's directory under build/native/. */
  arch: string;
  /** The design whose binary `pause` (the default build) is, byte for byte. */
  defaultDesign?: string;
  /** Each design built, sigwait, handlers and autoreap first. */
  designs: { design: string; bytes: number; linking: 'static' | 'dynamic' }[];
  /** Why nothing is listed, when the architecture is not built. */
  missing?: string;
}

const FIRST: readonly string[] = DESIGNS;

/** The designs' order: sigwait, handlers, autoreap, then any other by name. */
function byDesign(a: string, b: string): number {
  const rank = (d: string): number => (FIRST.includes(d) ? FIRST.indexOf(d) : FIRST.length);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The sizes of every architecture's builds under `nativeDir`, in index order. */
export function archSizes(nativeDir: string): ArchSizes[] {
  return PLATFORMS.map((platform) => {
    const dir = join(nativeDir, platform.arch);
    const row: ArchSizes = { platform: platformName(platform), arch: platform.arch, designs: [] };
    const designs = existsSync(dir)
      ? readdirSync(dir)
          .filter((name) => name.startsWith('pause-'))
          .map((name) => name.slice('pause-'.length))
          .sort(byDesign)
      : [];
    if (designs.length === 0) return { ...row, missing: `not built: no ${dir}/pause-* (${buildHint(platform)})` };
    const pause = existsSync(join(dir, 'pause')) ? readFileSync(join(dir, 'pause')) : undefined;
    for (const design of designs) {
      const file = join(dir, `pause-${design}`);
      row.designs.push({ design, ...binaryFacts(file) });
      if (row.defaultDesign === undefined && pause?.equals(readFileSync(file))) row.defaultDesign = design;
    }
    return row;
  });
}
