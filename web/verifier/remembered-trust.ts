/**
 * The one trust statement the verifier may remember on this computer, in localStorage, so that a
 * person who checks a union's evidence often pastes its statement once. A file:// page has
 * storage too in the browsers we target; where it is refused, nothing is remembered and the page
 * works the same. Only a statement that parses is kept: the page shows what it holds (its origin
 * and fingerprint) and forgets it on request.
 */
import { parseTrustStatement } from '../../src/evidence/index.js';

const STORAGE_KEY = 'tamga.trust';

/** Returns the remembered statement's text, or null when there is none or it no longer parses. */
export function rememberedStatement(): string | null {
  let text: string | null = null;
  try {
    text = globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
  if (text === null) return null;
  try {
    parseTrustStatement(text);
    return text;
  } catch {
    return null;
  }
}

/** Remembers `text` in place of any statement remembered before. Returns false when refused. */
export function rememberStatement(text: string): boolean {
  try {
    parseTrustStatement(text);
    globalThis.localStorage?.setItem(STORAGE_KEY, text.trim());
    return globalThis.localStorage !== undefined;
  } catch {
    return false;
  }
}

/** Forgets the remembered statement. */
export function forgetStatement(): void {
  try {
    globalThis.localStorage?.removeItem(STORAGE_KEY);
  } catch {
    // Storage refused: nothing was remembered.
  }
}
