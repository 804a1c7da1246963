// The project stands alone: nothing in it cites a file outside the
// repository (a sibling folder, a development machine's absolute path),
// an issue tracker the repository doesn't carry, or a file of its own that
// no longer exists. The scan covers the sources, the tests, the docs and
// the saved benchmark results, as git tracks them.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The folders and pages scanned. */
const SCANNED = ['src', 'asm', 'native', 'bench', 'test', 'docs', 'README.md', 'ARCHITECTURE.md', 'CHANGELOG.md', '.ci'];

/** What cites something outside the project, each with what it is. */
const OUTSIDE: [RegExp, string][] = [
  [/\.\.\/shared\b|\bshared\/(?:seed|SEMANTICS|STYLE)/, 'a folder beside the repository'],
  [/\bSEMANTICS\.md\b|\bINIT\.md\b|\bSTYLE\.md\b/, 'a page the repository does not carry'],
  [/(?<![\w.])\/(?:work|home|Users|plan)\/[\w.-]+/, "a development machine's absolute path"],
  [/\b[Ii]ssues? #?\d+\b|\(#\d+\)|\b[Tt]asks? \d+\b/, 'an issue number of a tracker the repository does not carry'],
];

/** A path into the repository, as a comment or a page names one. */
const PROJECT_PATH = /(?<![\w./-])(?:src|asm|native|bench|test|docs)\/[\w./-]*[\w-]/g;

/**
 * Names that look like project paths but name something else, each with
 * why: checked below to still occur, so the list cannot rot.
 */
const NOT_PROJECT_PATHS: Record<string, string> = {
  'test/reaping.test.ts': "the user's own test file in README.md's example project",
  'test/reap-once.test.ts': "a user's test file in docs/library.md's example project",
};

function trackedFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--', ...SCANNED], { cwd: ROOT, encoding: 'utf8' });
  return listed.split('\0').filter((file) => file !== '' && !/\.(?:png|wasm|tgz|tar)$/.test(file));
}

/** Whether a path named in `file` exists: relative to the root, to the file, or as a build output. */
function exists(path: string, file: string): boolean {
  const cleaned = path.replace(/[.:]+$/, '');
  if (/^(?:build|dist|node_modules)\//.test(cleaned)) return true;
  const bases = [join(ROOT, cleaned), join(ROOT, dirname(file), cleaned)];
  // A program or a test named without its extension (native/failcall, the
  // build of native/failcall.c) counts as its source.
  return bases.some((base) => ['', '.c', '.ts', '.test.ts'].some((extension) => existsSync(`${base}${extension}`)));
}

/**
 * The part of a line that speaks to a reader: all of a page, a comment in
 * code. A string in code may name a file a test plants or a user's project
 * holds; a comment that names a file of the project must find it there.
 */
function proseOf(file: string, line: string): string {
  if (/\.(?:md|txt)$/.test(file)) return line;
  const trimmed = line.trimStart();
  if (/^(?:\*|\/\*|#)/.test(trimmed)) return line;
  const comment = line.search(/(?<!:)\/\//);
  return comment < 0 ? '' : line.slice(comment);
}

interface Finding {
  where: string;
  what: string;
  text: string;
}

function scan(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    const where = `${file}:${index + 1}`;
    for (const [pattern, what] of OUTSIDE) {
      const match = line.match(pattern);
      if (match !== null) findings.push({ where, what, text: match[0] });
    }
    const prose = proseOf(file, line);
    for (const match of prose.matchAll(PROJECT_PATH)) {
      const path = match[0];
      // A placeholder (native/sys/arch/<arch>.h, examples/NAME.json, *.c) names no one file.
      if (/[<>*{}$]|\b[A-Z]{2,}\b/.test(prose.slice(match.index, match.index + path.length + 1))) continue;
      if (path in NOT_PROJECT_PATHS) continue;
      if (!exists(path, file)) findings.push({ where, what: 'a project file that does not exist', text: path });
    }
  });
  return findings;
}

/** Markdown links to relative targets that don't exist. */
function deadLinks(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  text.split('\n').forEach((line, index) => {
    for (const match of line.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = match[1]!.split('#')[0]!;
      if (target === '' || /^[a-z]+:/.test(target)) continue;
      if (!existsSync(normalize(join(ROOT, dirname(file), target)))) {
        findings.push({ where: `${file}:${index + 1}`, what: 'a link to a file that does not exist', text: match[1]! });
      }
    }
  });
  return findings;
}

const FILES = trackedFiles();

describe('the project stands alone', () => {
  test('scans the sources, tests, docs and saved results', () => {
    for (const folder of ['src/', 'asm/', 'native/', 'bench/', 'test/', 'docs/']) {
      expect(FILES.some((file) => file.startsWith(folder)), folder).toBe(true);
    }
  });

  test('nothing cites a file outside the repository, a machine path, an issue number or a missing file', () => {
    const findings = FILES.flatMap((file) => {
      const text = readFileSync(join(ROOT, file), 'utf8');
      return [...scan(file, text), ...(file.endsWith('.md') ? deadLinks(file, text) : [])];
    });
    expect(findings.map((f) => `${f.where}: ${f.what}: ${f.text}`)).toEqual([]);
  });

  test('every name the scan lets pass still occurs, so the exceptions cannot rot', () => {
    const all = FILES.map((file) => readFileSync(join(ROOT, file), 'utf8')).join('\n');
    for (const name of Object.keys(NOT_PROJECT_PATHS)) expect(all.includes(name), name).toBe(true);
  });

  test.each([
    // Put together here, so that this file itself cites nothing.
    [`// the rules of ../${'shared'}/page.md`, 'a folder beside the repository'],
    [`// see /${'work'}/project/notes.md`, "a development machine's absolute path"],
    [`// ${'Issue'} 14 asks for it`, 'an issue number of a tracker the repository does not carry'],
    [`// src/engine-${'kernel'}.ts starts the driver`, 'a project file that does not exist'],
    [' * the loop of native/pause.c.old', 'a project file that does not exist'],
  ])('catches a planted reference: %s', (line, what) => {
    expect(scan('src/planted.ts', line).map((f) => f.what)).toContain(what);
  });

  test('catches a planted dead link', () => {
    expect(deadLinks('docs/planted.md', 'see [the page](missing.md#part)').map((f) => f.text)).toEqual(['missing.md#part']);
  });

  test('leaves what exists alone, and the strings of code', () => {
    expect(scan('src/planted.ts', '// native/pause.c and docs/model.md, build/native/pause, native/sys/arch/<arch>.h')).toEqual([]);
    expect(scan('test/planted.test.ts', "writeFileSync(join(dir, 'test/a.test.ts'), source); // a user's file")).toEqual([]);
  });
});
