// Bad input for the fuzzers: random JSON, scenario-like objects with wrong
// parts, mutations of the example scenarios (fields dropped, renamed or
// retyped, wrong signals, out-of-range codes, huge arrays, deep nesting,
// unknown steps) and text or bytes damaged after serialisation. Every case
// is plain data, so fast-check can shrink it and a failure prints it.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { MAX_SCENARIO_PROCESSES, MAX_STEPS } from '../../src/scenario/load.ts';

const EXAMPLES_DIR = fileURLToPath(new URL('../../src/scenario/examples/', import.meta.url));

/** Every example scenario (not the expected observations), parsed. */
export const EXAMPLES: { name: string; value: Record<string, unknown> }[] = readdirSync(EXAMPLES_DIR)
  .filter((f) => f.endsWith('.json') && !f.includes('.expected'))
  .sort()
  .map((f) => ({ name: f, value: JSON.parse(readFileSync(`${EXAMPLES_DIR}${f}`, 'utf8')) as Record<string, unknown> }));

/** A scenario input: the text (or raw bytes) and how it reaches the loader. */
export interface BadInput {
  /** What produced it, for the failure message. */
  origin: string;
  text?: string;
  /** Raw bytes, written to a file (may be anything but UTF-8). */
  bytes?: Uint8Array;
  /** Through loadScenario and a real file, rather than parseScenario. */
  asFile: boolean;
}

const FIELDS = ['version', 'description', 'pid1', 'steps', 'event', 'name', 'parent', 'reaps', 'code', 'signal', 'target', 'from'];
const EVENTS = ['spawn', 'exit', 'signal', 'subreaper'];
const SIGNAL_NAMES = ['SIGHUP', 'SIGINT', 'SIGKILL', 'SIGTERM', 'SIGCHLD', 'SIGSTOP', 'SIGCONT', 'SIGUSR1', 'SIGURG', 'SIGWINCH', 'SIGQUIT', 'SIGSYS', 'SIGPWR'];

/** Names a scenario might use: valid, reserved, too long, odd characters, Object.prototype's. */
const nameArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('app', 'child', 'b', 'worker', 'job') },
  { weight: 3, arbitrary: fc.constantFrom('pause', 'outside', '', 'a'.repeat(32), 'a'.repeat(33), '1abc', 'a b', 'a\nb', 'é', '\u0000', '-x') },
  { weight: 2, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'prototype', 'valueOf') },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

/** Signals: names, numbers, near misses and junk. */
const signalArb = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...SIGNAL_NAMES) },
  { weight: 3, arbitrary: fc.integer({ min: -2, max: 70 }) },
  {
    weight: 2,
    arbitrary: fc.constantFrom<unknown>('SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'sigterm', 'TERM', 'SIGFOO', '15', '', 'SIG', 1.5, 1e308, -0,
      2 ** 53, Number.MAX_SAFE_INTEGER, null, true, [], {}, ['SIGTERM'], 'SIGRTMIN', 'SIGRTMIN+1', 34, 64, 'toString', '__proto__'),
  },
);

/** Exit codes: in range, out of range, of the wrong type. */
const codeArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 255 }) },
  { weight: 2, arbitrary: fc.constantFrom<unknown>(-1, 256, 1.5, -0, 1e21, 2 ** 31, -(2 ** 31), 2 ** 53 + 2, '0', '1', null, true, [0], { code: 0 }) },
  { weight: 1, arbitrary: fc.double() },
);

/** Any JSON value, sometimes a big one. */
const jsonArb = fc.oneof(
  { weight: 8, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, false, 0, -1, '', [], {}, 'x'.repeat(100_000), Array(5000).fill(1)) },
);

/** A step-like object: known or unknown events, fields present or not, right or wrong. */
const stepArb: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record(
      {
        event: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...EVENTS) }, { weight: 1, arbitrary: jsonArb }),
        name: nameArb,
        parent: fc.oneof(nameArb, fc.constant('outside')),
        reaps: fc.oneof({ weight: 4, arbitrary: fc.boolean() }, { weight: 1, arbitrary: jsonArb }),
        code: codeArb,
        signal: signalArb,
        target: fc.oneof(nameArb, fc.constant('pause')),
        from: fc.oneof(nameArb, fc.constant('outside')),
        extra: jsonArb,
      },
      { requiredKeys: ['event'] },
    ),
  },
  { weight: 1, arbitrary: jsonArb },
);

