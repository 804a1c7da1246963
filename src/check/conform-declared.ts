// The differences a project declares for its init, with a reason each, so
// that `pausekit conform` passes as a CI step: a file in JSON or YAML (by
// its extension: .json, .yaml or .yml) holding one map, behaviour to reason:
//
//   differences:
//     exec: our init exits 2 when it cannot start the program, as dumb-init does
//     SIGSYS: synchronous signals are the init's own, as in tini
//
// The behaviours are the rows of the report, by the names in its first column.
// Bad input is one error naming the file and the entry.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse } from 'yaml';
import { PausekitError, checkArgument, isRecord, printable } from '../errors.ts';

/** How long a reason may be, in characters (one line of a report). */
const REASON_MAX = 300;

/** The declared differences of a parsed file: its `differences` map, checked. */
export function declaredDifferences(value: unknown, file: string): Record<string, string> {
  checkArgument(typeof file === 'string', 'declaredDifferences(value, file): file', 'the name of the file the value was read from', file);
  const where = printable(file, 120);
  if (!isRecord(value) || !isRecord(value['differences'])) {
    throw new PausekitError(`${where}: expected an object whose "differences" maps each behaviour to its reason`, { file, field: 'differences' });
  }
  const extra = Object.keys(value).find((key) => key !== 'differences');
  if (extra !== undefined) throw new PausekitError(`${where}: unknown field '${printable(extra, 40)}' (only "differences")`, { file, field: extra });
  const declared: Record<string, string> = {};
  for (const [id, reason] of Object.entries(value['differences'])) {
    if (typeof reason !== 'string' || reason.trim() === '') {
      throw new PausekitError(`${where}: differences.${printable(id, 40)}: give the reason for this difference (a line of text)`, { file, field: `differences.${id}` });
    }
    if (reason.length > REASON_MAX || /[\n\r]/.test(reason.trim())) {
      throw new PausekitError(`${where}: differences.${printable(id, 40)}: a reason is one line of at most ${REASON_MAX} characters`, { file, field: `differences.${id}` });
    }
    declared[id] = reason.trim();
  }
  return declared;
}

/** Reads a file of declared differences (JSON or YAML, by extension). */
export function readDeclared(file: string): Record<string, string> {
  checkArgument(typeof file === 'string', 'readDeclared(file): file', 'the path of a .json, .yaml or .yml file', file);
  const where = printable(file, 120);
  const extension = extname(file).toLowerCase();
  if (!['.json', '.yaml', '.yml'].includes(extension)) {
    throw new PausekitError(`${where}: a file of declared differences is .json, .yaml or .yml`, { file, field: 'declared' });
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new PausekitError(`${where}: cannot read it (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { file, field: 'declared' });
  }
  let value: unknown;
  try {
    value = extension === '.json' ? JSON.parse(text) : parse(text, { uniqueKeys: true });
  } catch (error) {
    const first = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    throw new PausekitError(`${where}: not valid ${extension === '.json' ? 'JSON' : 'YAML'}: ${printable(first, 120)}`, { file, field: 'declared' });
  }
  return declaredDifferences(value, file);
}
