/**
 * Small pieces every screen uses: error messages, loading, times, sizes, pages of a list, form
 * fields, the busy state of a form's request, downloads.
 */
import {
  type InputHTMLAttributes,
  type ReactNode,
  useCallback,
  useEffect,
  useRef,
  useState,
} from 'react';
import { useTranslation } from 'react-i18next';
import { StatementError } from '../../src/books/import/errors.js';
import { API_LIMITS } from '../../src/server/app/api.js';
import { formatBytes, formatIsoTime, formatNumber, formatUnixTime } from '../i18n/format.js';
import { useLang } from '../shared/use-lang.js';
import { ApiFailure, type Download } from './api.js';
import { errorText } from './error-text.js';
import { useSession } from './session.js';

/**
 * Returns the sentence that says what went wrong and what to do, in the page's language: from
 * the error's code and params (error-text.ts), for a failed request or an error of the books'
 * readers raised in the page.
 */
export function useErrorText(): (error: unknown) => string {
  const { t, i18n } = useTranslation('errors');
  return useCallback(
    (error: unknown) => {
      if (error instanceof ApiFailure) {
        return errorText(i18n, {
          code: error.code,
          key: error.key,
          params: error.params,
          message: error.message,
          status: error.status,
        });
      }
      if (error instanceof StatementError) {
        return errorText(i18n, {
          code: error.code,
          params: { ...error.params, ...(error.line === null ? {} : { line: error.line }) },
          message: error.message,
        });
      }
      return t('unexpected', { message: error instanceof Error ? error.message : String(error) });
    },
    [t, i18n],
  );
}

/** An error, said plainly; nothing when `error` is null. */
export function ErrorMessage({ error }: { error: unknown }) {
  const text = useErrorText();
  const { refresh } = useSession();
  const signedOut = error instanceof ApiFailure && error.status === 401;
  useEffect(() => {
    // The session ended: asking for the state again shows the sign-in page.
    if (signedOut) void refresh().catch(() => {});
  }, [signedOut, refresh]);
  if (error === null || error === undefined) return null;
  return (
    <p className="banner bad error" role="alert" data-testid="error">
      {text(error)}
    </p>
  );
}

export function Loading() {
  const { t } = useTranslation('app');
  return (
    <p className="loading" aria-busy="true">
      {t('common.loading')}
    </p>
  );
}

/** An RFC 3339 time, in the page's language, in UTC. */
export function Time({ iso }: { iso: string | null }) {
  const lang = useLang();
  const { t } = useTranslation('app');
  if (iso === null) return <>{t('common.never')}</>;
  return <time dateTime={iso}>{formatIsoTime(iso, lang)}</time>;
}

/** A POSIX time in seconds, in the page's language, in UTC. */
export function UnixTime({ seconds }: { seconds: number | null }) {
  const lang = useLang();
  const { t } = useTranslation('app');
  if (seconds === null) return <>{t('common.never')}</>;
  return (
    <time dateTime={new Date(seconds * 1000).toISOString()}>{formatUnixTime(seconds, lang)}</time>
  );
}

export function Bytes({ n }: { n: number }) {
  return <>{formatBytes(n, useLang())}</>;
}

export function Num({ n }: { n: number }) {
  return <>{formatNumber(n, useLang())}</>;
}

/** The state of a request a screen makes when it opens, with a way to make it again. */
export interface Loaded<T> {
  readonly data: T | null;
  readonly error: unknown;
  readonly loading: boolean;
  readonly reload: () => void;
}

/** Runs `load` now and whenever `deps` change, keeping only the latest answer. */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `deps` are the caller's.
  useEffect(() => {
    const n = ++latest.current;
    setLoading(true);
    load().then(
      (d) => {
        if (n !== latest.current) return;
        setData(d);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        if (n !== latest.current) return;
        setError(e);
        setLoading(false);
      },
    );
  }, [...deps, tick]);
  return { data, error, loading, reload: () => setTick((x) => x + 1) };
}

/** Previous and next page of a list of `total` items, `limit` at a time from `offset`. */
export function Pager({
  total,
  offset,
  limit,
  onPage,
}: {
  total: number;
  offset: number;
  limit: number;
  onPage: (offset: number) => void;
}) {
  const { t } = useTranslation('app');
  const lang = useLang();
  if (total <= limit && offset === 0) return null;
  return (
    <nav className="pager" aria-label={t('common.pages')}>
      <button
        type="button"
        disabled={offset === 0}
        onClick={() => onPage(Math.max(0, offset - limit))}
      >
        {t('common.previous')}
      </button>
      <span>
        {t('common.range', {
          from: formatNumber(Math.min(total, offset + 1), lang),
          to: formatNumber(Math.min(total, offset + limit), lang),
          total: formatNumber(total, lang),
        })}
      </span>
      <button
        type="button"
        disabled={offset + limit >= total}
        onClick={() => onPage(offset + limit)}
      >
        {t('common.next')}
      </button>
    </nav>
  );
}

