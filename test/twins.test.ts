// native/pause.c and asm/pause.ts are twins: the same states and events,
// with the same names and values, and the same steps in the same order in
// each mode's start, the main loop and the exits. This test reads both
// sources and derives all of it from the code (function definitions and
// the calls in their bodies, enums and constants), never from comments:
// C names map to the model's by snake_case -> camelCase (on_child ->
// onChild). A step is a call of a function the file defines, or a state or
// event named in the body. The mutants are left out on both sides (pause.c's
// #ifdef MUTANT_* branches, the model's `if (... w.mutant == MUTANT_*)`
// statements): the twins compared are the real programs.
//
// Functions only one twin has (pause.c's command line and setup failures,
// the model's frames and scheduler) are declared below with the reason;
// a new one fails the test until it gets a twin or a reason.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const C_PATH = 'native/pause.c';
const MODEL_PATH = 'asm/pause.ts';
const read = (path: string): string => readFileSync(new URL(`../${path}`, import.meta.url), 'utf8');

/** pause.c's functions the model has no twin for, and why. */
const C_ONLY: Record<string, string> = {
  codes_are_distinct: 'a compile-time check of the exit codes, never called',
  same: 'string comparison for the command line, which the model does not have',
  add_some: 'message building: the model writes whole strings',
  add: 'message building',
  add_quoted: 'message building',
  add_number: 'message building',
  end_line: 'message building',
  exit_init: "init mode's own exit codes: the model's init mode exits only with the program's status",
  answered: 'the command line (-v, -h)',
  usage: 'the command line (bad usage)',
  parse_options: "the command line (init mode's options: the host passes them)",
  getenv_of: 'the environment (PATH, PAUSE_SUBREAPER: the host passes -s)',
  is_init_command: 'the command line (which mode: the host says)',
  reference_arguments: "the command line (reference mode's -v, -h)",
  exec_program: "the PATH search: the model's exec outcome is given (EXEC_*)",
  default_dispositions: "the child's reset: a process of the model starts with default dispositions (K13)",
  fork_failed: "a setup failure: the model's fork cannot fail",
  reference_setup_failed: "a setup failure: the model's sigaction and sigprocmask cannot fail",
  init_setup_failed: "a setup failure: the model's sigaction and sigprocmask cannot fail",
  wait_for_signals: 'the loop: the model runs it one atomic action at a time (pauseStep)',
  handle: "the handlers design's handler, which finds pause's record and calls on_signal",
};

/** The model's functions pause.c has no twin for, and why. */
const MODEL_ONLY: Record<string, string> = {
  kernelReaps: 'pause.c keeps it in a variable, kernel_reaps',
  killGroup: 'sys_kill(-pgid): the kernel, in pause.c',
  forward: 'sys_kill(target): the kernel, in pause.c',
  expected: "pause.c tests the -e bit in exit_as_program's body",
  exitStatus: "pause.c computes the status in exit_as_program's body",
  execFailure: 'the two exec failures the model plays, as whole lines',
  waitHandlers: "one step of pause.c's pause() loop",
  waitSigwait: "one step of pause.c's sigwait loop",
  pauseStep: "the model's scheduler: one atomic action of pause",
  pauseState: 'where the host reads the state pause.c records in a variable',
  take: "the frame of pause.c's call of on_signal(), counted for the deep run's coverage",
};

/** The twins the brief's sections need: each mode's start, the main loop, the exits. */
const SECTIONS: Record<string, string[]> = {
  "reference mode's start": ['main', 'start_reference', 'warn_if_not_pid1', 'take_signals', 'reap_leftovers'],
  "init mode's start": ['start_init', 'start_program', 'become_program'],
  'the main loop': ['event_of', 'on_signal', 'on_shutdown', 'on_forward', 'on_child'],
  'the exits': ['exit_reference', 'leave', 'exit_as_program'],
};

const camel = (name: string): string => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

// ---- Reading the sources ---------------------------------------------------

/** The text with comments blanked (newlines kept) and string literals emptied. */
function stripCommentsAndStrings(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    const next = text[i + 1];
    if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      out += text.slice(i, end + 2).replace(/[^\n]/g, ' ');
      i = end + 1;
    } else if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out += c + c;
      i = j;
    } else {
      out += c;
    }
  }
  return out;
}

/**
 * pause.c as the real program: the branch of each #if group that speaks of
 * a mutant taken with every MUTANT_* undefined (any other macro defined:
 * all designs stay), other groups' branches all kept; directives dropped.
 */
