/**
 * Builds the browser side into web/dist: the offline verifier (one self-contained
 * verifier.html) and the app (web/dist/app/). `npm run build:web` runs this file; the browser
 * tests' global setup calls `buildWeb` so that a clean clone passes.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'vite';

/** The Vite configs, in build order. */
export const WEB_CONFIGS = [
  fileURLToPath(new URL('../verifier/vite.config.ts', import.meta.url)),
  fileURLToPath(new URL('../app/vite.config.ts', import.meta.url)),
] as const;

/**
 * Builds every part of web/dist for production; rejects with Vite's error when a build fails.
 * NODE_ENV is set to `production` meanwhile: under vitest it is `test`, and Vite would then
 * bundle React's development build.
 */
export async function buildWeb(): Promise<void> {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    for (const configFile of WEB_CONFIGS) {
      await build({ configFile, mode: 'production', logLevel: 'warn' });
    }
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildWeb();
}
