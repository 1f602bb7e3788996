/**
 * The verdict on an evidence bundle, for a person: first whether it holds and since when, then
 * each record (what it says, its files, its checks), the files handed over, where the keys came
 * from, and the checkpoint in detail. Every sentence of the verdict is a message key rendered in
 * the page's language (web/i18n/evidence.ts).
 */
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { Check, Message, RecordVerdict } from '../../src/evidence/index.js';
import { renderEvidenceMessage } from '../i18n/evidence.js';
import { formatBytes, formatIsoTime, formatList, formatUnixTime } from '../i18n/format.js';
import type { Lang } from '../i18n/languages.js';
import type { BundleCheck } from './check.js';
import { useLang } from './use-lang.js';

const HELD = '✓';
const FAILED = '✗';
const NOTED = '·';

function Mark({ ok, note = false }: { ok: boolean; note?: boolean }) {
  const { t } = useTranslation('verifier');
  const label = note ? t('mark.noted') : ok ? t('mark.held') : t('mark.failed');
  return (
    <span className={`mark ${note ? 'note' : ok ? 'ok' : 'bad'}`} role="img" aria-label={label}>
      {note ? NOTED : ok ? HELD : FAILED}
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

/** The verdict on a bundle and on the files handed over with it. */
export function VerdictView({ check }: { check: BundleCheck }) {
  const { t } = useTranslation('verifier');
  const lang = useLang();
  const { verdict, bundle } = check;
  const cp = verdict.checkpoint;
  const witnesses = cp.cosignatures.map((c) => c.witness);
  const givenProblems = check.given.filter((g) => g.status !== 'disclosed');

  return (
    <div className="verdict" data-testid="verdict" data-ok={check.ok ? 'true' : 'false'}>
      <section className={`banner ${check.ok ? 'ok' : 'bad'}`} aria-live="polite">
        <h2>
          <Mark ok={check.ok} /> {check.ok ? t('result.verified') : t('result.notVerified')}
        </h2>
        <p>
          <Say m={verdict.summary} />
        </p>
        {givenProblems.length > 0 && (
          <p>{t('result.givenProblems', { count: givenProblems.length })}</p>
        )}
        {verdict.provenNoLaterThan !== null ? (
          <p className="proven" data-testid="proven">
            {t('result.provenBy', {
              time: formatUnixTime(verdict.provenNoLaterThan, lang),
              witnesses: formatList(witnesses, lang),
              count: witnesses.length,
            })}
          </p>
        ) : (
          <p className="proven">{t('result.noTime')}</p>
        )}
        {cp.read.ok && (
          <p data-testid="quorum">
            {t(cp.quorum.met ? 'result.quorumMet' : 'result.quorumNotMet', {
              valid: cp.quorum.valid,
              count: cp.witnesses.length,
              required: cp.quorum.required,
            })}
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
          <RecordCard key={r.position} verdict={r} record={bundle.records[r.position]?.record} />
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
        {t('result.bundleInfo', {
          created: formatIsoTime(bundle.created, lang),
          generator: bundle.generator,
        })}
      </p>
    </div>
  );
}

function GivenFiles({ check }: { check: BundleCheck }) {
  const { t } = useTranslation('verifier');
  const lang = useLang();
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
              className={g.status === 'disclosed' ? 'ok' : 'bad'}
              data-testid="given-file"
            >
              <td>
                <span className="path">{g.path}</span>
                <br />
                <small>
                  {formatBytes(g.digest.size, lang)} · <code>{g.digest.sha256}</code>
                </small>
              </td>
              <td>
                <Mark ok={g.status === 'disclosed'} /> {t(`given.${g.status}`)}
                {g.expected !== null && (
                  <>
                    <br />
                    <small>
                      {t('given.expected', { name: g.expected.name, sha256: g.expected.sha256 })}
                    </small>
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
  record,
}: {
  verdict: RecordVerdict;
  record: Readonly<Record<string, unknown>> | undefined;
}) {
  const { t } = useTranslation(['verifier', 'common']);
  const lang = useLang();
  const kind = r.kind ?? '?';
  const kindLabel = t(`common:kind.${kind}`, { defaultValue: kind });
  const str = (v: unknown) => (typeof v === 'string' ? v : '');
  return (
    <article className={`record ${r.ok ? 'ok' : 'bad'}`} data-testid="record">
      <h4>
        <Mark ok={r.ok} />{' '}
        {t('result.recordHeading', { number: r.position + 1, kind: kindLabel, index: r.index })}
      </h4>
      <p className="record-status">{r.ok ? t('result.recordOk') : t('result.recordBad')}</p>
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
        <dd>{formatIsoTime(str(record?.created), lang)}</dd>
        <dt>{t('common:record.author')}</dt>
        <dd>{str(record?.author)}</dd>
        <BodyFields body={record?.body} />
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

/** The fields of a record's body, labelled in the page's language where a label is known. */
export function BodyFields({ body }: { body: unknown }): ReactNode {
  const { t } = useTranslation('common');
  const lang = useLang();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  return Object.entries(body as Record<string, unknown>).map(([key, value]) => (
    <BodyField
      key={key}
      label={t(`field.${key}`, { defaultValue: key })}
      value={value}
      lang={lang}
    />
  ));
}

function BodyField({ label, value, lang }: { label: string; value: unknown; lang: Lang }) {
  let shown: ReactNode;
  if (typeof value === 'string') {
    shown = /^\d{4}-\d{2}-\d{2}(T[\d:.]+Z)?$/.test(value) ? formatIsoTime(value, lang) : value;
  } else if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    shown = value.join(', ');
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    shown = (
      <dl className="meta">
        {entries.map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
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