function realProgramC(text: string): string {
  const lines = stripCommentsAndStrings(text).replace(/\\\n/g, ' ').split('\n');
  const evaluate = (condition: string): boolean => {
    const expr = condition.replace(/defined\s*\(?\s*(\w+)\s*\)?/g, (_, name: string) => (name.startsWith('MUTANT_') ? '0' : '1'));
    if (!/^[01!&|()\s]*$/.test(expr)) throw new Error(`${C_PATH}: cannot read the condition #if ${condition}`);
    return Boolean(new Function(`return (${expr});`)());
  };
  const groups: { select: boolean; taken: boolean; emitting: boolean }[] = [];
  const emitting = (): boolean => groups.every((g) => g.emitting);
  const out: string[] = [];
  for (const line of lines) {
    const directive = /^\s*#\s*(\w+)\s*(.*)$/.exec(line);
    if (!directive) {
      out.push(emitting() ? line : '');
      continue;
    }
    const [, word, rest] = directive as unknown as [string, string, string];
    const condition = word === 'ifdef' ? `defined(${rest})` : word === 'ifndef' ? `!defined(${rest})` : rest;
    if (word === 'if' || word === 'ifdef' || word === 'ifndef') {
      const select = /MUTANT_/.test(condition);
      const taken = select ? evaluate(condition) : true;
      groups.push({ select, taken, emitting: taken });
    } else if (word === 'elif' || word === 'else') {
      const group = groups.at(-1)!;
      const now = !group.select || (!group.taken && (word === 'else' || evaluate(condition)));
      group.emitting = now;
      group.taken ||= now;
    } else if (word === 'endif') {
      groups.pop();
    }
    out.push('');
  }
  return out.join('\n');
}

/** The model as the real program: each `if` whose condition holds only in a mutant, with its statement, dropped. */
function realProgramModel(text: string): string {
  let code = stripCommentsAndStrings(text);
  const ifs = /\bif\s*\(/g;
  for (let hit = ifs.exec(code); hit !== null; hit = ifs.exec(code)) {
    const open = hit.index + hit[0].length - 1;
    const close = matching(code, open, '(', ')');
    const condition = code.slice(open + 1, close);
    if (!/w\.mutant\s*==\s*MUTANT_/.test(condition) || condition.includes('||')) continue;
    let end = close + 1;
    while (/\s/.test(code[end]!)) end++;
    end = code[end] === '{' ? matching(code, end, '{', '}') + 1 : code.indexOf(';', end) + 1;
    code = code.slice(0, hit.index) + code.slice(hit.index, end).replace(/[^\n]/g, ' ') + code.slice(end);
  }
  return code;
}

/** The index of the bracket closing the one at `open`. */
function matching(text: string, open: number, left: string, right: string): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === left) depth++;
    else if (text[i] === right && --depth === 0) return i;
  }
  throw new Error(`unbalanced ${left}${right} at offset ${open}`);
}

/** The index of the '(' that the ')' at `close` closes. */
function opening(text: string, close: number): number {
  let depth = 0;
  for (let i = close; i >= 0; i--) {
    if (text[i] === ')') depth++;
    else if (text[i] === '(' && --depth === 0) return i;
  }
  throw new Error(`unbalanced () before offset ${close}`);
}

/** pause.c's function definitions (a header ending in its parameters, then a body): name -> body. */
function functionsC(code: string): Map<string, string> {
  const functions = new Map<string, string>();
  let headerStart = 0;
  for (let i = 0; i < code.length; i++) {
    if (code[i] === ';') headerStart = i + 1;
    if (code[i] !== '{') continue;
    const end = matching(code, i, '{', '}');
    const header = code.slice(headerStart, i).trimEnd();
    if (header.endsWith(')')) {
      const parameters = opening(header, header.length - 1);
      const name = /(\w+)\s*$/.exec(header.slice(0, parameters))?.[1];
      if (name !== undefined) functions.set(name, code.slice(i + 1, end));
    }
    i = end;
    headerStart = end + 1;
  }
  return functions;
}