/** A titled block of a screen. */
export function Panel({
  title,
  children,
  testId,
}: {
  title: ReactNode;
  children: ReactNode;
  testId?: string;
}) {
  return (
    <section className="panel" data-testid={testId}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** The new-password field and its repetition, as every screen that sets a password asks them. */
export function NewPasswordFields(props: {
  password: string;
  repeat: string;
  onPassword: (value: string) => void;
  onRepeat: (value: string) => void;
}) {
  const { t } = useTranslation();
  return (
    <>
      <label>
        {t('form.newPassword', { min: API_LIMITS.minPassword })}
        <input
          type="password"
          name="password"
          autoComplete="new-password"
          required
          value={props.password}
          onChange={(e) => props.onPassword(e.currentTarget.value)}
        />
      </label>
      <label>
        {t('form.repeatPassword')}
        <input
          type="password"
          name="password2"
          autoComplete="new-password"
          required
          value={props.repeat}
          onChange={(e) => props.onRepeat(e.currentTarget.value)}
        />
      </label>
    </>
  );
}

/** The state of a request a form makes on the reader's word: whether it runs, how it failed. */
export interface Action {
  readonly busy: boolean;
  readonly error: unknown;
  /** Runs `request`, busy until it settles; what it throws becomes `error`. */
  readonly run: (request: () => Promise<void>) => Promise<void>;
}

/** Returns an {@link Action}: one request at a time, its failure kept to show. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (request: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await request();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

/**
 * A labelled input (text unless `type` says otherwise) that hands its new value to `onChange`;
 * `children` (help, problems) stand below it. Other props go to the input as they are.
 */
export function Field({
  label,
  value,
  onChange,
  className,
  children,
  type = 'text',
  ...input
}: Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'className' | 'children'> & {
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  className?: string;
  children?: ReactNode;
}) {
  return (
    <label className={className}>
      {label}
      <input
        type={type}
        {...input}
        value={value}
        onChange={(e) => onChange(e.currentTarget.value)}
      />
      {children}
    </label>
  );
}

/**
 * A labelled select of `options`, each shown as `optionLabel` says; with `empty`, a first choice
 * of the value `''` (then `T` includes `''`). `children` stand below the select.
 */
export function SelectField<T extends string>({
  label,
  name,
  value,
  options,
  optionLabel,
  onChange,
  empty,
  disabled,
  children,
}: {
  label: ReactNode;
  name: string;
  value: T;
  options: readonly T[];
  optionLabel: (option: T) => string;
  onChange: (value: T) => void;
  empty?: string;
  disabled?: boolean;
  children?: ReactNode;
}) {
  return (
    <label>
      {label}
      <select
        name={name}
        value={value}
        disabled={disabled}
        onChange={(e) => onChange(e.currentTarget.value as T)}
      >
        {empty !== undefined && <option value="">{empty}</option>}
        {options.map((o) => (
          <option key={o} value={o}>
            {optionLabel(o)}
          </option>
        ))}
      </select>
      {children}
    </label>
  );
}

/** The "from" and "to" date fields of a period, as filters and forms ask them. */
export function PeriodFields({
  labels,
  from,
  to,
  onFrom,
  onTo,
}: {
  labels: { from: string; to: string };
  from: string;
  to: string;
  onFrom: (date: string) => void;
  onTo: (date: string) => void;
}) {
  return (
    <>
      <Field type="date" label={labels.from} name="from" value={from} onChange={onFrom} />
      <Field type="date" label={labels.to} name="to" value={to} onChange={onTo} />
    </>
  );
}

/** A filter form's free-text search field, the widest of the bar. */
export function SearchField({
  label,
  maxLength,
  value,
  onChange,
}: {
  label: string;
  maxLength: number;
  value: string;
  onChange: (text: string) => void;
}) {
  return (
    <Field
      type="search"
      className="wide"
      label={label}
      name="text"
      maxLength={maxLength}
      value={value}
      onChange={onChange}
    />
  );
}

/** A filter form's buttons: search (submits the form) and clear. */
export function FilterButtons({
  search,
  clear,
  onClear,
}: {
  search: string;
  clear: string;
  onClear: () => void;
}) {
  return (
    <div className="buttons">
      <button type="submit" className="primary">
        {search}
      </button>
      <button type="button" onClick={onClear}>
        {clear}
      </button>
    </div>
  );
}

/** A table that scrolls sideways on a narrow screen: `head` is the cells of its heading row. */
export function ScrollTable({
  head,
  children,
  className,
  testId,
}: {
  head: ReactNode;
  children: ReactNode;
  className?: string;
  testId?: string;
}) {
  return (
    <div className="table-scroll">
      <table className={className} data-testid={testId}>
        <thead>
          <tr>{head}</tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

/** Saves a downloaded file as the browser saves any download. */
export function saveDownload({ blob, filename }: Download): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
