// The model's sources (asm/) import one another one way: no two files
// depend on each other, directly or through others. The kernel's own
// mutual recursion (a fatal signal ends a process, an ending signals the
// parent) lives inside asm/kernel/signals.ts, which says why; the constants
// everyone shares are in the leaf asm/kernel/sigset.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Every .ts file under asm/, by repository path. */
function asmFiles(): Map<string, string> {
  const asm = join(ROOT, 'asm');
  const paths = readdirSync(asm, { recursive: true, encoding: 'utf8' }).filter((path) => path.endsWith('.ts'));
  return new Map(paths.map((path) => [`asm/${path.split('\\').join('/')}`, readFileSync(join(asm, path), 'utf8')]));
}

/** The files each file imports or re-exports from (relative specifiers; AssemblyScript leaves out ".ts"). */
function importGraph(files: Map<string, string>): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const [path, source] of files) {
    const targets = ts.preProcessFile(source, true, false).importedFiles
      .map((f) => f.fileName)
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => `${relative(ROOT, resolve(ROOT, dirname(path), specifier)).split('\\').join('/')}.ts`);
    graph.set(path, targets);
  }
  return graph;
}

/** Each import cycle, as the files around it, the first one again at the end; [] if there is none. */
function importCycles(graph: Map<string, string[]>): string[] {
  const cycles: string[] = [];
  const done = new Set<string>();
  const visit = (file: string, path: string[]): void => {
    const seen = path.indexOf(file);
    if (seen >= 0) {
      cycles.push([...path.slice(seen), file].join(' -> '));
      return;
    }
    if (done.has(file)) return;
    for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
    done.add(file);
  };
  for (const file of [...graph.keys()].sort()) visit(file, []);
  return cycles;
}

test('asm/ has no import cycle, and every import names a file there', () => {
  const files = asmFiles();
  expect(files.size).toBeGreaterThan(8);
  const graph = importGraph(files);
  const missing = [...graph].flatMap(([from, targets]) => targets.filter((t) => !files.has(t)).map((t) => `${from} imports ${t}`));
  expect(missing).toEqual([]);
  expect(importCycles(graph)).toEqual([]);
});

test('a cycle, direct or through others, is found and named', () => {
  const planted = new Map([
    ['asm/index.ts', 'import { die } from "./kernel/exit";\nimport { World } from "./kernel/world";\n'],
    ['asm/kernel/exit.ts', 'import { send } from "./signals";\nimport { World } from "./world";\n'],
    ['asm/kernel/signals.ts', 'import { die } from "./exit";\n'],
    ['asm/kernel/world.ts', ''],
    ['asm/a.ts', 'export { b } from "./b";\n'],
    ['asm/b.ts', 'import { c } from "./c";\n'],
    ['asm/c.ts', 'import { a } from "./a";\n'],
  ]);
  expect(importCycles(importGraph(planted))).toEqual([
    'asm/a.ts -> asm/b.ts -> asm/c.ts -> asm/a.ts',
    'asm/kernel/exit.ts -> asm/kernel/signals.ts -> asm/kernel/exit.ts',
  ]);
  // The same files with the recursion in one file: no cycle.
  planted.set('asm/kernel/signals.ts', 'import { World } from "./world";\n');
  planted.set('asm/c.ts', '');
  expect(importCycles(importGraph(planted))).toEqual([]);
});
