// Scenario files: read, parse, validate, write. Every engine runs only
// scenarios that passed parseScenario, so what it checks is the whole
// contract of what a scenario may say (the format itself is in
// src/scenario/types.ts). Two passes: the shape pass (shape.ts) types every
// field and fills in the defaults; the rules pass (rules.ts) checks that the
// steps are possible, by the static rules docs/scenario-format.md numbers.
import { isUtf8 } from 'node:buffer';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PausekitError, checkArgument, isRecord, printable } from '../errors.ts';
import { checkRules } from './rules.ts';
import { failIn, scenarioShape } from './shape.ts';
import type { Scenario, ScenarioInput } from './types.ts';

export { MAX_STEPS } from './shape.ts';
export { FORWARDED_SIGNALS, JOB_CONTROL_SIGNALS, MAX_SCENARIO_PROCESSES, isFatalByDefault } from './rules.ts';

/** The biggest scenario file: 10^4 steps, written out one a line, fit in well under it. */
export const MAX_SCENARIO_BYTES = 4 * 1024 * 1024;

/** The program's name when exec finds nothing (kernel engine: an empty PATH directory). */
export const MISSING_PROGRAM = 'pausekit-missing-program';
/** The program's name when exec finds a file it may not run (a 0644 file on PATH). */
export const NOT_EXECUTABLE_PROGRAM = 'pausekit-not-executable';
/** The program's name when exec finds a directory of that name on PATH. */
export const DIRECTORY_PROGRAM = 'pausekit-directory';
/** The program's name when it is too long to look up on PATH: 256 bytes, one past NAME_MAX. */
export const NAME_TOO_LONG_PROGRAM = `pausekit-name-too-long-${'x'.repeat(256 - 23)}`;

/** Reads one scenario text; `file` is only used in error messages. */
export function parseScenario(text: string, file = 'scenario'): Scenario {
  checkArgument(typeof text === 'string', 'parseScenario(text, file): text', "a scenario's JSON text", text);
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_SCENARIO_BYTES) {
    throw new PausekitError(`${printable(file)}: too big: ${bytes} bytes; a scenario file may hold at most ${MAX_SCENARIO_BYTES} bytes (4 MiB)`,
      { file, value: bytes, kind: 'limit' });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.startsWith('\ufeff') ? text.slice(1) : text);
  } catch (error) {
    throw new PausekitError(`${printable(file)}: invalid JSON: ${printable(error instanceof Error ? error.message : String(error), 160)}`, { file });
  }
  const fail = failIn(file);
  const scenario = scenarioShape(raw, fail);
  checkRules(scenario, fail);
  return scenario;
}

/**
 * A scenario given as an object (a library caller's ScenarioInput, or a
 * Scenario): every field checked for its type and the defaults filled in,
 * as a file's are; `where` names it in errors. The static rules are not
 * applied: an engine plays what it is given (parseScenario and
 * loadScenario apply them to files).
 */
export function normalizeScenario(input: ScenarioInput, where = 'scenario'): Scenario {
  return scenarioShape(input, failIn(where));
}

/** Reads and validates a scenario file. */
export function loadScenario(file: string): Scenario {
  checkArgument(typeof file === 'string', 'loadScenario(file): file', "a scenario file's path", file);
  return parseScenario(readScenarioFile(file), file);
}

/**
 * The file's text; a clear error if it cannot be read, is bigger than
 * MAX_SCENARIO_BYTES (read no further: a pipe or /dev/zero never ends) or
 * is not UTF-8. A UTF-8 byte order mark is dropped.
 */
function readScenarioFile(file: string): string {
  const where = printable(file);
  const cannotRead = (error: unknown): PausekitError => {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return new PausekitError(`${where}: cannot read the scenario (${code})`, { file, value: code });
  };
  const tooBig = (size: string): PausekitError => new PausekitError(
    `${where}: too big: ${size} bytes; a scenario file may hold at most ${MAX_SCENARIO_BYTES} bytes (4 MiB)`,
    { file, value: size, kind: 'limit' });
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw cannotRead(error);
  }
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    const stat = fstatSync(fd);
    if (stat.isFile() && stat.size > MAX_SCENARIO_BYTES) throw tooBig(String(stat.size));
    const chunk = Buffer.alloc(1 << 16);
    for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) {
      total += n;
      if (total > MAX_SCENARIO_BYTES) throw tooBig(`more than ${MAX_SCENARIO_BYTES}`);
      chunks.push(Buffer.from(chunk.subarray(0, n)));
    }
  } catch (error) {
    throw error instanceof PausekitError ? error : cannotRead(error);
  } finally {
    closeSync(fd);
  }
  const bytes = Buffer.concat(chunks, total);
  if (!isUtf8(bytes)) {
    const at = firstInvalidUtf8(bytes);
    const line = bytes.subarray(0, at).filter((b) => b === 0x0a).length + 1;
    throw new PausekitError(
      `${where}: not UTF-8 text: byte ${at} (line ${line}) is 0x${(bytes[at] ?? 0).toString(16).padStart(2, '0')}; save the scenario as UTF-8`,
      { file, value: at });
  }
  const text = bytes.toString('utf8');
  return text.startsWith('\ufeff') ? text.slice(1) : text;
}

/** The offset of the first byte that does not begin a valid UTF-8 sequence (RFC 3629), or -1. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i]!;
    if (lead < 0x80) {
      i++;
      continue;
    }
    // Continuation bytes 0x80..0xbf; the second one is narrower after
    // E0 and F0 (no overlong forms), ED (no surrogates) and F4 (<= U+10FFFF).
    const more = lead >= 0xc2 && lead <= 0xdf ? 1 : lead >= 0xe0 && lead <= 0xef ? 2 : lead >= 0xf0 && lead <= 0xf4 ? 3 : 0;
    if (more === 0) return i;
    const low = lead === 0xe0 ? 0xa0 : lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xed ? 0x9f : lead === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= more; k++) {
      const next = bytes[i + k];
      if (next === undefined || next < (k === 1 ? low : 0x80) || next > (k === 1 ? high : 0xbf)) return i;
    }
    i += more + 1;
  }
  return -1;
}

/** Canonical JSON for a validated scenario: every field explicit, one step a line. */
export function scenarioToJson(s: Scenario): string {
  checkArgument(isRecord(s) && Array.isArray(s.steps), 'scenarioToJson(scenario): scenario', 'a Scenario', s);
  const head: Record<string, unknown> = { version: s.version };
  if (s.description !== undefined) head.description = s.description;
  head.pid1 = s.pid1;
  if (s.init !== undefined) head.init = s.init;
  if (s.inherit !== undefined) head.inherit = s.inherit;
  const lines = Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`);
  const steps = s.steps.map((step, i) => `    ${JSON.stringify(step)}${i < s.steps.length - 1 ? ',' : ''}`);
  return ['{', ...lines, s.steps.length === 0 ? '  "steps": []' : '  "steps": [', ...(s.steps.length === 0 ? [] : [...steps, '  ]']), '}', ''].join('\n');
}

/**
 * The seed post's story (src/scenario/examples/seed-story.json): pause holds the
 * namespace while a container's processes come and go; their orphans (even
 * one that is already a zombie) are adopted and reaped; the namespace
 * outlives the last container; and pause exits cleanly on SIGTERM, taking
 * the last process along. Loaded from the example file, so it is written once.
 */
export const SEED_STORY: Scenario = loadScenario(fileURLToPath(new URL('./examples/seed-story.json', import.meta.url)));
