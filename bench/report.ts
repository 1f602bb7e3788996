/** Prints benchmark figures of Tamga and a peer side by side, with their ratio. */

/** One measured operation: how many times it ran and how long that took in all. */
export interface Figure {
  name: string;
  ops: number;
  nanos: number;
}

function perOp(f: Figure): string {
  const ns = f.nanos / Math.max(f.ops, 1);
  return ns >= 1e6
    ? `${(ns / 1e6).toFixed(2)} ms`
    : ns >= 1e3
      ? `${(ns / 1e3).toFixed(2)} µs`
      : `${ns.toFixed(0)} ns`;
}

/**
 * Prints one line per pair [our figure, the peer's figure]: time per operation of each and
 * ours ÷ theirs (below 1.0: Tamga is faster).
 */
export function printComparison(
  ours: readonly Figure[],
  theirs: readonly Figure[],
  pairs: ReadonlyArray<readonly [string, string]>,
  peer = 'Go x/mod',
): void {
  const rows = pairs.map(([a, b]) => {
    const o = ours.find((f) => f.name === a);
    const t = theirs.find((f) => f.name === b);
    const ratio = o && t ? (o.nanos / o.ops / (t.nanos / t.ops)).toFixed(2) : '–';
    return [a, o ? `${perOp(o)} (${o.ops})` : '–', t ? `${perOp(t)} (${t.ops})` : '–', ratio];
  });
  const head = ['operation', 'Tamga per op', `${peer} per op`, 'ratio'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  const extra = theirs.filter((t) => !pairs.some(([, b]) => b === t.name));
  for (const t of extra)
    console.log(`  (${peer} also: ${t.name}: ${perOp(t)} per op over ${t.ops})`);
}
