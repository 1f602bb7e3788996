/**
 * The verdict on an evidence bundle, for a person: first the outcome in one of three words —
 * verified (green, and since when), unconfirmed (amber: every check held, but under keys the
 * bundle brought, which anyone can make; no date, and the keys' fingerprint to compare with the
 * union's), not verified (red) — then each record (what it says, its files, its checks), the
 * files handed over, where the keys came from, and the checkpoint in detail. Every sentence of
 * the verdict is a message key rendered in the page's language (web/i18n/evidence.ts).
 *
 * A date is written only where keys the person trusts prove it: a record's or a bundle's own
 * date is anyone's claim until then, and is not shown.
 */
import { Fragment, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type {
  Check,
  EvidenceVerdict,
  Message,
  RecordVerdict,
  VerdictStatus,
} from '../../src/evidence/index.js';
import { renderEvidenceMessage } from '../i18n/evidence.js';
import { formatBytes, formatIsoTime, formatList, formatUnixTime } from '../i18n/format.js';
import type { Lang } from '../i18n/languages.js';
import type { BundleCheck } from './check.js';
import { useLang } from './use-lang.js';

type MarkState = 'ok' | 'bad' | 'note' | 'warn';

const SYMBOL: Readonly<Record<MarkState, string>> = { ok: '✓', bad: '✗', note: '·', warn: '!' };
const LABEL: Readonly<Record<MarkState, string>> = {
  ok: 'mark.held',
  bad: 'mark.failed',
  note: 'mark.noted',
  warn: 'mark.unconfirmed',
};

function Mark({
  ok,
  note = false,
  state,
}: {
  ok: boolean;
  note?: boolean;
  state?: MarkState | undefined;
}) {
  const { t } = useTranslation('verifier');
  const s: MarkState = state ?? (note ? 'note' : ok ? 'ok' : 'bad');
  return (
    <span className={`mark ${s}`} role="img" aria-label={t(LABEL[s])}>
      {SYMBOL[s]}
    </span>
  );
}

function Say({ m }: { m: Message }) {
  const { t } = useTranslation('common');
  const lang = useLang();
  const kind = (k: string) => t(`kind.${k}`, { defaultValue: k });
  return <>{renderEvidenceMessage(m, lang, kind)}</>;
}

function CheckLine({ check, note = false }: { check: Check; note?: boolean }) {
  return (
    <li>
      <Mark ok={check.ok} note={note} /> <Say m={check.message} />
    </li>
  );
}

/** A fingerprint, its six groups of digits kept apart so that they are read and compared. */
export function Fingerprint({ digits, testId }: { digits: string; testId?: string }) {
  const groups = digits.split(/\s+/).filter((g) => g !== '');
  return (
    <span className="fingerprint" data-testid={testId}>
      {groups.map((g, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: the groups are positions, never reordered.
        <Fragment key={i}>
          {i > 0 && ' '}
          <span>{g}</span>
        </Fragment>
      ))}
    </span>
  );
}

/** The class and heading of each outcome. */
const OUTCOME: Readonly<Record<VerdictStatus, { banner: string; title: string; mark: MarkState }>> =
  {
    verified: { banner: 'ok', title: 'result.verified', mark: 'ok' },
    unconfirmed: { banner: 'unconfirmed', title: 'result.unconfirmed', mark: 'warn' },
    failed: { banner: 'bad', title: 'result.notVerified', mark: 'bad' },
  };

/**
 * True when what a record says, dates included, is proven: it verified, under keys the person
 * gave, in a checkpoint that verified under them.
 */
function provenRecord(verdict: EvidenceVerdict, r: RecordVerdict): boolean {
  return r.ok && verdict.trustedFingerprint !== null && verdict.checkpoint.ok;
}

/** The verdict on a bundle and on the files handed over with it. */
export function VerdictView({ check }: { check: BundleCheck }) {
  const { t } = useTranslation('verifier');
  const lang = useLang();
  const { verdict, bundle, status } = check;
  const cp = verdict.checkpoint;
  const outcome = OUTCOME[status];
  const witnesses = cp.cosignatures.map((c) => c.witness);

  return (
    <div
      className="verdict"
      data-testid="verdict"
      data-ok={check.ok ? 'true' : 'false'}
      data-status={status}
    >
      <section className={`banner ${outcome.banner}`} aria-live="polite">
        <h2>
          <Mark ok={check.ok} state={outcome.mark} /> {t(outcome.title)}
        </h2>
        {/* The one verdict, files given included (outcomeOf): never at odds with the title. */}
        <p data-testid="summary">
          <Say m={check.summary} />
        </p>
        {status === 'unconfirmed' && (
          <div className="fingerprint-box">
            <p>{t('result.fingerprintTitle')}</p>
            <p className="fingerprint-big">
              <Fingerprint digits={verdict.fingerprint} testId="bundle-fingerprint" />
            </p>
            <p>{t('result.fingerprintCompare')}</p>
          </div>
        )}
        {status === 'verified' &&
          (verdict.provenNoLaterThan !== null ? (
            <p className="proven" data-testid="proven">
              {t('result.provenBy', {
                time: formatUnixTime(verdict.provenNoLaterThan, lang),
                witnesses: formatList(witnesses, lang),
                count: witnesses.length,
              })}
            </p>
          ) : (
            <p className="proven">{t('result.noTime')}</p>
          ))}
        {/* Records that verified under trusted keys show their dates below, even when a file
            given fails the whole; only a bundle that did not verify shows none. */}
        {verdict.status !== 'verified' && <p className="proven">{t('result.undated')}</p>}
        {cp.read.ok && status !== 'unconfirmed' && (
          <p data-testid="quorum">
            {t(cp.quorum.met ? 'result.quorumMet' : 'result.quorumNotMet', {
              valid: cp.quorum.valid,
              count: cp.witnesses.length,
              required: cp.quorum.required,
            })}
          </p>
        )}
        {cp.unknownSigners.length > 0 && (
          <ul className="checks" data-testid="unknown-witnesses">
            {cp.unknownSigners.map((u) => (
              <li key={u.keyId + u.name}>
                <Mark ok={false} state="warn" />{' '}
                {t('result.unknownWitness', { name: u.name, keyId: u.keyId })}
              </li>
            ))}
          </ul>
        )}
        {verdict.trustedFingerprint !== null && (
          <p data-testid="trusted-fingerprint">
            {t('result.checkedUnder')} <Fingerprint digits={verdict.trustedFingerprint} />
            {'. '}
            {t('trust.compare')}
          </p>
        )}
        {verdict.trustedFingerprint !== null &&
          verdict.fingerprint !== verdict.trustedFingerprint && (
            <p data-testid="fingerprint-differs">
              {t('result.fingerprintDiffers')} <Fingerprint digits={verdict.fingerprint} />
            </p>
          )}
        <button type="button" className="no-print" onClick={() => window.print()}>
          {t('actions.print')}
        </button>
      </section>

      {check.given.length > 0 && <GivenFiles check={check} />}

      <section>
        <h3>{t('result.records', { count: verdict.records.length })}</h3>
        {verdict.records.map((r) => (
          <RecordCard
            key={r.position}
            verdict={r}
            proven={provenRecord(verdict, r)}
            record={bundle.records[r.position]?.record}
          />
        ))}
      </section>

      <section className="trust">
        <h3>{t('result.keys')}</h3>
        <ul className="checks">
          {verdict.trust.map((m) => (
            <li key={m.key}>
              <Mark ok note /> <Say m={m} />
            </li>
          ))}
        </ul>
        <dl>
          <dt>{t('result.logKey')}</dt>
          <dd>
            <code>{bundle.log.verifierKey}</code>
          </dd>
          <dt>{t('result.witnessKeys', { quorum: bundle.witnesses.quorum })}</dt>
          {bundle.witnesses.verifierKeys.map((k) => (
            <dd key={k}>
              <code>{k}</code>
            </dd>
          ))}
        </dl>
      </section>

      <section>
        <h3>{t('result.time')}</h3>
        <ul className="checks">
          {verdict.time.map((m) => (
            <li key={m.key}>
              <Mark ok note /> <Say m={m} />
            </li>
          ))}
        </ul>
      </section>

      <details className="checkpoint">
        <summary>{t('result.checkpoint')}</summary>
        <ul className="checks">
          <CheckLine check={cp.read} />
          {cp.read.ok && <CheckLine check={cp.logSignature} />}
          {cp.witnesses.map((w) => (
            <li key={w.keyId + w.witness}>
              <Mark
                ok={w.status === 'cosigned'}
                note={w.status !== 'cosigned' && w.status !== 'invalid'}
              />{' '}
              <Say m={w.message} />
            </li>
          ))}
          {cp.unknownSigners.map((u) => (
            <li key={`unknown ${u.keyId} ${u.name}`}>
              <Mark ok={false} note /> <Say m={u.message} />
            </li>
          ))}
          {cp.read.ok && <CheckLine check={{ ok: cp.quorum.met, message: cp.quorum.message }} />}
        </ul>
        <pre className="note-text">{bundle.checkpoint}</pre>
      </details>

      {verdict.problems.length > 0 && (
        <section className="problems">
          <h3>{t('result.problems')}</h3>
          <ol>
            {verdict.problems.map((p, i) => (
              // Problems have no identity beyond their order.
              // biome-ignore lint/suspicious/noArrayIndexKey: the list never reorders.
              <li key={i}>
                {p.record === null
                  ? t('result.problemCheckpoint')
                  : t('result.problemRecord', { number: p.record + 1, id: p.id ?? '?' })}
                {': '}
                <Say m={p.message} />
              </li>
            ))}
          </ol>
        </section>
      )}
      <p className="generated">
        {status === 'verified'
          ? t('result.bundleInfo', {
              created: formatIsoTime(bundle.created, lang),
              generator: bundle.generator,
            })
          : t('result.bundleInfoUndated', { generator: bundle.generator })}
      </p>
    </div>
  );
}

function GivenFiles({ check }: { check: BundleCheck }) {
  const { t } = useTranslation('verifier');
  const lang = useLang();
  // A file is proven when a proven record names it; matching a record that is not proven, it
  // matches the bundle, and that proves no more than the bundle does.
  const proven = new Set(
    check.verdict.records
      .filter((r) => provenRecord(check.verdict, r))
      .flatMap((r) => r.files.filter((f) => f.status === 'match').map((f) => f.sha256)),
  );
  return (
    <section className="given">
      <h3>{t('given.title', { count: check.given.length })}</h3>
      <table>
        <thead>
          <tr>
            <th>{t('given.file')}</th>
            <th>{t('given.status')}</th>
          </tr>
        </thead>
        <tbody>
          {check.given.map((g) => (
            <tr
              key={g.path}
              className={
                g.status !== 'disclosed' ? 'bad' : proven.has(g.digest.sha256) ? 'ok' : 'note'
              }
              data-testid="given-file"
              data-status={g.status}
            >
              <td>
                <span className="path">{g.path}</span>
                <br />
                <small>
                  {formatBytes(g.digest.size, lang)} · <code>{g.digest.sha256}</code>
                </small>
              </td>
              <td data-testid="given-message">
                {/* The words of tamga check-evidence: the shared rule's message. */}
                <Mark
                  ok={g.status === 'disclosed'}
                  state={
                    g.status === 'disclosed' && !proven.has(g.digest.sha256) ? 'warn' : undefined
                  }
                />{' '}
                <Say m={g.message} />
                {g.status === 'disclosed' && !proven.has(g.digest.sha256) && (
                  <>
                    <br />
                    <small>{t('given.matchesBundle')}</small>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function RecordCard({
  verdict: r,
  proven,
  record,
}: {
  verdict: RecordVerdict;
  /** Its dates may be shown: see `provenRecord`. */
  proven: boolean;
  record: Readonly<Record<string, unknown>> | undefined;
}) {
  const { t } = useTranslation(['verifier', 'common']);
  const lang = useLang();
  const kind = r.kind ?? '?';
  const kindLabel = t(`common:kind.${kind}`, { defaultValue: kind });
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  const state = !r.ok ? 'bad' : proven ? 'ok' : 'unconfirmed';
  return (
    <article className={`record ${state}`} data-testid="record" data-status={state}>
      <h4>
        <Mark ok={r.ok} state={state === 'unconfirmed' ? 'warn' : undefined} />{' '}
        {t('result.recordHeading', { number: r.position + 1, kind: kindLabel, index: r.index })}
      </h4>
      <p className="record-status">
        {state === 'ok'
          ? t('result.recordOk')
          : state === 'unconfirmed'
            ? t('result.recordUnconfirmed')
            : t('result.recordBad')}
      </p>
      {r.provenNoLaterThan !== null && (
        <p className="proven">
          {t('result.recordProven', { time: formatUnixTime(r.provenNoLaterThan, lang) })}
        </p>
      )}
      <dl className="fields">
        <dt>{t('common:record.id')}</dt>
        <dd>
          <code>{r.id ?? '?'}</code>
        </dd>
        <dt>{t('common:record.created')}</dt>
        <dd>
          {proven ? formatIsoTime(str(record?.created), lang) : t('verifier:result.dateHidden')}
        </dd>
        <dt>{t('common:record.author')}</dt>
        <dd>{str(record?.author)}</dd>
        <BodyFields body={record?.body} hideDates={!proven} />
        {Array.isArray(record?.refs) && record.refs.length > 0 && (
          <>
            <dt>{t('common:record.refs')}</dt>
            <dd>
              <code>{(record.refs as unknown[]).map(String).join(', ')}</code>
            </dd>
          </>
        )}
      </dl>
      {r.files.length > 0 && (
        <table className="files">
          <thead>
            <tr>
              <th>{t('common:file.name')}</th>
              <th>{t('common:file.size')}</th>
              <th>{t('verifier:given.status')}</th>
            </tr>
          </thead>
          <tbody>
            {r.files.map((f) => (
              <tr
                key={f.sha256}
                className={f.status}
                data-testid="record-file"
                data-status={f.status}
              >
                <td>
                  <span className="path">{f.name}</span>
                  <br />
                  <small>
                    <code>{f.sha256}</code>
                  </small>
                </td>
                <td>{formatBytes(f.size, lang)}</td>
                <td>
                  <Mark ok={f.status === 'match'} note={f.status === 'not-provided'} />{' '}
                  {t(`verifier:fileStatus.${f.status}`)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <ul className="checks">
        <CheckLine check={r.wellFormed} />
        <CheckLine check={r.committed} />
        <CheckLine
          check={r.included}
          note={r.included.message.key === 'record.inclusion-unchecked'}
        />
        {r.files.map((f) => (
          <li key={f.sha256}>
            <Mark ok={f.status === 'match'} note={f.status === 'not-provided'} />{' '}
            <Say m={f.message} />
          </li>
        ))}
      </ul>
    </article>
  );
}

/**
 * The fields of a record's body, labelled in the page's language where a label is known. With
 * `hideDates`, a field that is a date says it is not shown: in a bundle that did not verify, a
 * date is anyone's claim.
 */
export function BodyFields({
  body,
  hideDates = false,
}: {
  body: unknown;
  hideDates?: boolean;
}): ReactNode {
  const { t } = useTranslation(['common', 'verifier']);
  const lang = useLang();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const hidden = hideDates ? t('verifier:result.dateHidden') : null;
  return Object.entries(body as Record<string, unknown>).map(([key, value]) => (
    <BodyField
      key={key}
      label={t(`common:field.${key}`, { defaultValue: key })}
      value={value}
      lang={lang}
      hidden={hidden}
    />
  ));
}

const DATE = /^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/;

function BodyField({
  label,
  value,
  lang,
  hidden,
}: {
  label: string;
  value: unknown;
  lang: Lang;
  /** What to show instead of a date, or null to show dates. */
  hidden: string | null;
}) {
  let shown: ReactNode;
  if (typeof value === 'string') {
    shown = DATE.test(value) ? (hidden ?? formatIsoTime(value, lang)) : value;
  } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    shown = value.join(', ');
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    shown = (
      <dl className="meta">
        {entries.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>
              {typeof v === 'string' ? (DATE.test(v) ? (hidden ?? v) : v) : JSON.stringify(v)}
            </dd>
          </div>
        ))}
      </dl>
    );
  } else {
    shown = <code>{JSON.stringify(value)}</code>;
  }
  const empty =
    shown === '' ||
    (Array.isArray(value) && value.length === 0) ||
    (typeof value === 'object' && value !== null && Object.keys(value).length === 0);
  if (empty) return null;
  return (
    <>
      <dt>{label}</dt>
      <dd>{shown}</dd>
    </>
  );
}
