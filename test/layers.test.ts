// The import graph of src/ runs one way, lowest layer first: a module
// imports only from its own folder or from a lower layer, never from bench/
// or test/, and names every module it imports with a string literal (no
// import() of a computed name, which the type checker cannot follow).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Each part of src/ (a folder, or a file at the top) and its layer, lowest first. */
const LAYERS: Record<string, number> = {
  'errors.ts': 0,
  scenario: 1,
  engines: 2,
  image: 2,
  check: 3,
  bench: 3,
  cri: 2,
  view: 4,
  'index.ts': 4,
  'vitest.ts': 4,
  cli: 5,
};

/**
 * Imports across parts of the same layer that are allowed, and why. Any
 * other import between two parts of one layer is a violation.
 */
const SAME_LAYER: Record<string, string> = {
  'bench -> check': "the model benchmark counts property scenarios/s with check's planArbitrary and playPlan",
  'index.ts -> view': 'the public API exports the pages (runPage, diffPage, explorePage, benchPage)',
  'vitest.ts -> view': 'a failing matcher draws the run it was given',
};

/** The part of src/ a repository path belongs to, or undefined outside src/. */
function partOf(path: string): string | undefined {
  const [top, first] = path.split('/');
  return top === 'src' && first !== undefined ? first : undefined;
}

/** Every module specifier a source file imports, re-exports or loads, with computed ones marked. */
function importsOf(path: string, source: string): { specifier: string | null; line: number }[] {
  const kind = path.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  const file = ts.createSourceFile(path, source, ts.ScriptTarget.Latest, true, kind);
  const found: { specifier: string | null; line: number }[] = [];
  const add = (node: ts.Node, expression: ts.Expression | undefined) => {
    const line = file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1;
    found.push({ specifier: expression !== undefined && ts.isStringLiteralLike(expression) ? expression.text : null, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined)) {
      add(node, node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node, node.moduleReference.expression);
    } else if (ts.isCallExpression(node) && (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
      (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) {
      add(node, node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/** What breaks the layering in a set of files (repository path -> source). */
function layerViolations(files: Map<string, string>): string[] {
  const violations: string[] = [];
  for (const [path, source] of files) {
    const from = partOf(path);
    if (from === undefined) continue;
    if (LAYERS[from] === undefined) {
      violations.push(`${path}: src/${from} has no layer: add it to LAYERS in test/layers.test.ts`);
      continue;
    }
    for (const { specifier, line } of importsOf(path, source)) {
      const where = `${path}:${line}`;
      if (specifier === null) {
        violations.push(`${where}: imports a module named by an expression; name it with a string literal`);
        continue;
      }
      if (!specifier.startsWith('.')) continue; // a package (node:fs, fast-check...)
      const target = relative(ROOT, resolve(ROOT, dirname(path), specifier)).split('\\').join('/');
      const to = partOf(target);
      if (to === undefined) {
        violations.push(`${where}: imports ${target}, outside src/ (src/ never imports bench/, test/ or anything else)`);
      } else if (to === from) {
        continue;
      } else if (LAYERS[to] === undefined) {
        violations.push(`${where}: imports ${target}, in src/${to}, which has no layer`);
      } else if (LAYERS[to] > LAYERS[from]) {
        violations.push(`${where}: ${from} (layer ${LAYERS[from]}) imports ${target}, from the higher layer ${to} (layer ${LAYERS[to]})`);
      } else if (LAYERS[to] === LAYERS[from] && SAME_LAYER[`${from} -> ${to}`] === undefined) {
        violations.push(`${where}: ${from} imports ${target}, from ${to}, another part of layer ${LAYERS[from]}`);
      }
    }
  }
  return violations;
}

/** Every .ts and .mjs file under src/, by repository path. */
function sourceFiles(dir = join(ROOT, 'src')): Map<string, string> {
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) {
      for (const [path, source] of sourceFiles(full)) files.set(path, source);
    } else if (/\.(ts|mjs)$/.test(entry.name)) {
      files.set(relative(ROOT, full).split('\\').join('/'), readFileSync(full, 'utf8'));
    }
  }
  return files;
}

describe('the layers of src/', () => {
  test('hold: no module imports a higher layer, another part of its layer, bench/ or test/', () => {
    const files = sourceFiles();
    expect(files.size).toBeGreaterThan(20);
    expect(layerViolations(files)).toEqual([]);
  });

  test('are checked: each kind of bad import is reported with its file and line', () => {
    const planted = new Map([
      ['src/scenario/load.ts', "import { run } from '../cli/run.ts';\n"],
      ['src/index.ts', "export { main } from './cli/main.ts';\n"],
      ['src/check/diff.ts', "import type { BenchResult } from '../bench/run.ts';\n"],
      ['src/engines/engine.ts', "\nimport { x } from '../../bench/programs.ts';\n"],
      ['src/cli/run.ts', "const name = './x.ts';\nawait import(name);\n"],
      ['src/cli/main.ts', "import { y } from '../../test/support/processes.ts';\n"],
      ['src/extra/thing.ts', ''],
    ]);
    expect(layerViolations(planted)).toEqual([
      'src/scenario/load.ts:1: scenario (layer 1) imports src/cli/run.ts, from the higher layer cli (layer 5)',
      'src/index.ts:1: index.ts (layer 4) imports src/cli/main.ts, from the higher layer cli (layer 5)',
      'src/check/diff.ts:1: check imports src/bench/run.ts, from bench, another part of layer 3',
      'src/engines/engine.ts:2: imports bench/programs.ts, outside src/ (src/ never imports bench/, test/ or anything else)',
      'src/cli/run.ts:2: imports a module named by an expression; name it with a string literal',
      'src/cli/main.ts:1: imports test/support/processes.ts, outside src/ (src/ never imports bench/, test/ or anything else)',
      'src/extra/thing.ts: src/extra has no layer: add it to LAYERS in test/layers.test.ts',
    ]);
  });

  test('allow what the layout allows: the own folder, lower layers, packages and the listed same-layer imports', () => {
    const fine = new Map([
      ['src/engines/engine.ts', "import { runKernel } from './kernel/engine.ts';\nimport type { Scenario } from '../scenario/types.ts';\n"],
      ['src/cli/main.ts', "import { PausekitError } from '../errors.ts';\nconst load = () => import('./run.ts');\n"],
      ['src/bench/model-bench.ts', "import fc from 'fast-check';\nimport { playPlan } from '../check/arbitraries.ts';\n"],
    ]);
    expect(layerViolations(fine)).toEqual([]);
  });
});
