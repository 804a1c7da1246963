// Invalid scenarios are rejected before anything runs, with an error that
// names the file, the step index and the field; the CLI exits non-zero
// with that one line and no stack trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../src/cli/run.ts';
import { PausekitError } from '../../src/errors.ts';
import { loadScenario, parseScenario } from '../../src/scenario/load.ts';

const spawnApp = { event: 'spawn', name: 'app' };

/**
 * Each kind of bad input: the scenario, what the message must say and, for
 * a step that is well formed but not possible, the static rule it breaks
 * (numbered as docs/scenario-format.md numbers them).
 */
const BAD: { kind: string; text: string; message: string; step?: number; rule?: number | 'names' }[] = [
  { kind: 'bad JSON', text: '{"version": 1, "steps": [', message: 'bad.json: invalid JSON: ' },
  { kind: 'a top-level value that is not an object', text: '[]', message: 'bad.json: (top level): expected an object' },
  { kind: 'an unknown top-level field', text: '{"version": 1, "steps": [], "colour": "red"}', message: 'bad.json: colour: unknown field' },
  { kind: 'a wrong version', text: '{"version": 2, "steps": []}', message: 'bad.json: version: expected 1, got 2' },
  { kind: 'steps that are not a list', text: '{"version": 1, "steps": {}}', message: 'bad.json: steps: expected an array' },
  { kind: 'pid1 that is not a boolean', text: '{"version": 1, "pid1": "yes", "steps": []}', message: 'bad.json: pid1: expected true or false, got "yes"' },
  { kind: 'an unknown event', step: 1, message: 'bad.json: steps[1].event: unknown event "fork"',
    text: JSON.stringify({ version: 1, steps: [spawnApp, { event: 'fork', name: 'x' }] }) },
  { kind: 'an unknown field in a step', step: 0, message: 'bad.json: steps[0].colour: unknown field for a spawn step',
    text: JSON.stringify({ version: 1, steps: [{ ...spawnApp, colour: 'red' }] }) },
  { kind: 'an unknown field in an exit step', step: 1, message: 'bad.json: steps[1].colour: unknown field for an exit step',
    text: JSON.stringify({ version: 1, steps: [spawnApp, { event: 'exit', name: 'app', code: 0, colour: 'red' }] }) },
  { kind: 'an event named like a property every object has', step: 0, message: 'bad.json: steps[0].event: unknown event "toString"',
    text: JSON.stringify({ version: 1, steps: [{ event: 'toString' }] }) },
  { kind: 'an event named __proto__', step: 0, message: 'bad.json: steps[0].event: unknown event "__proto__"',
    text: '{"version": 1, "steps": [{"event": "__proto__"}]}' },
  { kind: 'an unknown process name', rule: 1, step: 1, message: 'bad.json: steps[1].name: unknown process "ghost"',
    text: JSON.stringify({ version: 1, steps: [spawnApp, { event: 'exit', name: 'ghost', code: 0 }] }) },
  { kind: 'an unknown parent', rule: 1, step: 0, message: 'bad.json: steps[0].parent: unknown process "nobody"',
    text: JSON.stringify({ version: 1, steps: [{ ...spawnApp, parent: 'nobody' }] }) },
  { kind: 'a name used twice', rule: 'names', step: 1, message: 'bad.json: steps[1].name: process name "app" is already used',
    text: JSON.stringify({ version: 1, steps: [spawnApp, spawnApp] }) },
  { kind: 'a reserved name', step: 0, message: 'bad.json: steps[0].name: invalid process name "pause"',
    text: JSON.stringify({ version: 1, steps: [{ event: 'spawn', name: 'pause' }] }) },
  { kind: 'the name __proto__ (observations could not list it)', step: 0, message: 'bad.json: steps[0].name: invalid process name "__proto__"',
    text: JSON.stringify({ version: 1, steps: [{ event: 'spawn', name: '__proto__' }] }) },
  { kind: 'an event on a process that has exited', rule: 2, step: 2, message: 'bad.json: steps[2].target: process "app" no longer exists',
    text: JSON.stringify({ version: 1, steps: [spawnApp, { event: 'exit', name: 'app', code: 0 }, { event: 'signal', target: 'app', signal: 'SIGTERM' }] }) },
  { kind: 'an event on a process that was killed', rule: 1, step: 2, message: 'bad.json: steps[2].name: process "app" no longer exists',
    text: JSON.stringify({ version: 1, steps: [spawnApp, { event: 'signal', target: 'app', signal: 'SIGTERM' }, { event: 'subreaper', name: 'app' }] }) },
  { kind: 'a stopped process that should act', rule: 1, step: 2, message: 'bad.json: steps[2].parent: process "app" is stopped and cannot act',
    text: JSON.stringify({ version: 1, steps: [spawnApp, { event: 'signal', target: 'app', signal: 'SIGSTOP' }, { event: 'spawn', name: 'b', parent: 'app' }] }) },
  { kind: 'a step after pause may have ended the namespace', rule: 4, step: 2, message: 'bad.json: steps[2].name: pause may already have ended this namespace',
    text: JSON.stringify({ version: 1, steps: [spawnApp, { event: 'signal', target: 'pause', signal: 'SIGTERM' }, { event: 'exit', name: 'app', code: 0 }] }) },
  { kind: 'an exit code above 255', step: 1, message: 'bad.json: steps[1].code: expected an integer exit code 0..255, got 256',
    text: JSON.stringify({ version: 1, steps: [spawnApp, { event: 'exit', name: 'app', code: 256 }] }) },
  { kind: 'a negative exit code', step: 1, message: 'bad.json: steps[1].code: expected an integer exit code 0..255, got -1',
    text: JSON.stringify({ version: 1, steps: [spawnApp, { event: 'exit', name: 'app', code: -1 }] }) },
  { kind: 'a fractional exit code', step: 1, message: 'bad.json: steps[1].code: expected an integer exit code 0..255, got 1.5',
    text: JSON.stringify({ version: 1, steps: [spawnApp, { event: 'exit', name: 'app', code: 1.5 }] }) },
  { kind: 'an unknown signal name', step: 1, message: 'bad.json: steps[1].signal: unknown signal "SIGFOO"',
    text: JSON.stringify({ version: 1, steps: [spawnApp, { event: 'signal', target: 'app', signal: 'SIGFOO' }] }) },
  { kind: 'signal number 0', step: 0, message: 'bad.json: steps[0].signal: signal number out of range: 0',
    text: JSON.stringify({ version: 1, steps: [{ event: 'signal', target: 'pause', signal: 0 }] }) },
  { kind: 'signal number 32', step: 0, message: "bad.json: steps[0].signal: signal 32 is the C library's own (glibc and musl keep 32 and 33",
    text: JSON.stringify({ version: 1, steps: [{ event: 'signal', target: 'pause', signal: 32 }] }) },
  { kind: 'signal number 65', step: 0, message: 'bad.json: steps[0].signal: signal number out of range: 65 (1..64 but 32 and 33)',
    text: JSON.stringify({ version: 1, steps: [{ event: 'signal', target: 'pause', signal: 65 }] }) },
  { kind: 'a real-time signal past SIGRTMAX', step: 0, message: 'bad.json: steps[0].signal: unknown signal "SIGRTMIN+31" (use a name like "SIGTERM" or "SIGRTMIN+3"',
    text: JSON.stringify({ version: 1, steps: [{ event: 'signal', target: 'pause', signal: 'SIGRTMIN+31' }] }) },
  { kind: 'SIGTSTP to a named process', rule: 5, step: 1, message: 'bad.json: steps[1].signal: SIGTSTP may only be sent to pause in init mode',
    text: JSON.stringify({ version: 1, steps: [spawnApp, { event: 'signal', target: 'app', signal: 'SIGTSTP' }] }) },
  { kind: 'SIGTTIN by number to pause in reference mode', rule: 5, step: 0, message: 'bad.json: steps[0].signal: SIGTTIN may only be sent to pause in init mode',
    text: JSON.stringify({ version: 1, steps: [{ event: 'signal', target: 'pause', signal: 21 }] }) },
  { kind: 'SIGTTOU to the init program itself', rule: 5, step: 0, message: 'bad.json: steps[0].signal: SIGTTOU may only be sent to pause in init mode',
    text: JSON.stringify({ version: 1, init: { name: 'app' }, steps: [{ event: 'signal', target: 'app', signal: 'SIGTTOU' }] }) },
  { kind: 'a signal to outside', step: 0, message: 'bad.json: steps[0].target: cannot signal "outside"',
    text: JSON.stringify({ version: 1, steps: [{ event: 'signal', target: 'outside', signal: 'SIGTERM' }] }) },
  { kind: 'invalid JSON over several lines', text: '{"version": 1,\n"steps": [\nx]}', message: 'bad.json: invalid JSON: ' },
  { kind: 'a value nested too deep to print', message: 'bad.json: version: expected 1, got [[[...]]] (nested too deep to show)',
    text: `{"version": ${'['.repeat(20_000)}${']'.repeat(20_000)}, "steps": []}` },
  { kind: 'a huge wrong value', message: `bad.json: description: expected a string, got [${'1,'.repeat(29)}1...`,
    text: JSON.stringify({ version: 1, description: Array(100_000).fill(1), steps: [] }) },
  { kind: 'a field name with a newline', message: 'bad.json: ["a\\nb"]: unknown field',
    text: JSON.stringify({ version: 1, steps: [], 'a\nb': 1 }) },
  { kind: 'a process name with control characters', rule: 1, step: 0, message: 'bad.json: steps[0].name: unknown process "a\\nb\\u007f"',
    text: JSON.stringify({ version: 1, steps: [{ event: 'exit', name: 'a\nb\u007f', code: 0 }] }) },
  { kind: 'an init that is not an object', message: 'bad.json: init: expected an object, got "app"',
    text: JSON.stringify({ version: 1, init: 'app', steps: [] }) },
  { kind: 'an unknown field in init', message: 'bad.json: init.program: unknown field (allowed: name, exec, group, subreaper, expect, reaps, inherit)',
    text: JSON.stringify({ version: 1, init: { name: 'app', program: '/bin/true' }, steps: [] }) },
  { kind: 'an init program with a reserved name', message: 'bad.json: init.name: invalid process name "pause"',
    text: JSON.stringify({ version: 1, init: { name: 'pause' }, steps: [] }) },
  { kind: 'an unknown exec outcome', message: 'bad.json: init.exec: expected one of ok, missing, not-executable, directory, name-too-long, got "crash"',
    text: JSON.stringify({ version: 1, init: { name: 'app', exec: 'crash' }, steps: [] }) },
  { kind: 'an -e code above 255', message: 'bad.json: init.expect[1]: expected an integer exit code 0..255, got 300',
    text: JSON.stringify({ version: 1, init: { name: 'app', expect: [143, 300] }, steps: [] }) },
  { kind: 'a group flag that is not a boolean', message: 'bad.json: init.group: expected true or false, got 1',
    text: JSON.stringify({ version: 1, init: { name: 'app', group: 1 }, steps: [] }) },
  { kind: 'a spawn reusing the init program\'s name', rule: 'names', step: 0, message: 'bad.json: steps[0].name: process name "app" is already used by an earlier spawn (the init program)',
    text: JSON.stringify({ version: 1, init: { name: 'app' }, steps: [spawnApp] }) },
  { kind: 'a step after the init program has exited (pause exits with it)', rule: 4, step: 1, message: 'bad.json: steps[1].parent: pause may already have ended this namespace',
    text: JSON.stringify({ version: 1, init: { name: 'app' }, steps: [{ event: 'exit', name: 'app', code: 0 }, { event: 'spawn', name: 'b' }] }) },
  { kind: 'a step after a forwarded SIGTERM may have ended the program', rule: 4, step: 1, message: 'bad.json: steps[1].name: pause may already have ended this namespace',
    text: JSON.stringify({ version: 1, init: { name: 'app' }, steps: [{ event: 'signal', target: 'pause', signal: 'SIGTERM' }, { event: 'subreaper', name: 'app' }] }) },
  { kind: 'a step when the program could not be exec\'d', rule: 4, step: 0, message: 'bad.json: steps[0].parent: pause may already have ended this namespace',
    text: JSON.stringify({ version: 1, init: { name: 'app', exec: 'missing' }, steps: [{ event: 'spawn', name: 'b' }] }) },
  { kind: 'a second signal acting on the program to a stopped pause in init mode', rule: 7, step: 2,
    message: 'bad.json: steps[2].signal: pause may be stopped (SIGSTOP earlier) and already holds SIGUSR1 to forward: continued, it would forward SIGUSR1 and SIGUSR2 in one burst',
    text: JSON.stringify({ version: 1, init: { name: 'app' }, steps: [{ event: 'signal', target: 'pause', signal: 'SIGSTOP' },
      { event: 'signal', target: 'pause', signal: 'SIGUSR1' }, { event: 'signal', target: 'pause', signal: 'SIGUSR2' }] }) },
  { kind: 'a SIGCONT the program catches, to a stopped pause holding a signal that acts on it', rule: 7, step: 3,
    message: 'bad.json: steps[3].signal: pause may be stopped (SIGSTOP earlier) and already holds SIGHUP to forward: continued, it would forward SIGHUP and SIGCONT',
    text: JSON.stringify({ version: 1, init: { name: 'app' }, steps: [{ event: 'disposition', name: 'app', signal: 'SIGCONT', action: 'catch' },
      { event: 'signal', target: 'pause', signal: 'SIGSTOP' }, { event: 'signal', target: 'pause', signal: 'SIGHUP' },
      { event: 'signal', target: 'pause', signal: 'SIGCONT' }] }) },
  { kind: 'what pause inherits given twice', message: 'bad.json: init.inherit: given twice',
    text: JSON.stringify({ version: 1, inherit: { ignored: ['SIGHUP'] }, init: { name: 'app', inherit: { blocked: [] } }, steps: [] }) },
  { kind: 'SIGKILL in what pause starts ignoring', message: 'bad.json: inherit.ignored[1]: SIGKILL cannot be ignored (nobody ignores or blocks SIGKILL and SIGSTOP)',
    text: JSON.stringify({ version: 1, inherit: { ignored: ['SIGHUP', 9] }, steps: [] }) },
  { kind: 'a signal listed twice in what pause starts blocking', message: 'bad.json: init.inherit.blocked[1]: SIGRTMIN+1 is listed twice',
    text: JSON.stringify({ version: 1, init: { name: 'app', inherit: { blocked: ['SIGRTMIN+1', 35] } }, steps: [] }) },
  { kind: 'an unknown field in inherit', message: 'bad.json: inherit.masked: unknown field (allowed: ignored, blocked)',
    text: JSON.stringify({ version: 1, inherit: { masked: [] }, steps: [] }) },
  { kind: 'inherit that is not an object', message: 'bad.json: inherit: expected an object like {"ignored": ["SIGHUP"], "blocked": []}, got ["SIGHUP"]',
    text: JSON.stringify({ version: 1, inherit: ['SIGHUP'], steps: [] }) },
  { kind: 'a disposition of SIGKILL', rule: 6, step: 1, message: 'bad.json: steps[1].signal: SIGKILL cannot be caught, blocked or ignored',
    text: JSON.stringify({ version: 1, steps: [spawnApp, { event: 'disposition', name: 'app', signal: 'SIGKILL', action: 'ignore' }] }) },
  { kind: 'an unknown disposition', step: 1, message: 'bad.json: steps[1].action: expected one of default, ignore, catch, block, got "handle"',
    text: JSON.stringify({ version: 1, steps: [spawnApp, { event: 'disposition', name: 'app', signal: 'SIGUSR1', action: 'handle' }] }) },
  { kind: 'a SIGCHLD disposition of a process that reaps', rule: 6, step: 1, message: 'bad.json: steps[1].signal: "app" reaps its children, so it takes SIGCHLD itself',
    text: JSON.stringify({ version: 1, steps: [spawnApp, { event: 'disposition', name: 'app', signal: 'SIGCHLD', action: 'catch' }] }) },
  { kind: 'a disposition by a stopped process', rule: 1, step: 2, message: 'bad.json: steps[2].name: process "app" is stopped and cannot act',
    text: JSON.stringify({ version: 1, steps: [spawnApp, { event: 'signal', target: 'app', signal: 'SIGSTOP' }, { event: 'disposition', name: 'app', signal: 'SIGUSR1', action: 'catch' }] }) },
];

