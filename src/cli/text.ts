// Two-column lists as pausekit prints them (commands, examples): names
// padded to one column, texts wrapped beside them within COLUMNS.
import { COLUMNS, wrap } from '../scenario/report.ts';

/** Rows of a name and its text: names padded to one column, each text wrapped beside its name. */
export function twoColumns(rows: readonly [string, string][], indent = '  '): string[] {
  const width = Math.max(0, ...rows.map(([name]) => name.length));
  const hang = ' '.repeat(indent.length + width + 2);
  return rows.flatMap(([name, text]) => {
    const first = `${indent}${name.padEnd(width)}  `;
    return wrap(text, COLUMNS - first.length).map((line, i) => `${i === 0 ? first : hang}${line}`.trimEnd());
  });
}
