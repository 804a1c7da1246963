// One error class for everything a user can get wrong or the machine can
// refuse. It carries data (what failed, where, the value seen); the CLI
// prints `pausekit: <message>` and exits non-zero, never a stack trace.
// A message is one line (a command's usage may follow it): text that came
// from the user goes into it through printable().

export interface ErrorDetails {
  /** The file involved, if any. */
  file?: string;
  /** Index of the scenario step, if any. */
  step?: number;
  /** The field (dotted path) that was wrong. */
  field?: string;
  /** The value seen. */
  value?: unknown;
  /** Anything else worth carrying (engine, pid, errno...). */
  [key: string]: unknown;
}

export class PausekitError extends Error {
  readonly details: ErrorDetails;
  /** Exit code the CLI uses for this error. */
  readonly exitCode: number;

  constructor(message: string, details: ErrorDetails = {}, exitCode = 2) {
    super(message);
    this.name = 'PausekitError';
    this.details = details;
    this.exitCode = exitCode;
  }
}

/**
 * Text from the user (a value, a file name, an option) as a message shows
 * it: control characters escaped as JSON escapes them, so the message stays
 * one line, and cut to `max` characters (whole code points) with "...".
 */
export function printable(text: string, max = Infinity): string {
  const escaped = text.replace(/[\u0000-\u001f\u007f]/g, (c) => (c === '\u007f' ? '\\u007f' : JSON.stringify(c).slice(1, -1)));
  if (escaped.length <= max) return escaped;
  return `${[...escaped.slice(0, max + 1)].slice(0, max).join('')}...`;
}

/**
 * A JavaScript caller's missing or wrong argument to an exported function,
 * caught where it comes in: one line naming the function's argument and
 * what it must be, instead of a TypeError from deep inside. (TypeScript
 * callers are stopped by the compiler first.)
 */
export function checkArgument(ok: boolean, argument: string, expected: string, value: unknown): asserts ok {
  if (ok) return;
  const seen = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'another object' : typeof value === 'string' ? `'${printable(value, 40)}'` : String(value);
  throw new PausekitError(`${argument} must be ${expected}, got ${seen}`, { field: argument, value });
}

/** Whether a value is an object (not null, not an array): what a scenario, step or options argument is. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
