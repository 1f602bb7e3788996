/** `witnessServe` in a process of its own, for serve.test.ts: node --import tsx serve-child.ts DIR */
import { witnessServe } from '../../src/witness/commands.js';

await witnessServe(
  { dir: process.argv[2]!, host: '127.0.0.1', port: 0 },
  {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    cwd: process.cwd(),
  },
);
console.log('stopped');
