// One error class for everything a user can get wrong or the machine can
// refuse. It carries data (what failed, where, the value seen); the CLI
// prints `pausekit: <message>` and exits non-zero, never a stack trace.

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
