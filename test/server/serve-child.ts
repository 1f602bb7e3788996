/** `serveCommand` in a process of its own, for serve.test.ts: node --import tsx serve-child.ts DIR */
import { serveCommand } from '../../src/server/serve.js';

await serveCommand({ vault: process.argv[2]!, host: '127.0.0.1', port: 0 });
console.log('stopped');