/** A whole scenario-like object: mostly the right shape, anything may be wrong. */
const scenarioLikeArb = fc.record(
  {
    version: fc.oneof({ weight: 8, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: jsonArb }),
    description: fc.oneof(fc.string(), jsonArb),
    pid1: fc.oneof({ weight: 6, arbitrary: fc.boolean() }, { weight: 1, arbitrary: jsonArb }),
    steps: fc.oneof({ weight: 10, arbitrary: fc.array(stepArb, { maxLength: 12 }) }, { weight: 1, arbitrary: jsonArb }),
    colour: jsonArb,
  },
  { requiredKeys: [] },
);

/** Nesting too deep to print (or to recurse on): expanded in the text after serialising. */
const DEEP = '\u0000deep:';

/** One change to a JSON value; `at` picks the place among all places of the current value. */
type Mutation =
  | { kind: 'drop'; at: number }
  | { kind: 'rename'; at: number; key: string }
  | { kind: 'retype'; at: number; value: unknown }
  | { kind: 'signal'; at: number; value: unknown }
  | { kind: 'code'; at: number; value: unknown }
  | { kind: 'name'; at: number; field: string; value: unknown }
  | { kind: 'rename-process'; at: number; value: unknown }
  | { kind: 'insert-step'; at: number; step: unknown }
  | { kind: 'duplicate-step'; at: number }
  | { kind: 'swap-steps'; at: number; with: number }
  | { kind: 'truncate-steps'; at: number }
  | { kind: 'many-steps'; count: number }
  | { kind: 'many-processes'; count: number }
  | { kind: 'deep'; at: number; depth: number; brackets: boolean };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('drop' as const), at: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('rename' as const), at: fc.nat(), key: fc.oneof(fc.constantFrom(...FIELDS, 'Event', 'NAME', 'signal ', '__proto__'), fc.string({ maxLength: 12 })) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('retype' as const), at: fc.nat(), value: jsonArb }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('signal' as const), at: fc.nat(), value: signalArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('code' as const), at: fc.nat(), value: codeArb }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('name' as const), at: fc.nat(), field: fc.constantFrom('name', 'parent', 'target', 'from'), value: nameArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('rename-process' as const), at: fc.nat(), value: nameArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('insert-step' as const), at: fc.nat(), step: stepArb }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('duplicate-step' as const), at: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('swap-steps' as const), at: fc.nat(), with: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('truncate-steps' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deep' as const), at: fc.nat(), depth: fc.constantFrom(2, 64, 1000), brackets: fc.boolean() }) },
);

/** The big ones, kept rare: each takes tens of milliseconds to write, read and play. */
const hugeMutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('many-steps' as const), count: fc.constantFrom(MAX_STEPS - 1, MAX_STEPS, MAX_STEPS + 1, 2 * MAX_STEPS) }),
  fc.record({ kind: fc.constant('many-processes' as const), count: fc.constantFrom(MAX_SCENARIO_PROCESSES - 1, MAX_SCENARIO_PROCESSES, MAX_SCENARIO_PROCESSES + 1) }),
  fc.record({ kind: fc.constant('deep' as const), at: fc.nat(), depth: fc.constantFrom(20_000, 200_000), brackets: fc.boolean() }),
);

type Container = Record<string, unknown> | unknown[];

/** Every place in a value: [container, key] pairs, the top level first. */
function places(value: unknown): [Container, string | number][] {
  const found: [Container, string | number][] = [];
  const walk = (v: unknown, depth: number): void => {
    if (depth > 6 || typeof v !== 'object' || v === null) return;
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        found.push([v, i]);
        walk(item, depth + 1);
      });
    } else {
      for (const key of Object.keys(v)) {
        found.push([v as Record<string, unknown>, key]);
        walk((v as Record<string, unknown>)[key], depth + 1);
      }
    }
  };
  walk(value, 0);
  return found;
}

