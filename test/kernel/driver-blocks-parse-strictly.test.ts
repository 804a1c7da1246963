// The kernel engine reads the driver's observation blocks strictly: a line
// it does not know (a pause state, a process state, a field, a kind of
// line) is an error of the kernel engine that quotes the line, never a
// default such as "running". No kernel is needed: the blocks are fed to
// the parser as the driver would send them.
import { describe, expect, it } from 'vitest';
import { parseBlock } from '../../src/engines/kernel/parse.ts';
import { PausekitError } from '../../src/errors.ts';

const STEP = 4;
const WHAT = 'step 4 (exit app 0)';
const STDERR = `stderr ${Buffer.from('Shutting down, got signal: Terminated\n').toString('hex')}`;

/** The block parsed as step 4, or the error it was refused with. */
function parse(block: string[]): ReturnType<typeof parseBlock> | PausekitError {
  try {
    return parseBlock(block, STEP, 2000, WHAT);
  } catch (error) {
    if (error instanceof PausekitError) return error;
    throw error;
  }
}

/** The block is refused by the kernel engine, naming the step and the line. */
function expectRefused(block: string[], line: string): void {
  const result = parse(block);
  expect(result).toBeInstanceOf(PausekitError);
  const error = result as PausekitError;
  expect(error.details).toMatchObject({ engine: 'kernel', kind: 'driver', step: STEP, line });
  expect(error.message).toContain(WHAT);
  expect(error.message).toContain(JSON.stringify(line));
  expect(error.message).not.toContain('\n');
}

describe('a driver block', () => {
  it('with known lines becomes the observation they say', () => {
    expect(parse([
      'pause killed 15',
      'proc app zombie pause',
      'proc worker stopped app caught=10,17',
      'proc helper running outside caught=',
      'proc job gone -',
      STDERR,
    ])).toEqual({
      step: STEP,
      pause: { state: 'killed', signal: 'SIGTERM' },
      processes: {
        app: { state: 'zombie', parent: 'pause' },
        worker: { state: 'stopped', parent: 'app', caught: ['SIGUSR1', 'SIGCHLD'] },
        helper: { state: 'running', parent: 'outside', caught: [] },
        job: { state: 'gone', parent: null },
      },
      stderr: ['Shutting down, got signal: Terminated'],
    });
    expect(parse(['pause exited 0', 'stderr '])).toMatchObject({ pause: { state: 'exited', code: 0 }, stderr: [] });
    expect(parse(['pause stopped', 'stderr '])).toMatchObject({ pause: { state: 'stopped' } });
  });

  it('with an unknown pause state is refused, not read as running', () => {
    expectRefused(['pause sleeping', 'proc app running outside', STDERR], 'pause sleeping');
  });

  it('with an unknown process state is refused, not passed on unchecked', () => {
    expectRefused(['pause running', 'proc app dancing outside', STDERR], 'proc app dancing outside');
  });

  it('with an unknown kind of line is refused, not skipped', () => {
    expectRefused(['pause running', 'procs app running outside', STDERR], 'procs app running outside');
  });

  it('with an unknown or extra field on a process line is refused', () => {
    expectRefused(['pause running', 'proc app running outside colour=red', STDERR], 'proc app running outside colour=red');
    expectRefused(['pause running', 'proc app running outside caught=1 caught=2', STDERR], 'proc app running outside caught=1 caught=2');
    expectRefused(['pause running', 'proc app running', STDERR], 'proc app running');
  });

  it('with a value that is not what its field holds is refused', () => {
    expectRefused(['pause exited zero', STDERR], 'pause exited zero');
    expectRefused(['pause killed 99', STDERR], 'pause killed 99');
    expectRefused(['pause running 1', STDERR], 'pause running 1');
    expectRefused(['pause running', 'proc app running outside caught=9x', STDERR], 'proc app running outside caught=9x');
    expectRefused(['pause running', 'proc app gone outside', STDERR], 'proc app gone outside');
    expectRefused(['pause running', 'proc app running -', STDERR], 'proc app running -');
    expectRefused(['pause running', 'stderr 4x'], 'stderr 4x');
  });

  it('without its pause or stderr line, or with two, is refused', () => {
    expectRefused([STDERR], STDERR);
    expectRefused(['pause running'], 'pause running');
    expectRefused(['pause running', 'pause stopped', STDERR], 'pause stopped');
    expectRefused(['pause running', 'proc app running outside', 'proc app zombie outside', STDERR], 'proc app zombie outside');
  });

  it('with an error line is the driver\'s error, a livelock named as such', () => {
    expect(parse(['error livelock'])).toMatchObject({ details: { engine: 'kernel', kind: 'livelock', step: STEP } });
    const error = parse(['error app cannot exit: not running']) as PausekitError;
    expect(error.details).toMatchObject({ engine: 'kernel', kind: 'driver', step: STEP });
    expect(error.message).toBe(`${WHAT}: kernel driver: app cannot exit: not running`);
  });
});
