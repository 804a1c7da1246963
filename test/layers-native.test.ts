// The C of native/driver/ and bench/ runs one way too: no two files depend
// on each other, directly or through others. A file depends on another when
// its object file uses a symbol (a function called, a variable read) that
// the other defines, as the linker sees it (nm), or when it includes a
// file other than a header. native/driver/driver.h writes the driver's
// dependency order down, bench/harness.h and bench/soak.h each program's;
// every dependency must point up those lists.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CC = process.env['CC'] ?? 'cc';
const WORK = mkdtempSync(join(tmpdir(), 'pausekit-layers-native-'));
afterAll(() => rmSync(WORK, { recursive: true, force: true }));

/** Why the object files cannot be made here, or undefined. */
function skipReason(): string | undefined {
  for (const tool of [CC, 'nm']) {
    try {
      execFileSync(tool, ['--version'], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed (a C compiler and binutils' nm are needed)`;
    }
  }
  return undefined;
}
const SKIP = skipReason();
if (SKIP !== undefined) console.warn(`skipping the native layer checks: ${SKIP}`);

/** A file's dependencies on the other files of its folder: file -> files it uses. */
type Graph = Map<string, Set<string>>;

/** The global symbols an object file defines and those it uses from elsewhere (nm -P). */
function symbols(object: string): { defined: string[]; used: string[] } {
  const defined: string[] = [];
  const used: string[] = [];
  for (const line of execFileSync('nm', ['-P', object], { encoding: 'utf8' }).split('\n')) {
    const [name, type] = line.split(' ');
    if (name === undefined || type === undefined) continue;
    if (type === 'U') used.push(name);
    else if (/^[A-TV-Z]$/.test(type)) defined.push(name);
  }
  return { defined, used };
}

/** Each .c file of dir (compiled into work) and the other .c files of dir it depends on. */
function dependencies(dir: string, work: string): Graph {
  const files = readdirSync(dir).filter((name) => name.endsWith('.c')).sort();
  const definer = new Map<string, string>();
  const used = new Map<string, string[]>();
  const graph: Graph = new Map();
  for (const file of files) {
    const object = join(work, `${file}.o`);
    execFileSync(CC, ['-c', '-w', '-O0', '-o', object, join(dir, file)], { stdio: ['ignore', 'ignore', 'pipe'] });
    const found = symbols(object);
    for (const name of found.defined) definer.set(name, file);
    used.set(file, found.used);
    const includes = [...readFileSync(join(dir, file), 'utf8').matchAll(/^\s*#\s*include\s*"([^"]+)"/gm)].map((m) => m[1]!);
    graph.set(file, new Set(includes.filter((name) => !name.endsWith('.h'))));
  }
  for (const file of files) {
    for (const name of used.get(file)!) {
      const other = definer.get(name);
      if (other !== undefined && other !== file) graph.get(file)!.add(other);
    }
  }
  return graph;
}

/** Every circle of the graph, each once, as "a.c -> b.c -> a.c" (from its first file by name). */
function circles(graph: Graph): string[] {
  const found = new Set<string>();
  const walk = (path: string[]): void => {
    for (const next of graph.get(path.at(-1)!) ?? []) {
      const at = path.indexOf(next);
      if (at >= 0) {
        const loop = path.slice(at);
        const first = loop.indexOf([...loop].sort()[0]!);
        const turned = [...loop.slice(first), ...loop.slice(0, first)];
        found.add([...turned, turned[0]].join(' -> '));
      } else {
        walk([...path, next]);
      }
    }
  };
  for (const file of graph.keys()) walk([file]);
  return [...found].sort();
}

/** The files driver.h lists in its dependency order, lowest first. */
function writtenOrder(header: string): string[] {
  return [...header.matchAll(/^ \*   ([a-z]+\.c)\s/gm)].map((m) => m[1]!);
}

/**
 * Dependencies that point down a written order. complete: the order must
 * list every file (driver.h); else it speaks only of the files it lists
 * (each of bench/'s headers lists one program's files).
 */
function againstOrder(graph: Graph, order: string[], complete = true): string[] {
  const wrong: string[] = [];
  for (const [file, uses] of graph) {
    if (!order.includes(file)) {
      if (complete) wrong.push(`${file} is not in the order driver.h writes down`);
      continue;
    }
    for (const other of uses) {
      if (order.includes(other) && order.indexOf(other) >= order.indexOf(file)) wrong.push(`${file} uses ${other}, listed after it`);
    }
  }
  return wrong;
}

/** What breaks the rule in dir: its circles, and uses against each order its headers write down. */
function violations(dir: string, work: string): { graph: Graph; circles: string[]; order: string[]; orders: number } {
  const graph = dependencies(dir, work);
  const headers = readdirSync(dir).filter((name) => name.endsWith('.h')).sort();
  const order: string[] = [];
  let orders = 0;
  for (const header of headers) {
    const written = writtenOrder(readFileSync(join(dir, header), 'utf8'));
    if (written.length === 0) continue;
    orders++;
    order.push(...againstOrder(graph, written, header === 'driver.h').map((text) => `${header}: ${text}`));
  }
  return { graph, circles: circles(graph), order, orders };
}

/** The members of a struct as a header defines it ("struct NAME {" to "};"). */
function members(header: string, name: string): string[] {
  const body = new RegExp(`^struct ${name} \\{\\n([\\s\\S]*?)^\\};`, 'm').exec(header)?.[1] ?? '';
  return [...body.matchAll(/(\w+)(\[[^\]]*\])?;/g)].map((m) => m[1]!);
}

/** Lines of C that change one of these members (assignment, ++, --, op=), as "file:line: text". */
function writesTo(fields: string[], file: string, source: string): string[] {
  const field = `(?:->|\\.)(?:${fields.join('|')})\\b`;
  const write = new RegExp(`${field}(?:\\[[^\\]]*\\])?\\s*(?:[-+*/|&^]?=(?!=)|\\+\\+|--)|(?:\\+\\+|--)\\s*[\\w.>-]*${field}`);
  return source.split('\n').flatMap((text, index) => (write.test(text) ? [`${file}:${index + 1}: ${text.trim()}`] : []));
}

describe.skipIf(SKIP !== undefined)('the C files', () => {
  test('of native/driver/ depend on each other one way only, in the order driver.h writes down', () => {
    const work = mkdtempSync(join(WORK, 'driver-'));
    const { graph, circles: found, order, orders } = violations(join(ROOT, 'native/driver'), work);
    expect(graph.size).toBeGreaterThan(5);
    expect(orders).toBe(1);
    expect([...graph.values()].some((uses) => uses.size > 0)).toBe(true);
    expect(found).toEqual([]);
    expect(order).toEqual([]);
    expect(writtenOrder(readFileSync(join(ROOT, 'native/driver/driver.h'), 'utf8')).sort()).toEqual([...graph.keys()].sort());
  });

  test('of native/driver/ change the process table only in procs.c', () => {
    const dir = join(ROOT, 'native/driver');
    const header = readFileSync(join(dir, 'driver.h'), 'utf8');
    const fields = [...members(header, 'proc'), ...members(header, 'procs')];
    expect(fields).toEqual(expect.arrayContaining(['owed', 'gone', 'caught', 'count', 'pause_status', 'all']));
    const writes = readdirSync(dir).filter((name) => name.endsWith('.c') && name !== 'procs.c')
      .flatMap((name) => writesTo(fields, name, readFileSync(join(dir, name), 'utf8')));
    expect(writes).toEqual([]);
    expect(writesTo(fields, 'procs.c', readFileSync(join(dir, 'procs.c'), 'utf8')).length).toBeGreaterThan(5);
    expect(writesTo(fields, 'planted.c', 'x = p->owed;\np->owed++;\n--t->count;\nd->procs.pause_status = 1;\nif (p->gone == 1)\ne->caught |= 2;\n'))
      .toEqual(['planted.c:2: p->owed++;', 'planted.c:3: --t->count;', 'planted.c:4: d->procs.pause_status = 1;', 'planted.c:6: e->caught |= 2;']);
  });

  test('of bench/ depend on each other one way only', () => {
    const work = mkdtempSync(join(WORK, 'bench-'));
    const { graph, circles: found, order, orders } = violations(join(ROOT, 'bench'), work);
    expect(graph.get('harness.c')).toContain('common.c');
    expect(graph.get('soak.c')).toContain('common.c');
    expect(orders).toBe(2); // harness.h and soak.h
    expect(found).toEqual([]);
    expect(order).toEqual([]);
  });

  test('are checked: a circle planted in a copy of the driver is found and named', () => {
    const copy = mkdtempSync(join(WORK, 'planted-'));
    cpSync(join(ROOT, 'native/driver'), copy, { recursive: true });
    // procfs.c (a leaf) now calls observe() in observe.c, which uses procfs.c.
    writeFileSync(join(copy, 'procfs.c'), `${readFileSync(join(copy, 'procfs.c'), 'utf8')}
void planted(struct driver *d)
{
	observe(d);
}
`);
    const work = mkdtempSync(join(WORK, 'planted-objects-'));
    const { circles: found, order } = violations(copy, work);
    expect(found).toContain('observe.c -> procfs.c -> observe.c');
    expect(order).toContain('driver.h: procfs.c uses observe.c, listed after it');
  });

  test('are checked: circles through several files, and includes of C files, count', () => {
    const graph: Graph = new Map([
      ['a.c', new Set(['b.c'])],
      ['b.c', new Set(['c.c'])],
      ['c.c', new Set(['a.c'])],
      ['d.c', new Set(['a.c'])],
    ]);
    expect(circles(graph)).toEqual(['a.c -> b.c -> c.c -> a.c']);
    expect(againstOrder(graph, ['a.c', 'b.c', 'c.c'])).toEqual([
      'a.c uses b.c, listed after it', 'b.c uses c.c, listed after it', 'd.c is not in the order driver.h writes down',
    ]);
    expect(againstOrder(graph, ['b.c', 'c.c'], false)).toEqual(['b.c uses c.c, listed after it']);
    const dir = mkdtempSync(join(WORK, 'included-'));
    writeFileSync(join(dir, 'one.c'), '#include "two.c"\nint one(void) { return 1; }\n');
    writeFileSync(join(dir, 'two.c'), 'int one(void);\nint two(void) { return one(); }\n');
    expect(circles(dependencies(dir, dir))).toEqual(['one.c -> two.c -> one.c']);
  });
});