function errorOf(text: string): PausekitError {
  try {
    parseScenario(text, 'bad.json');
  } catch (error) {
    if (error instanceof PausekitError) return error;
    throw error;
  }
  throw new Error('the scenario was accepted');
}

describe('scenario validation', () => {
  for (const bad of BAD) {
    it(`rejects ${bad.kind}, naming the file, the step and the field`, () => {
      const error = errorOf(bad.text);
      expect(error.message.startsWith(bad.message), error.message).toBe(true);
      // One short line, whatever the input holds.
      expect(error.message).not.toMatch(/[\u0000-\u001f\u007f]/);
      expect(error.message.length).toBeLessThan(300);
      expect(error.details.file).toBe('bad.json');
      if (bad.step !== undefined) expect(error.details.step).toBe(bad.step);
      // A well-formed step that is not possible cites the rule it breaks; a malformed one cites none.
      expect(error.details.rule).toBe(bad.rule);
    });
  }

  it('accepts signals by number and fills in every default', () => {
    const scenario = parseScenario(JSON.stringify({ version: 1, steps: [spawnApp, { event: 'signal', target: 'app', signal: 19 }] }), 'ok.json');
    expect(scenario).toEqual({
      version: 1,
      pid1: true,
      steps: [
        { event: 'spawn', name: 'app', parent: 'outside', reaps: true },
        { event: 'signal', target: 'app', signal: 'SIGSTOP', from: 'outside' },
      ],
    });
  });

  it('fills in init mode\'s defaults and keeps a program that catches or ignores what pause forwards', () => {
    const steps = [
      { event: 'disposition', name: 'app', signal: 'SIGTERM', action: 'catch' },
      { event: 'disposition', name: 'app', signal: 'SIGHUP', action: 'ignore' },
      { event: 'signal', target: 'pause', signal: 'SIGTERM' },
      { event: 'signal', target: 'pause', signal: 'SIGHUP' },
      { event: 'exit', name: 'app', code: 3 },
    ];
    const scenario = parseScenario(JSON.stringify({ version: 1, init: { name: 'app' }, steps }), 'ok.json');
    expect(scenario.init).toEqual({ name: 'app', exec: 'ok', group: false, subreaper: false, expect: [], reaps: true });
    expect(scenario.steps).toHaveLength(5);
  });

  it('lets a blocked signal wait, and end the process when a default disposition unblocks it', () => {
    const steps = [
      spawnApp,
      { event: 'disposition', name: 'app', signal: 'SIGUSR1', action: 'block' },
      { event: 'signal', target: 'app', signal: 'SIGUSR1' },
      { event: 'disposition', name: 'app', signal: 'SIGUSR1', action: 'default' },
    ];
    expect(() => parseScenario(JSON.stringify({ version: 1, steps: [...steps.slice(0, 3), { event: 'subreaper', name: 'app' }] }), 'a.json')).not.toThrow();
    expect(() => parseScenario(JSON.stringify({ version: 1, steps: [...steps, { event: 'subreaper', name: 'app' }] }), 'b.json'))
      .toThrow('process "app" no longer exists');
  });

  it('lets a stopped process be continued, and a SIGTERM it holds while stopped end it at SIGCONT', () => {
    const steps = [spawnApp, { event: 'signal', target: 'app', signal: 'SIGSTOP' }, { event: 'signal', target: 'app', signal: 'SIGTERM' }];
    expect(() => parseScenario(JSON.stringify({ version: 1, steps: [...steps, { event: 'subreaper', name: 'app' }] }), 'a.json'))
      .toThrow('process "app" is stopped and cannot act');
    const ended = [...steps, { event: 'signal', target: 'app', signal: 'SIGCONT' }, { event: 'subreaper', name: 'app' }];
    expect(() => parseScenario(JSON.stringify({ version: 1, steps: ended }), 'b.json')).toThrow('process "app" no longer exists');
  });
});

