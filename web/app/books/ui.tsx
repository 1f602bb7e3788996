/**
 * Pieces the books screens share: the account picker, amounts and dates in the reader's
 * language, record links, and the fields and buttons their forms repeat.
 */
import { type ReactNode, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { BOOKS_LIMITS, type BooksAccountView } from '../../../src/server/app/api-books.js';
import { formatDate, formatDecimal } from '../../i18n/format.js';
import { useLang } from '../../shared/use-lang.js';
import { Link } from '../router.js';
import { Bytes, ErrorMessage, PeriodFields, SelectField } from '../ui.js';
import { accountName, chartOrder, depthOf } from './chart.js';

/** The link to an entry's page. */
export function entryPath(id: string): string {
  return `/books/entries/${encodeURIComponent(id)}`;
}

/** The link to a record's page. */
export function recordPath(id: string): string {
  return `/records/${encodeURIComponent(id)}`;
}

/**
 * A select of the chart's accounts in tree order, named in the reader's language. With
 * `currency`, only accounts in that currency (a posting must be in its account's currency).
 * Closed accounts are left out, except the one already chosen. `extra` paths not in the chart
 * (an account an import will add) are offered too.
 */
export function AccountSelect({
  accounts,
  value,
  onChange,
  currency,
  empty,
  extra = [],
  name,
  testId,
  label,
  required,
}: {
  accounts: readonly BooksAccountView[];
  value: string;
  onChange: (path: string, account: BooksAccountView | undefined) => void;
  currency?: string | undefined;
  /** The text of the "no account" choice; without it, there is none. */
  empty?: string;
  extra?: readonly string[];
  name?: string;
  testId?: string;
  label?: string;
  required?: boolean;
}) {
  const lang = useLang();
  const shown = chartOrder(
    accounts.filter(
      (a) =>
        a.path === value ||
        (!a.closed && (currency === undefined || currency === '' || a.currency === currency)),
    ),
  );
  const known = new Set(shown.map((a) => a.path));
  const others = [...new Set([...extra, value])].filter((p) => p !== '' && !known.has(p));
  return (
    <select
      name={name}
      value={value}
      data-testid={testId}
      aria-label={label}
      required={required}
      onChange={(e) => {
        const path = e.currentTarget.value;
        onChange(
          path,
          accounts.find((a) => a.path === path),
        );
      }}
    >
      {(empty !== undefined || value === '') && <option value="">{empty ?? ''}</option>}
      {shown.map((a) => (
        <option key={a.path} value={a.path}>
          {`${'\u00a0\u00a0'.repeat(depthOf(a.path))}${accountName(a, a.path, lang)}${
            currency === undefined || currency === '' ? ` · ${a.currency}` : ''
          }`}
        </option>
      ))}
      {others.map((p) => (
        <option key={p} value={p}>
          {p}
        </option>
      ))}
    </select>
  );
}

/** An account named in the reader's language, with its path below in small type. */
export function AccountLabel({
  path,
  accounts,
}: {
  path: string;
  accounts: ReadonlyMap<string, BooksAccountView>;
}) {
  const lang = useLang();
  const name = accountName(accounts.get(path), path, lang);
  return (
    <span className="account-label">
      {name}
      {name !== path && <small className="path">{path}</small>}
    </span>
  );
}

/** A decimal amount as the reader's language writes numbers, digit for digit. */
export function Amount({ value, currency }: { value: string; currency?: string | undefined }) {
  const lang = useLang();
  return (
    <span className={`amount${value.startsWith('-') ? ' negative' : ''}`}>
      {formatDecimal(value, lang)}
      {currency !== undefined && currency !== '' && <small> {currency}</small>}
    </span>
  );
}

/** A books date (`YYYY-MM-DD`) as the reader's language writes dates; other text as it is. */
export function BooksDate({ date }: { date: string }) {
  const lang = useLang();
  const shown = formatDate(date, lang);
  if (shown === date) return date;
  return <time dateTime={date}>{shown}</time>;
}

/** Record ids as links to their pages; past `max`, the rest behind a "more" toggle. */
export function RecordLinks({
  ids,
  max = 3,
  to = recordPath,
}: {
  ids: readonly string[];
  max?: number;
  to?: (id: string) => string;
}) {
  const { t } = useTranslation('app');
  const [all, setAll] = useState(false);
  if (ids.length === 0) return null;
  const shown = all ? ids : ids.slice(0, max);
  return (
    <span className="record-links">
      {shown.map((id) => (
        <Link key={id} to={to(id)} className="mono" data-testid="record-link">
          {id}
        </Link>
      ))}
      {ids.length > max && (
        <button type="button" className="link" onClick={() => setAll((a) => !a)}>
          {all ? t('books.common.fewer') : t('books.common.more', { count: ids.length - max })}
        </button>
      )}
    </span>
  );
}

/** Record ids typed into a field: separated by spaces, commas or lines. */
export function parseRecordIds(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).filter((s) => s !== ''))];
}

