// The model is deterministic by construction: the WebAssembly module can ask
// its host for nothing but writing output (and exiting on an abort): no
// clock, no random numbers.
import { expect, test } from 'vitest';
import { ModelModule } from '../../src/engines/model/wasm.ts';

test('the model imports only fd_write and proc_exit from WASI', () => {
  const imports = ModelModule.imports();
  expect(imports.map((i) => `${i.module}.${i.name}`).sort()).toEqual([
    'wasi_snapshot_preview1.fd_write',
    'wasi_snapshot_preview1.proc_exit',
  ]);
  expect(imports.some((i) => i.name === 'random_get' || i.name === 'clock_time_get')).toBe(false);
});
