// Files and functions a reader holds in their head: no source file in src/,
// asm/, native/ or bench/ over 500 lines (native/pause.c, one file as
// tini.c and catatonit.c are, under 800), no function there over 80 lines,
// and no page (README.md, ARCHITECTURE.md, CHANGELOG.md, docs/) over 20 KiB.
// Each failure names the file, the function and its size.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SOURCE_DIRS = ['src', 'asm', 'native', 'bench'];
const MAX_FILE_LINES = 500;
const MAX_PAUSE_C_LINES = 799;
const MAX_FUNCTION_LINES = 80;
const MAX_PAGE_BYTES = 20 * 1024;

/** Every hand-written source file under a directory, relative to the root. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|mts|mjs|c|h)$/.test(entry.name) ? [path] : [];
  });
}

const FILES = SOURCE_DIRS.flatMap(sources);

function lineCount(path: string): number {
  return readFileSync(join(ROOT, path), 'utf8').split('\n').length - 1;
}

/** Each function of a TypeScript or AssemblyScript file: its name and how many lines it spans. */
function tsFunctions(path: string): Array<[string, number]> {
  const text = readFileSync(join(ROOT, path), 'utf8');
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: Array<[string, number]> = [];
  const line = (pos: number) => file.getLineAndCharacterOfPosition(pos).line;
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const name = node.name?.getText(file) ?? `a function at line ${line(node.getStart(file)) + 1}`;
      found.push([name, line(node.end) - line(node.getStart(file)) + 1]);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

/**
 * Each function of a C file, as this project writes them: the signature's
 * last line, then `{` and `}` alone at the start of a line.
 */
function cFunctions(path: string): Array<[string, number]> {
  const lines = readFileSync(join(ROOT, path), 'utf8').split('\n');
  const found: Array<[string, number]> = [];
  let start = -1;
  lines.forEach((text, i) => {
    if (text === '{') start = i;
    else if (text === '}' && start > 0) {
      found.push([lines[start - 1]!.trim(), i - start + 2]);
      start = -1;
    }
  });
  return found;
}

test(`no source file in ${SOURCE_DIRS.join(', ')} is over ${MAX_FILE_LINES} lines (native/pause.c: ${MAX_PAUSE_C_LINES})`, () => {
  expect(FILES.length).toBeGreaterThan(50);
  const over = FILES.filter((path) => lineCount(path) > (path === join('native', 'pause.c') ? MAX_PAUSE_C_LINES : MAX_FILE_LINES))
    .map((path) => `${path}: ${lineCount(path)} lines`);
  expect(over).toEqual([]);
});

test(`no function in ${SOURCE_DIRS.join(', ')} is over ${MAX_FUNCTION_LINES} lines`, () => {
  const functions = FILES.flatMap((path) =>
    (/\.[ch]$/.test(path) ? cFunctions(path) : tsFunctions(path)).map(([name, lines]) => ({ path, name, lines })));
  // The counters see the project's functions: pause.c's main loop and the CLI's commands are among them.
  expect(functions.some((f) => f.path === join('native', 'pause.c'))).toBe(true);
  expect(functions.some((f) => f.path.startsWith(join('src', 'cli')))).toBe(true);
  const over = functions.filter((f) => f.lines > MAX_FUNCTION_LINES).map((f) => `${f.path}: ${f.name}: ${f.lines} lines`);
  expect(over).toEqual([]);
});

test(`no page is over ${MAX_PAGE_BYTES / 1024} KiB`, () => {
  const pages = ['README.md', 'ARCHITECTURE.md', 'CHANGELOG.md',
    ...readdirSync(join(ROOT, 'docs'), { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.md')).map((name) => join('docs', name))];
  const over = pages.filter((page) => statSync(join(ROOT, page)).size > MAX_PAGE_BYTES)
    .map((page) => `${relative('.', page)}: ${statSync(join(ROOT, page)).size} bytes`);
  expect(over).toEqual([]);
});
