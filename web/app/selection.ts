/**
 * The records chosen for an evidence bundle, kept while the person moves between the list, a
 * record's page and the evidence screen (and across reloads, in sessionStorage).
 */
import { useSyncExternalStore } from 'react';

const KEY = 'tamga.evidence-selection';
const listeners = new Set<() => void>();
let chosen: readonly string[] = load();

function load(): string[] {
  try {
    const v: unknown = JSON.parse(globalThis.sessionStorage?.getItem(KEY) ?? '[]');
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function set(next: readonly string[]): void {
  chosen = next;
  try {
    globalThis.sessionStorage?.setItem(KEY, JSON.stringify(next));
  } catch {
    // Not kept across reloads; kept for this page.
  }
  for (const l of listeners) l();
}

/** Adds or removes a record. */
export function toggleSelected(id: string, on: boolean): void {
  if (on && !chosen.includes(id)) set([...chosen, id]);
  if (!on && chosen.includes(id)) set(chosen.filter((x) => x !== id));
}

/** Empties the selection. */
export function clearSelected(): void {
  set([]);
}

/** The chosen record IDs, in the order chosen; re-renders on change. */
export function useSelected(): readonly string[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => chosen,
  );
}
