/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, or the inspector's Profiler): where the
 * samples fell, by function (self time, and total time including callees) and by file.
 * Also runnable on its own: `node --import tsx bench/profile.ts FILE.cpuprofile [TOP]`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';
import { ROOT } from './work.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** The shape of a .cpuprofile file. */
export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Decodes a source map's mappings: per generated line, [generated column, source line]. */
function decodeMappings(mappings: string): Array<Array<[number, number]>> {
  const lines: Array<Array<[number, number]>> = [];
  let sourceLine = 0;
  for (const line of mappings.split(';')) {
    const segments: Array<[number, number]> = [];
    let column = 0;
    for (const segment of line.split(',')) {
      if (segment === '') continue;
      const values: number[] = [];
      let value = 0;
      let shift = 0;
      for (const ch of segment) {
        const digit = BASE64.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          values.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += values[0]!;
      if (values.length >= 4) {
        sourceLine += values[2]!;
        segments.push([column, sourceLine]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

const maps = new Map<string, Array<Array<[number, number]>> | null>();

/**
 * The line in the TypeScript source of a position in the code tsx ran. tsx compiles each file
 * with esbuild into whitespace-minified code (nearly all on one line), so V8's positions are
 * columns of that; compiling the file again with the same options gives the same code and its
 * source map. Returns null when that is not possible.
 */
function sourceLine(path: string, line: number, column: number): number | null {
  if (!path.endsWith('.ts')) return null;
  let map = maps.get(path);
  if (map === undefined) {
    try {
      const out = transformSync(readFileSync(path, 'utf8'), {
        loader: 'ts',
        format: 'esm',
        target: `node${process.versions.node}`,
        sourcemap: 'external',
        sourcefile: path,
        minifyWhitespace: true,
        keepNames: true,
      });
      map = decodeMappings((JSON.parse(out.map) as { mappings: string }).mappings);
    } catch {
      map = null;
    }
    maps.set(path, map);
  }
  const segments = map?.[line];
  if (!segments) return null;
  let found: number | null = null;
  for (const [c, l] of segments) {
    if (c > column) break;
    found = l;
  }
  return found;
}

function where(f: CallFrame): string {
  const path = f.url.replace(/^file:\/\//, '');
  let url = path;
  if (url.startsWith(`${ROOT}/`)) url = url.slice(ROOT.length + 1);
  url = url.replace(/^(.*\/)?node_modules\//, '');
  if (url === '') return '';
  const mapped = path.startsWith('/') ? sourceLine(path, f.lineNumber, f.columnNumber) : null;
  return `${url}:${(mapped ?? f.lineNumber) + 1}`;
}

function fileOf(f: CallFrame): string {
  const w = where(f);
  if (w === '') return `(${f.functionName || 'native'})`;
  return w.replace(/:\d+$/, '');
}

function label(f: CallFrame): string {
  const name = f.functionName || '(anonymous)';
  const w = where(f);
  return w === '' ? name : `${name}  ${w}`;
}

/**
 * Prints the top functions by self time and by total time, and the top files by self time,
 * each as milliseconds and share of the profile's samples.
 */
export function summariseProfile(profile: CpuProfile, top = 20): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const files = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    // A sample's time is the gap to the next one, as Chrome DevTools counts it.
    const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
    all += dt;
    const node = byId.get(id)!;
    const key = label(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + dt);
    const file = fileOf(node.callFrame);
    files.set(file, (files.get(file) ?? 0) + dt);
    const seen = new Set<string>();
    for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
      const k = label(byId.get(n)!.callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + dt);
    }
  });
  const show = (title: string, m: Map<string, number>, skip: (k: string) => boolean) => {
    console.log(`  ${title}`);
    const rows = [...m].filter(([k]) => !skip(k)).sort((a, b) => b[1] - a[1]);
    for (const [k, ms] of rows.slice(0, top))
      console.log(
        `    ${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / all).toFixed(1).padStart(5)}%  ${k}`,
      );
  };
  console.log(`  profile: ${(all / 1000).toFixed(2)} s sampled, ${profile.samples.length} samples`);
  show('by self time (function  file:line):', self, () => false);
  // Whole-program frames (the root, the event loop) would top the list with 100%.
  show(
    'by total time, callees included:',
    total,
    (k) => k.startsWith('(root)') || k.startsWith('(program)') || k.startsWith('(idle)'),
  );
  show('by file, self time:', files, () => false);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node --import tsx bench/profile.ts FILE.cpuprofile [TOP]');
    process.exit(2);
  }
  summariseProfile(
    JSON.parse(readFileSync(file, 'utf8')) as CpuProfile,
    Number(process.argv[3] ?? 20),
  );
}
