/**
 * Builds the web app into web/dist/app, served by the Tamga server at `/`. In development,
 * `npm run dev:web` serves it with Vite and passes /api to a server on TAMGA_API (default
 * http://127.0.0.1:8080).
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/app', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    // React, i18next, zod and the log core in one file: about 600 kB, 170 kB compressed.
    chunkSizeWarningLimit: 1024,
  },
  server: {
    proxy: { '/api': process.env.TAMGA_API ?? 'http://127.0.0.1:8080' },
  },
});
