/**
 * A verdict in plain words, line by line, for a terminal or a printed report. Each check is
 * one line marked ✓ (held), ✗ (failed) or · (noted); failures are listed again at the end,
 * each saying which record and which check.
 */
import { printable } from '../records/printable.js';
import type { GivenVerdict, Outcome } from './given-files.js';
import { type Language, type Message, renderMessage } from './messages.js';
import type { Check, EvidenceVerdict, Problem } from './verdict.js';

const OK = '✓';
const FAILED = '✗';
const NOTE = '·';

/** Files handed over with a bundle, and the one verdict on both (`outcomeOf`). */
export interface GivenReport {
  readonly outcome: Outcome;
  readonly files: readonly GivenVerdict[];
}

/**
 * Returns the lines of a plain-language report on `verdict`, in `lang`. With `given`, its
 * outcome is the first line, and each file handed over follows, by the rule the offline
 * verifier page shows them with (src/evidence/given-files.ts).
 */
export function describeVerdict(
  verdict: EvidenceVerdict,
  lang: Language = 'en',
  given?: GivenReport,
): string[] {
  // Parameters come from the bundle, which anyone can write: no line break or control character
  // of theirs may start a line of its own or drive the terminal (src/records/printable.ts).
  const say = (m: Message) => printable(renderMessage(m, lang));
  const heading = (key: Message['key'], params: Message['params'] = {}) => say({ key, params });
  const check = (c: Check) => `  ${c.ok ? OK : FAILED} ${say(c.message)}`;
  const note = (m: Message) => `  ${NOTE} ${say(m)}`;

  const lines = [say(given?.outcome.summary ?? verdict.summary)];
  if (given !== undefined && given.files.length > 0) {
    lines.push('', heading('heading.given'));
    for (const g of given.files) {
      const mark = g.status === 'disclosed' ? OK : FAILED;
      lines.push(`  ${mark} ${printable(g.path)}: ${say(g.message)}`);
    }
  }
  lines.push('', heading('heading.trust'));
  for (const m of verdict.trust) lines.push(note(m));

  const cp = verdict.checkpoint;
  lines.push('', heading('heading.checkpoint'), check(cp.read));
  if (cp.read.ok) lines.push(check(cp.logSignature));
  for (const w of cp.witnesses) {
    const mark = w.status === 'cosigned' ? OK : w.status === 'invalid' ? FAILED : NOTE;
    lines.push(`  ${mark} ${say(w.message)}`);
  }
  for (const u of cp.unknownSigners) lines.push(note(u.message));
  if (cp.read.ok) lines.push(check({ ok: cp.quorum.met, message: cp.quorum.message }));

  for (const r of verdict.records) {
    lines.push(
      '',
      heading('heading.record', {
        number: r.position + 1,
        kind: r.kind ?? '?',
        id: r.id ?? '?',
        index: r.index,
      }),
      check(r.wellFormed),
      check(r.committed),
    );
    if (r.included.message.key === 'record.inclusion-unchecked')
      lines.push(note(r.included.message));
    else lines.push(check(r.included));
    for (const f of r.files) {
      const mark = f.status === 'match' ? OK : f.status === 'mismatch' ? FAILED : NOTE;
      lines.push(`  ${mark} ${say(f.message)}`);
    }
  }

  lines.push('', heading('heading.time'));
  for (const m of verdict.time) lines.push(note(m));

  if (verdict.problems.length > 0) {
    lines.push('', heading('heading.problems'));
    verdict.problems.forEach((p, i) => {
      lines.push(`  ${i + 1}. ${say(subject(p))}: ${say(p.message)}`);
    });
  }
  return lines;
}

function subject(p: Problem): Message {
  if (p.record === null) return { key: 'subject.checkpoint', params: {} };
  return { key: 'subject.record', params: { number: p.record + 1, id: p.id ?? '?' } };
}
