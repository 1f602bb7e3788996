#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx, so an `npm ci` checkout needs no build step.
import { register } from 'tsx/esm/api';

// A reader that stops early (`tamga ls | head`) is not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
}

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
