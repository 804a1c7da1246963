// @wasmer/wasi is optional: it is loaded only when asked for, and a user
// without it is told in one line what to do, not shown a resolver's stack.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { startHost } from '../../src/engines/model/hosts.ts';
import { MODEL_WASM } from '../../src/engines/model/wasm.ts';
import { PausekitError } from '../../src/errors.ts';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const noAbort = (): void => {
  throw new Error('the module aborted');
};

test('without @wasmer/wasi, choosing it is a one-line PausekitError saying how to get it', async () => {
  // A package that is not installed, through the real resolver.
  const missing = '@wasmer/wasi-not-installed';
  const error = await startHost('wasmer', MODEL_WASM, noAbort, () => import(missing)).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(PausekitError);
  expect((error as PausekitError).message).toBe('@wasmer/wasi is not installed: npm install @wasmer/wasi, or use the default node:wasi');
  expect((error as PausekitError).exitCode).toBe(2);
});

test('a @wasmer/wasi that is there but fails to load is not called missing', async () => {
  const broken = new SyntaxError('Unexpected token in @wasmer/wasi');
  await expect(startHost('wasmer', MODEL_WASM, noAbort, () => Promise.reject(broken))).rejects.toBe(broken);
});

test('nothing in src/ imports @wasmer/wasi but the one import() that loads it when chosen', () => {
  const mentions = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .flatMap((file) => readFileSync(join(SRC, file), 'utf8').split('\n').map((line) => ({ file, line })))
    .filter(({ line }) => /['"]@wasmer\/wasi['"]/.test(line));
  expect(mentions.map(({ file, line }) => `${file}: ${line.trim()}`)).toEqual([
    "engines/model/hosts.ts: const importWasmer = async (): Promise<WasmerWasi> => (await import('@wasmer/wasi')) as WasmerWasi;",
  ]);
});