/** The model's function definitions: name -> body. */
function functionsModel(code: string): Map<string, string> {
  const functions = new Map<string, string>();
  for (const m of code.matchAll(/\bfunction\s+(\w+)\s*\(/g)) {
    const close = matching(code, m.index + m[0].length - 1, '(', ')');
    const open = code.indexOf('{', close);
    functions.set(m[1]!, code.slice(open + 1, matching(code, open, '{', '}')));
  }
  return functions;
}

/** The enumerators of `enum NAME { ... }` in pause.c: name -> value. */
function enumC(code: string, name: string): Map<string, number> {
  const body = new RegExp(`enum\\s+${name}\\s*\\{([^}]*)\\}`).exec(code)?.[1];
  if (body === undefined) throw new Error(`${C_PATH} has no enum ${name}`);
  return new Map([...body.matchAll(/(\w+)\s*=\s*(\d+)/g)].map((m) => [m[1]!, Number(m[2])]));
}

/** The model's `const NAME: i32 = N` for these names: name -> value. */
function constantsModel(code: string, names: (name: string) => boolean): Map<string, number> {
  return new Map([...code.matchAll(/\bconst\s+(\w+)\s*:\s*i32\s*=\s*(-?\d+)/g)].filter((m) => names(m[1]!)).map((m) => [m[1]!, Number(m[2])]));
}

interface Twin {
  functions: Map<string, string>;
  states: Map<string, number>;
  events: Map<string, number>;
}

function readC(text: string): Twin {
  const code = realProgramC(text);
  return { functions: functionsC(code), states: enumC(code, 'state'), events: enumC(code, 'event') };
}

function readModel(text: string): Twin {
  const code = realProgramModel(text);
  const functions = functionsModel(code);
  const returned = new Set([...(functions.get('pauseState') ?? '').matchAll(/\breturn\s+([A-Z_]+)\b/g)].map((m) => m[1]!));
  return { functions, states: constantsModel(code, (n) => returned.has(n)), events: constantsModel(code, (n) => n.startsWith('EVENT_')) };
}

/**
 * A body's steps, in order: calls of the twins (functions both files
 * define), and the states and events it names; C names in the model's
 * spelling.
 */
function steps(twin: Twin, body: string, isTwin: (name: string) => boolean, spell: (name: string) => string): string[] {
  const named = new Set([...twin.states.keys(), ...twin.events.keys()]);
  return [...body.matchAll(/\b([A-Za-z_]\w*)\b(\s*\()?/g)]
    .filter((m) => (m[2] !== undefined && twin.functions.has(m[1]!) && isTwin(m[1]!)) || named.has(m[1]!))
    .map((m) => (named.has(m[1]!) ? m[1]! : spell(m[1]!)));
}

/** The `case X:` arms of a switch: X -> the steps of its arm. */
function arms(steps: (body: string) => string[], body: string): Map<string, string[]> {
  const parts = body.split(/\bcase\s+(\w+)\s*:/);
  const result = new Map<string, string[]>();
  for (let i = 1; i < parts.length; i += 2) result.set(parts[i]!, steps(parts[i + 1]!));
  return result;
}

// ---- Comparing them ---------------------------------------------------------

/** Both sources read, with the step readers of each. */
function compare(cText: string, modelText: string) {
  const c = readC(cText);
  const model = readModel(modelText);
  const twins = [...c.functions.keys()].filter((name) => model.functions.has(camel(name)));
  const twinNames = new Set(twins.map(camel));
  return {
    c, model, twins,
    cSteps: (body: string) => steps(c, body, (name) => twinNames.has(camel(name)), camel),
    modelSteps: (body: string) => steps(model, body, (name) => twinNames.has(name), (name) => name),
  };
}

/** Every difference between the twins, one line each (empty: they agree). */
function differences(cText: string, modelText: string): string[] {
  const { c, model, twins, cSteps, modelSteps } = compare(cText, modelText);
  const found: string[] = [];
  const show = (m: Map<string, number>) => JSON.stringify(Object.fromEntries(m));
  if (show(c.states) !== show(model.states)) found.push(`states: ${C_PATH} ${show(c.states)}, ${MODEL_PATH} ${show(model.states)}`);
  if (show(c.events) !== show(model.events)) found.push(`events: ${C_PATH} ${show(c.events)}, ${MODEL_PATH} ${show(model.events)}`);

  const cOnly = [...c.functions.keys()].filter((name) => !twins.includes(name));
  const modelOnly = [...model.functions.keys()].filter((name) => !twins.some((t) => camel(t) === name));
  for (const name of cOnly) if (!(name in C_ONLY)) found.push(`${C_PATH}: ${name}() has no twin in ${MODEL_PATH} and no reason in C_ONLY`);
  for (const name of modelOnly) if (!(name in MODEL_ONLY)) found.push(`${MODEL_PATH}: ${name}() has no twin in ${C_PATH} and no reason in MODEL_ONLY`);
  for (const name of Object.keys(C_ONLY)) if (!cOnly.includes(name)) found.push(`C_ONLY names ${name}(), which ${C_PATH} does not define alone`);
  for (const name of Object.keys(MODEL_ONLY)) if (!modelOnly.includes(name)) found.push(`MODEL_ONLY names ${name}(), which ${MODEL_PATH} does not define alone`);
  for (const [section, names] of Object.entries(SECTIONS)) {
    for (const name of names) if (!twins.includes(name)) found.push(`${section}: ${name}() is not in both twins`);
  }

  for (const name of twins.filter((n) => n !== 'on_signal')) {
    const ours = cSteps(c.functions.get(name)!).join(', ');
    const theirs = modelSteps(model.functions.get(camel(name))!).join(', ');
    if (ours !== theirs) found.push(`${name}() steps [${ours}], but ${camel(name)}() steps [${theirs}]`);
  }

  // The dispatch: pause.c's on_signal records each event's state and calls
  // its function; the model's onSignal calls it, and pauseState names the
  // state of the frame's event.
  const dispatch = arms(cSteps, c.functions.get('on_signal') ?? '');
  const calls = arms(modelSteps, model.functions.get('onSignal') ?? '');
  const states = arms(modelSteps, model.functions.get('pauseState') ?? '');
  const merged = new Map([...calls].map(([event, arm]) => [event, [...(states.get(event) ?? []), ...arm]]));
  const showArms = (m: Map<string, string[]>) => [...m].map(([event, arm]) => `${event}: ${arm.join(' ')}`).join('; ');
  if (dispatch.size === 0 || showArms(dispatch) !== showArms(merged)) {
    found.push(`on_signal() dispatches ${showArms(dispatch) || 'nothing'}, but onSignal() and pauseState() ${showArms(merged) || 'nothing'}`);
  }
  return found;
}

// ---- The tests -------------------------------------------------------------

const C_TEXT = read(C_PATH);
const MODEL_TEXT = read(MODEL_PATH);

describe(`${C_PATH} and ${MODEL_PATH}`, () => {
  it('agree on the states, the events, and the steps of every function both have', () => {
    expect(differences(C_TEXT, MODEL_TEXT)).toEqual([]);
  });

  it('have something to compare: the states, the events, steps in each section, an arm per event in the dispatch', () => {
    const { c, cSteps } = compare(C_TEXT, MODEL_TEXT);
    expect([...c.states.keys()].sort()).toEqual(['EXITED', 'FORWARDING', 'REAPING', 'SHUTTING_DOWN', 'WAITING']);
    expect([...c.events.keys()].sort()).toEqual(['EVENT_CHILD', 'EVENT_FORWARD', 'EVENT_SHUTDOWN']);
    for (const name of ['main', 'start_reference', 'start_init', 'on_shutdown', 'on_child', 'exit_as_program']) {
      expect(cSteps(c.functions.get(name)!).length, name).toBeGreaterThan(0);
    }
    expect([...arms(cSteps, c.functions.get('on_signal')!).keys()].sort()).toEqual([...c.events.keys()].sort());
  });

  // The comparison can fail: each planted drift below is found.
  const planted: { what: string; c?: [string, string]; model?: [string, string]; finds: RegExp }[] = [
    {
      what: "init mode's start taking the signals before the warning (the model's old order)",
      model: ['  warnIfNotPid1(w, subreaper);\n  takeSignals(w);\n', '  takeSignals(w);\n  warnIfNotPid1(w, subreaper);\n'],
      finds: /^start_init\(\) steps/,
    },
    { what: 'a state renumbered', c: ['FORWARDING = 4', 'FORWARDING = 5'], finds: /^states:/ },
    { what: 'an event the model lacks', c: ['EVENT_FORWARD = 3,', 'EVENT_FORWARD = 3, EVENT_STOP = 4,'], finds: /^events:/ },
    {
      what: 'the dispatch giving an event the wrong state',
      c: ['state = FORWARDING;', 'state = REAPING;'],
      finds: /^on_signal\(\) dispatches/,
    },
    {
      what: 'a step one twin takes twice',
      c: ['\treap_leftovers();\n\tstart_program(', '\treap_leftovers();\n\treap_leftovers();\n\tstart_program('],
      finds: /^start_init\(\) steps/,
    },
    {
      what: 'a new function in pause.c that the model has no twin for',
      c: ['static void reap_leftovers(void)', 'static void ignore_sigpipe(void) {}\nstatic void reap_leftovers(void)'],
      finds: /ignore_sigpipe\(\) has no twin/,
    },
    { what: 'a mutant branch is not a step', c: ['#ifdef MUTANT_EXIT_EARLY\n\t\t\texit_as_program(p);', '#ifdef MUTANT_EXIT_EARLY\n\t\t\treap_leftovers();'], finds: /^$/ },
  ];
  for (const { what, c, model, finds } of planted) {
    it(`find ${what}`, () => {
      const plant = (text: string, change?: [string, string]) => {
        if (change === undefined) return text;
        expect(text.includes(change[0]), `the planted change's anchor ${JSON.stringify(change[0])}`).toBe(true);
        return text.replace(change[0], change[1]);
      };
      const found = differences(plant(C_TEXT, c), plant(MODEL_TEXT, model));
      if (finds.source === '^$') expect(found).toEqual([]);
      else expect(found.some((line) => finds.test(line)), found.join('\n')).toBe(true);
    });
  }
});
