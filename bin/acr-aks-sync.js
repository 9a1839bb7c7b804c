#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run automatically on install).
import { setTimeout } from 'node:timers';
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2), process.env);

// Last resort only: everything the scan starts ends with it, so the process exits on its own.
// Should something still hold it (a bug), it exits anyway, saying so, rather than never.
const BACKSTOP_MS = 10_000;
setTimeout(() => {
  process.stderr.write(`acr-aks-sync: something was still running ${BACKSTOP_MS / 1000}s after the scan ended (${process.getActiveResourcesInfo().join(', ')}); exiting\n`);
  process.exit();
}, BACKSTOP_MS).unref();
