/**
 * The records chosen for an evidence bundle, each with what a person recognises it by (its
 * kind and title or path), kept while they move between the list, a record's page and the
 * evidence screen, across reloads and in every tab of this browser: in localStorage, one entry
 * per vault and signed-in user, bounded to what one bundle may hold, and forgotten at sign-out
 * (record titles are the union's business, and a browser may be shared). Tabs hear each other's
 * changes through the `storage` event.
 */
import { useCallback, useMemo, useSyncExternalStore } from 'react';
import { API_LIMITS, type StateResponse } from '../../src/server/app/api.js';
import { useSession } from './session.js';

/** A record chosen, and what it is shown as. */
export interface ChosenRecord {
  readonly id: string;
  readonly kind: string;
  /** The document's title or path, or a kind's short description; may be empty. */
  readonly title: string;
}

/** At most as many records as one bundle may hold. */
export const MAX_CHOSEN = API_LIMITS.maxEvidenceRecords;
/** A title is kept up to this many characters (the page shows the record for the rest). */
const MAX_TITLE = 300;
const MAX_ID = 40;
const MAX_KIND = 40;
const PREFIX = 'tamga.evidence-selection/v2';

const listeners = new Set<() => void>();
const cache = new Map<string, readonly ChosenRecord[]>();
const EMPTY: readonly ChosenRecord[] = [];

/** The storage key of the selection of the signed-in user of `state`; null when none. */
export function selectionKey(state: Pick<StateResponse, 'origin' | 'user'>): string | null {
  if (state.user === null) return null;
  return `${PREFIX}:${encodeURIComponent(state.origin ?? '')}:${encodeURIComponent(state.user.name)}`;
}

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}

/** Returns `v` as a chosen record, bounded, or null when it is not one. */
function chosenRecord(v: unknown): ChosenRecord | null {
  if (typeof v !== 'object' || v === null) return null;
  const { id, kind, title } = v as Record<string, unknown>;
  if (typeof id !== 'string' || id === '' || id.length > MAX_ID) return null;
  return {
    id,
    kind: typeof kind === 'string' ? kind.slice(0, MAX_KIND) : '',
    title: typeof title === 'string' ? title.slice(0, MAX_TITLE) : '',
  };
}

function load(key: string): readonly ChosenRecord[] {
  try {
    const v: unknown = JSON.parse(storage()?.getItem(key) ?? '[]');
    if (!Array.isArray(v)) return EMPTY;
    const seen = new Set<string>();
    const out: ChosenRecord[] = [];
    for (const item of v.slice(0, MAX_CHOSEN)) {
      const c = chosenRecord(item);
      if (c !== null && !seen.has(c.id)) {
        seen.add(c.id);
        out.push(c);
      }
    }
    return out;
  } catch {
    return EMPTY;
  }
}

function snapshot(key: string | null): readonly ChosenRecord[] {
  if (key === null) return EMPTY;
  let chosen = cache.get(key);
  if (chosen === undefined) {
    chosen = load(key);
    cache.set(key, chosen);
  }
  return chosen;
}

function notify(): void {
  for (const l of listeners) l();
}

function store(key: string, next: readonly ChosenRecord[]): void {
  cache.set(key, next);
  try {
    if (next.length === 0) storage()?.removeItem(key);
    else storage()?.setItem(key, JSON.stringify(next));
  } catch {
    // Full or refused: kept in this tab only.
  }
  notify();
}

// Another tab changed a selection: read it again.
globalThis.addEventListener?.('storage', (e: StorageEvent) => {
  if (e.key === null) cache.clear();
  else if (e.key.startsWith(PREFIX)) cache.delete(e.key);
  else return;
  notify();
});

/** Forgets the selection stored under `key` (at sign-out). */
export function forgetSelection(key: string | null): void {
  if (key !== null) store(key, EMPTY);
}

/** The signed-in user's selection, and what changes it; re-renders on every change. */
export interface Selection {
  /** In the order chosen. */
  readonly chosen: readonly ChosenRecord[];
  readonly has: (id: string) => boolean;
  /**
   * Adds or removes a record; returns false when it could not be added: the selection holds
   * MAX_CHOSEN records already, or no one is signed in.
   */
  readonly toggle: (record: ChosenRecord, on: boolean) => boolean;
  readonly clear: () => void;
}

/** Returns the selection of the signed-in user. */
export function useSelection(): Selection {
  const { state } = useSession();
  const key = selectionKey(state);
  const chosen = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => snapshot(key),
  );
  const toggle = useCallback(
    (record: ChosenRecord, on: boolean): boolean => {
      if (key === null) return false;
      const now = snapshot(key);
      const present = now.some((c) => c.id === record.id);
      if (on && !present) {
        const c = chosenRecord(record);
        if (c === null || now.length >= MAX_CHOSEN) return false;
        store(key, [...now, c]);
      }
      if (!on && present)
        store(
          key,
          now.filter((c) => c.id !== record.id),
        );
      return true;
    },
    [key],
  );
  const clear = useCallback(() => forgetSelection(key), [key]);
  return useMemo(
    () => ({ chosen, has: (id: string) => chosen.some((c) => c.id === id), toggle, clear }),
    [chosen, toggle, clear],
  );
}
