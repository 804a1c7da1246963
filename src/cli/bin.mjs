#!/usr/bin/env node
// The `pausekit` command run from the sources, through tsx: what the tests
// and `npm start` use in a checkout, with no compile step. The package's
// `pausekit` is the compiled dist/cli/main.js (npm run build:ts).
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
