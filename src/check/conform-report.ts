// `pausekit conform`'s report in words: one row per behaviour, then each
// difference with its scenario, its replay command and the user's reason,
// then what stays stale or undeclared, in 100 columns.
import { checkArgument, isRecord } from '../errors.ts';
import { COLUMNS, wrap } from '../scenario/report.ts';
import type { ConformReport, RowResult } from './conform.ts';
import type { Verdict } from './expectations.ts';

/** A row's result cell: passes, differs [n] (declared), not offered [n]. */
function resultCell(row: RowResult, note: number | undefined): string {
  const mark = note === undefined ? '' : ` [${note}]`;
  if (row.result === 'differs') return `differs${row.declared !== undefined ? ', declared' : ''}${mark}`;
  return `${row.result}${mark}`;
}

/** Lines wrapped to the report's width under an indent. */
function indented(text: string, indent: string): string[] {
  return wrap(text, COLUMNS - indent.length).map((line) => `${indent}${line}`);
}

/** One note: a difference (what, where, declared or not, replay), or why not offered or not checked. */
function noteLines(n: number, row: RowResult): string[] {
  const d = row.difference;
  const lines = indented(`[${n}] ${row.id}: ${row.title}`, '');
  if (d !== undefined) {
    lines.push(...indented(`${d.probe}: ${d.text}`, '    '));
    if (row.declared !== undefined) lines.push(...indented(`declared: ${row.declared}`, '    '));
    if (d.replay !== undefined) lines.push(...indented(`${d.file !== undefined ? 'replay' : 'by hand'}: ${d.replay}`, '    '));
    if (d.unseenByRun !== undefined) lines.push(...indented(`(${d.unseenByRun})`, '    '));
  }
  if (row.note !== undefined) lines.push(...indented(row.note, '    '));
  return lines;
}

/** The whole report, as `pausekit conform` prints it. */
export function formatConformReport(report: ConformReport): string {
  checkArgument(isRecord(report as unknown) && Array.isArray(report.rows), 'formatConformReport(report): report', 'what conform() returns', report);
  const notes: string[][] = [];
  const noted = (row: RowResult): number | undefined => {
    if (row.result === 'passes' && row.note === undefined) return undefined;
    notes.push(noteLines(notes.length + 1, row));
    return notes.length;
  };
  const cells = report.rows.map((row) => [row.id, resultCell(row, noted(row)), String(row.played), row.title]);
  const widths = [0, 1, 2].map((i) => Math.max(...cells.map((c) => c[i]!.length), ['behaviour', 'result', 'runs'][i]!.length));
  const line = (c: string[]) => {
    const start = `${c[0]!.padEnd(widths[0]!)}  ${c[1]!.padEnd(widths[1]!)}  ${c[2]!.padStart(widths[2]!)}  `;
    const room = COLUMNS - start.length;
    return `${start}${c[3]!.length > room ? `${c[3]!.slice(0, room - 3)}...` : c[3]}`.trimEnd();
  };
  const count = (result: RowResult['result']) => report.rows.filter((r) => r.result === result).length;
  const declared = report.rows.filter((r) => r.declared !== undefined).length;
  const verdict = [
    `${report.rows.length} behaviours: ${count('passes')} pass, ${count('differs')} differ (${declared} declared), ` +
      `${count('not offered')} not offered, ${count('not checked')} not checked; ${report.seconds.toFixed(1)} s`,
    ...(report.undeclared.length > 0 ? [`not declared: ${report.undeclared.join(', ')}`] : []),
    ...(report.stale.length > 0 ? [`declared but no longer differing: ${report.stale.join(', ')}`] : []),
    report.ok ? 'conforms, apart from the declared differences' : 'does not conform',
  ];
  return [
    ...indented(`pausekit conform ${report.subject}`, ''),
    ...indented(`${report.mode} mode; ${report.runs} random plans, seed ${report.seed} (--seed ${report.seed} replays them); ` +
      `each step against the model's pause in any of its designs; aside: ${report.aside.join('; ')}`, ''),
    '',
    line(['behaviour', 'result', 'runs', 'what']),
    ...cells.map(line),
    ...notes.flatMap((n) => ['', ...n]),
    '',
    ...verdict.flatMap((v) => indented(v, '')),
    '',
  ].join('\n');
}

/**
 * Whether a report (what conform() returns) conforms: nothing differs but
 * what is declared, and each declaration still shows. The message lists
 * each undeclared difference with its replay, or the stale declarations.
 */
export function conformed(report: unknown): Verdict {
  const r = report as Partial<ConformReport> | null;
  if (typeof r !== 'object' || r === null || !Array.isArray(r.rows) || !Array.isArray(r.undeclared) || !Array.isArray(r.stale)) {
    return { pass: false, message: `expected what conform() returns, got ${report === null ? 'null' : Array.isArray(report) ? 'an array' : typeof report}` };
  }
  const lines = [
    ...r.rows.filter((row) => r.undeclared!.includes(row.id)).map((row) =>
      `${row.id}: ${row.difference?.probe}: ${row.difference?.text}${row.difference?.replay ? ` (replay: ${row.difference.replay})` : ''}`),
    ...r.stale.map((id) => `${id}: declared, but it no longer differs`),
  ];
  return lines.length > 0
    ? { pass: false, message: `expected ${r.subject} to conform to the model, but\n  ${lines.join('\n  ')}` }
    : { pass: true, message: `expected ${r.subject} not to conform, but it passes every behaviour but the ${r.rows.filter((row) => row.declared !== undefined).length} declared` };
}