describe('pausekit run with an invalid scenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pausekit-validation-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());
  const bin = fileURLToPath(new URL('../../src/cli/bin.mjs', import.meta.url));

  BAD.forEach((bad, index) => {
    it(`stops at ${bad.kind} with exit code 2 before running or printing anything`, async () => {
      const file = join(dir, `bad-${index}.json`);
      writeFileSync(file, bad.text);
      const write = vi.spyOn(process.stdout, 'write');
      const error = await run([file]).then(() => undefined, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(PausekitError);
      expect((error as PausekitError).exitCode).toBe(2);
      expect((error as PausekitError).message.startsWith(bad.message.replace('bad.json', file))).toBe(true);
      expect(write).not.toHaveBeenCalled();
    });
  });

  it('prints one clear error line, runs nothing and exits non-zero', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, BAD.find((b) => b.kind === 'an unknown signal name')?.text ?? '');
    const result = spawnSync(process.execPath, [bin, 'run', file], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`pausekit: ${file}: steps[1].signal: unknown signal "SIGFOO" (use a name like "SIGTERM" or "SIGRTMIN+3", or a number 1..64 but 32 and 33)\n`);
  });

  it('says so when the scenario file is not UTF-8 text, naming the byte and its line', async () => {
    const file = join(dir, 'latin1.json');
    writeFileSync(file, Buffer.from('{"version": 1,\n"description": "caf\xe9", "steps": []}', 'latin1'));
    const error = await run([file]).then(() => undefined, (caught: unknown) => caught);
    expect(error).toBeInstanceOf(PausekitError);
    expect((error as PausekitError).message).toBe(`${file}: not UTF-8 text: byte 34 (line 2) is 0xe9; save the scenario as UTF-8`);
  });

  it('reads a UTF-8 file that starts with a byte order mark', () => {
    const file = join(dir, 'bom.json');
    writeFileSync(file, `\ufeff${JSON.stringify({ version: 1, description: 'café', steps: [] })}`);
    expect(loadScenario(file)).toEqual({ version: 1, description: 'café', pid1: true, steps: [] });
  });

  it('says so when the scenario file does not exist', () => {
    const file = join(dir, 'missing.json');
    const result = spawnSync(process.execPath, [bin, 'run', file], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`pausekit: ${file}: cannot read the scenario (ENOENT)\n`);
  });
});
