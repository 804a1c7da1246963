// pausekit's version, as its package.json says: the same file two folders
// up from src/cli/ in a checkout and from dist/cli/ in the package.
import { readFileSync } from 'node:fs';

/** `0.2.0`: the version in package.json. */
export function packageVersion(): string {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return version;
}
