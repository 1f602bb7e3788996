/**
 * Builds the offline verifier as one self-contained file, web/dist/verifier.html: every script
 * and style inlined (web/build/inline-html.ts), nothing split off or fetched.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { inlineHtml } from '../build/inline-html.js';

const here = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root: here,
  base: './',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../dist', import.meta.url)),
    emptyOutDir: false,
    target: 'es2022',
    modulePreload: false,
    cssCodeSplit: false,
    assetsInlineLimit: Number.MAX_SAFE_INTEGER,
    reportCompressedSize: false,
    rolldownOptions: {
      input: fileURLToPath(new URL('verifier.html', import.meta.url)),
      output: { codeSplitting: false },
    },
  },
  plugins: [inlineHtml()],
});
