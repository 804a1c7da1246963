#!/usr/bin/env node
// The `pausekit` command: runs the TypeScript CLI through tsx, so the
// checkout needs no compile step beyond `npm install`.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
