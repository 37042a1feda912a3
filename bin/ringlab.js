#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript in dist/ (built by `npm install` via "prepare").
import('../dist/src/cli/main.js');