function stepsOf(value: unknown): unknown[] | undefined {
  const steps = typeof value === 'object' && value !== null ? (value as Record<string, unknown>).steps : undefined;
  return Array.isArray(steps) ? steps : undefined;
}

function objectSteps(value: unknown): Record<string, unknown>[] {
  return (stepsOf(value) ?? []).filter((s): s is Record<string, unknown> => typeof s === 'object' && s !== null && !Array.isArray(s));
}

function setKey(container: Container, key: string | number, value: unknown): void {
  if (Array.isArray(container)) container[key as number] = value;
  // defineProperty: a key "__proto__" becomes an own field, as JSON.parse makes it.
  else Object.defineProperty(container, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Applies one mutation in place (to a deep copy the caller owns). */
function mutate(value: unknown, m: Mutation): unknown {
  const all = places(value);
  const place = all.length > 0 ? all[('at' in m ? m.at : 0) % all.length]! : undefined;
  const steps = stepsOf(value);
  const objects = objectSteps(value);
  const step = objects.length > 0 ? objects[('at' in m ? m.at : 0) % objects.length] : undefined;
  switch (m.kind) {
    case 'drop':
      if (place === undefined) return value;
      if (Array.isArray(place[0])) place[0].splice(place[1] as number, 1);
      else delete place[0][place[1] as string];
      return value;
    case 'rename':
      if (place === undefined || Array.isArray(place[0])) return value;
      setKey(place[0], m.key, place[0][place[1] as string]);
      if (m.key !== place[1]) delete place[0][place[1] as string];
      return value;
    case 'retype':
      if (place === undefined) return structuredClone(m.value);
      setKey(place[0], place[1], structuredClone(m.value));
      return value;
    case 'signal':
      if (step !== undefined) setKey(step, 'signal', structuredClone(m.value));
      return value;
    case 'code':
      if (step !== undefined) setKey(step, 'code', structuredClone(m.value));
      return value;
    case 'name':
      if (step !== undefined) setKey(step, m.field, m.value);
      return value;
    case 'rename-process': {
      // One process renamed everywhere it appears: the scenario stays as
      // possible as it was, under another (perhaps invalid or odd) name.
      const spawned = objects.filter((o) => o.event === 'spawn' && typeof o.name === 'string');
      if (spawned.length === 0) return value;
      const old = spawned[m.at % spawned.length]!.name;
      for (const o of objects) {
        for (const field of ['name', 'parent', 'target', 'from']) if (o[field] === old) setKey(o, field, m.value);
      }
      return value;
    }
    case 'insert-step':
      steps?.splice(m.at % (steps.length + 1), 0, structuredClone(m.step));
      return value;
    case 'duplicate-step':
      if (steps !== undefined && steps.length > 0) steps.splice(m.at % steps.length, 0, structuredClone(steps[m.at % steps.length]));
      return value;
    case 'swap-steps':
      if (steps !== undefined && steps.length > 1) {
        const [i, j] = [m.at % steps.length, m.with % steps.length];
        [steps[i], steps[j]] = [steps[j], steps[i]];
      }
      return value;
    case 'truncate-steps':
      steps?.splice(m.at % (steps.length + 1));
      return value;
    case 'many-steps': {
      // Even counts: the example's steps over and over (names repeat: mostly
      // rejected). Odd: its first step, then SIGCHLD to pause from outside,
      // which any scenario may send (accepted up to the limit).
      if (steps === undefined) return value;
      const filler = m.count % 2 === 0 && steps.length > 0 ? [...steps] : [{ event: 'signal', target: 'pause', signal: 'SIGCHLD' }];
      const head = m.count % 2 === 0 ? [] : steps.slice(0, 1);
      steps.splice(0, steps.length, ...head);
      // Shared, not copied: a big mutation comes alone, nothing changes them afterwards.
      while (steps.length < m.count) steps.push(filler[steps.length % filler.length]);
      return value;
    }
    case 'many-processes':
      steps?.splice(0, steps.length, ...Array.from({ length: m.count }, (_, i) => ({ event: 'spawn', name: `p${i}` })));
      return value;
    case 'deep':
      if (place === undefined) return `${DEEP}${m.depth}:${m.brackets ? '[' : '{'}`;
      setKey(place[0], place[1], `${DEEP}${m.depth}:${m.brackets ? '[' : '{'}`);
      return value;
  }
}

/** JSON text, with the deep-nesting markers expanded (JSON.stringify itself cannot nest that deep). */
function serialise(value: unknown, indent: number): string {
  const text = JSON.stringify(value, null, indent) ?? 'undefined';
  return text.replace(/"\\u0000deep:(\d+):([[{])"/g, (_all, depth: string, open: string) => {
    const n = Number(depth);
    return open === '[' ? `${'['.repeat(n)}${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;
  });
}

/** Damage done to the text after serialising. */
type TextDamage =
  | { kind: 'none' }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; char: string }
  | { kind: 'bom' }
  | { kind: 'trailing'; junk: string };

const textDamageArb: fc.Arbitrary<TextDamage> = fc.oneof(
  { weight: 12, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), char: fc.oneof(fc.constantFrom('\u0000', '\n', '"', ',', '}', ']', '\\', '\ud800', '\u2028'), fc.string({ maxLength: 2 })) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'bom' as const }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('trailing' as const), junk: fc.string({ maxLength: 5 }) }) },
);

function damage(text: string, d: TextDamage): string {
  switch (d.kind) {
    case 'none':
      return text;
    case 'truncate':
      return text.slice(0, d.at % (text.length + 1));
    case 'insert': {
      const at = d.at % (text.length + 1);
      return text.slice(0, at) + d.char + text.slice(at);
    }
    case 'bom':
      return `\ufeff${text}`;
    case 'trailing':
      return text + d.junk;
  }
}

/** Bytes of a text in a wrong encoding, or raw junk. */
type Encoding = 'utf8' | 'utf16le' | 'latin1-high' | 'nul-padded';

function encode(text: string, encoding: Encoding): Uint8Array {
  switch (encoding) {
    case 'utf8':
      return Buffer.from(text, 'utf8');
    case 'utf16le':
      return Buffer.from(`\ufeff${text}`, 'utf16le');
    case 'latin1-high':
      // Every "e" becomes 0xE9: valid Latin-1, invalid UTF-8.
      return Buffer.from(text, 'utf8').map((b) => (b === 0x65 ? 0xe9 : b));
    case 'nul-padded':
      return Buffer.concat([Buffer.from(text, 'utf8'), Buffer.alloc(3)]);
  }
}

/** A mutated example scenario. */
const mutatedExampleArb: fc.Arbitrary<BadInput> = fc
  .record({
    example: fc.constantFrom(...EXAMPLES),
    mutations: fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
    huge: fc.oneof({ weight: 80, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: hugeMutationArb }),
    indent: fc.constantFrom(0, 2),
    damage: textDamageArb,
    file: fc.oneof({ weight: 7, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom<Encoding>('utf8', 'utf8', 'utf16le', 'latin1-high', 'nul-padded') }),
  })
  .map(({ example, mutations: some, huge, indent, damage: d, file }) => {
    // A big change alone: combined with a big value it would make files of hundreds of MB.
    const mutations = huge === null ? some : [huge];
    let value: unknown = structuredClone(example.value);
    for (const m of mutations) value = mutate(value, m);
    const text = damage(serialise(value, indent), d);
    const origin = `${example.name} with ${JSON.stringify(mutations)}${d.kind === 'none' ? '' : `, then ${JSON.stringify(d)}`}`;
    return file === null
      ? { origin, text, asFile: false }
      : { origin: `${origin}, as a ${file} file`, bytes: encode(text, file), asFile: true };
  });

/** Every kind of bad (and some good) scenario input. */
export const badInputArb: fc.Arbitrary<BadInput> = fc.oneof(
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => ({ origin: 'random JSON', text: JSON.stringify(v) ?? 'null', asFile: false })) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }).map((text) => ({ origin: 'random text', text, asFile: false })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 100 }).map((bytes) => ({ origin: 'random bytes', bytes, asFile: true })) },
  { weight: 4, arbitrary: scenarioLikeArb.map((v) => ({ origin: 'a scenario-like object', text: JSON.stringify(v), asFile: false })) },
  { weight: 12, arbitrary: mutatedExampleArb },
);