/** Today as `YYYY-MM-DD`, in the reader's own time zone (the date they would write). */
export function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The period fields of a books filter or form, under the books' own "from" and "to". */
export function BooksPeriodFields(props: {
  from: string;
  to: string;
  onFrom: (date: string) => void;
  onTo: (date: string) => void;
}) {
  const { t } = useTranslation('app');
  return (
    <PeriodFields labels={{ from: t('books.common.from'), to: t('books.common.to') }} {...props} />
  );
}

/** True when `file` is larger than the server reads a statement (or a presented ledger). */
export function statementTooLarge(file: File | null): boolean {
  return file !== null && file.size > BOOKS_LIMITS.maxStatementBytes;
}

/**
 * The statement file to send: its name and size once chosen, and a warning when it is larger
 * than the server reads.
 */
export function StatementFileField({
  label,
  file,
  onFile,
  testId,
}: {
  label: string;
  file: File | null;
  onFile: (file: File | null) => void;
  testId: string;
}) {
  const { t } = useTranslation('app');
  return (
    <>
      <label>
        {label}
        <input
          type="file"
          name="file"
          required
          data-testid={testId}
          onChange={(e) => onFile(e.currentTarget.files?.[0] ?? null)}
        />
        {file !== null && (
          <small>
            {file.name} · <Bytes n={file.size} />
          </small>
        )}
      </label>
      {statementTooLarge(file) && (
        <p className="banner bad">
          {t('books.import.tooLarge', { max: BOOKS_LIMITS.maxStatementBytes })}
        </p>
      )}
    </>
  );
}

/** The statement format to read the file as, or `''` to let the server tell by its contents. */
export function FormatField<F extends string>({
  formats,
  value,
  onChange,
}: {
  formats: readonly F[];
  value: F | '';
  onChange: (format: F | '') => void;
}) {
  const { t } = useTranslation('app');
  return (
    <SelectField<F | ''>
      label={t('books.import.format')}
      name="format"
      value={value}
      options={formats}
      optionLabel={(f) => t(`books.format.${f}`)}
      empty={t('books.import.formatAuto')}
      onChange={onChange}
    />
  );
}

/** The saved CSV column mapping to read the file with, or `''` for none. */
export function MappingField({
  names,
  value,
  onChange,
  children,
}: {
  names: readonly string[];
  value: string;
  onChange: (name: string) => void;
  children?: ReactNode;
}) {
  const { t } = useTranslation('app');
  return (
    <SelectField
      label={t('books.import.mapping')}
      name="mapping"
      value={value}
      options={names}
      optionLabel={(m) => m}
      empty={t('books.import.noMapping')}
      onChange={onChange}
    >
      {children}
    </SelectField>
  );
}

/**
 * The end of a form that seals: what went wrong, if anything, then the submit button ("Sealing…"
 * while `busy`), cancel when `onCancel` is given, and any further `children` buttons or links.
 */
export function SealButtons({
  label,
  busy,
  disabled = false,
  error,
  onCancel,
  testId,
  danger = false,
  children,
}: {
  label: string;
  busy: boolean;
  disabled?: boolean;
  error: unknown;
  onCancel?: (() => void) | undefined;
  testId?: string;
  danger?: boolean;
  children?: ReactNode;
}) {
  const { t } = useTranslation('app');
  return (
    <>
      <ErrorMessage error={error} />
      <div className="buttons">
        <button
          type="submit"
          className={danger ? 'danger' : 'primary'}
          disabled={busy || disabled}
          data-testid={testId}
        >
          {busy ? t('books.common.sealing') : label}
        </button>
        {onCancel !== undefined && (
          <button type="button" onClick={onCancel}>
            {t('books.common.cancel')}
          </button>
        )}
        {children}
      </div>
    </>
  );
}

/** Why an entry is corrected or voided: a required few lines, sealed with the correction. */
export function ReasonField({
  value,
  onChange,
  children,
}: {
  value: string;
  onChange: (reason: string) => void;
  children?: ReactNode;
}) {
  const { t } = useTranslation('app');
  return (
    <label>
      {t('books.entry.reason')}
      <textarea
        name="reason"
        rows={2}
        required
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
      />
      {children}
    </label>
  );
}
