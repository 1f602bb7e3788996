/**
 * A new CSV column mapping, made from the statement file chosen for import: the file is read in
 * the browser (its first SAMPLE_BYTES), its first lines are shown split as the mapping splits
 * them, and as the treasurer says how the bank writes its file and which column holds what, the
 * preview shows the lines the import will read, by the same pure code (csv-mapping.ts). Saving
 * seals the mapping under a name (POST booksMappings); the import then reads the file with it.
 */
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Column } from '../../../src/books/import/csv.js';
import type { StatementError } from '../../../src/books/import/errors.js';
import { booksMappingName } from '../../../src/server/app/api-books.js';
import { formatBytes } from '../../i18n/format.js';
import { useLang } from '../../shared/use-lang.js';
import { api } from '../api.js';
import { errorText } from '../error-text.js';
import { ErrorMessage, Field, Loading, ScrollTable, SelectField, useLoad } from '../ui.js';
import {
  COLUMN_ROLES,
  type ColumnRole,
  checkMapping,
  columnChoices,
  DATE_FORMATS,
  type DateFormat,
  DELIMITERS,
  type Delimiter,
  decodeSample,
  EMPTY_FORM,
  ENCODINGS,
  formOf,
  GROUP_SEPARATORS,
  type GroupSeparator,
  guessForm,
  type MappingForm,
  mappingJson,
  previewOf,
  SAMPLE_BYTES,
  sampleOf,
  splitRows,
  withDecimals,
  withHeader,
} from './csv-mapping.js';
import { Amount } from './ui.js';

/** Lines of the statement the preview shows. */
const PREVIEW_LINES = 10;

const DELIMITER_KEYS: Readonly<Record<Delimiter, string>> = {
  ';': 'semicolon',
  ',': 'comma',
  '\t': 'tab',
  '|': 'pipe',
};
const GROUP_KEYS: Readonly<Record<GroupSeparator, string>> = {
  '': 'none',
  ' \u00a0': 'space',
  "'": 'apostrophe',
  '.': 'point',
  ',': 'comma',
};
const DECIMAL_SEPARATORS = ['.', ','] as const;
const DECIMAL_KEYS: Readonly<Record<(typeof DECIMAL_SEPARATORS)[number], string>> = {
  '.': 'point',
  ',': 'comma',
};
const DATE_KEYS: Readonly<Record<DateFormat, string>> = {
  'YYYY-MM-DD': 'yearMonthDay',
  'DD.MM.YYYY': 'dayMonthYearDots',
  'DD/MM/YYYY': 'dayMonthYearSlashes',
  'MM/DD/YYYY': 'monthDayYearSlashes',
  'DD-MM-YYYY': 'dayMonthYearDashes',
  YYYYMMDD: 'yearMonthDayDigits',
};

/** A column as an option's value: `#3` (a position) or `=Дата` (a header name). */
function optionValue(c: Column | undefined): string {
  if (c === undefined) return '';
  return typeof c === 'number' ? `#${c}` : `=${c}`;
}

function columnOf(value: string): Column | undefined {
  if (value === '') return undefined;
  return value.startsWith('#') ? Number(value.slice(1)) : value.slice(1);
}

export function CsvMappingForm({
  file,
  onSaved,
  onCancel,
}: {
  file: File;
  /** Called with the name the mapping was saved under. */
  onSaved: (name: string) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation('app');
  const lang = useLang();
  const saved = useLoad(() => api.booksMappings(), []);
  const [sample, setSample] = useState<Uint8Array | null>(null);
  const [readError, setReadError] = useState<unknown>(null);
  const [form, setForm] = useState<MappingForm>(EMPTY_FORM);
  const [base, setBase] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    setSample(null);
    setReadError(null);
    file
      .slice(0, SAMPLE_BYTES)
      .arrayBuffer()
      .then(
        (buffer) => {
          if (!live) return;
          const s = sampleOf(new Uint8Array(buffer), file.size <= SAMPLE_BYTES);
          setSample(s);
          setForm(guessForm(s));
        },
        (e: unknown) => {
          if (live) setReadError(e);
        },
      );
    return () => {
      live = false;
    };
  }, [file]);

  const text = useMemo(
    () => (sample === null ? '' : decodeSample(sample, form.encoding)),
    [sample, form.encoding],
  );
  const split = useMemo(() => splitRows(text, form), [text, form]);
  const choices = useMemo(() => columnChoices(split, form), [split, form]);
  const checked = useMemo(() => checkMapping(form), [form]);
  const preview = useMemo(
    () =>
      sample === null || checked.mapping === undefined ? null : previewOf(sample, checked.mapping),
    [sample, checked],
  );
  const savedMappings = saved.data?.mappings ?? [];
  const nameOk = booksMappingName.safeParse(name).success;
  const replaces = savedMappings.some((m) => m.name === name);
  const ready = preview?.statement !== undefined && nameOk;

  const set = <K extends keyof MappingForm>(key: K, value: MappingForm[K]) =>
    setForm((f) => ({ ...f, [key]: value }));
  const setColumn = (role: ColumnRole, column: Column | undefined) =>
    setForm((f) => {
      const columns = { ...f.columns };
      if (column === undefined) delete columns[role];
      else columns[role] = column;
      return { ...f, columns };
    });
  const startFrom = (chosen: string) => {
    setBase(chosen);
    const m = savedMappings.find((x) => x.name === chosen);
    const f = m === undefined ? null : formOf(m.mapping);
    if (f !== null) {
      setForm(f);
      setName(chosen);
    }
  };
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.booksSaveMapping({ name, mapping: mappingJson(form) });
      onSaved(name);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  if (readError !== null) {
    return (
      <section className="mapping-editor" data-testid="mapping-editor">
        <h3>{t('books.mapping.title')}</h3>
        <p className="banner bad" role="alert">
          {t('books.mapping.unreadable', {
            message: readError instanceof Error ? readError.message : String(readError),
          })}
        </p>
      </section>
    );
  }
  if (sample === null) return <Loading />;

  const roles = COLUMN_ROLES.filter((r) =>
    form.amounts === 'signed' ? r !== 'debit' && r !== 'credit' : r !== 'amount',
  );
  // Which roles each position holds, to mark them above the rows.
  const rolesAt = new Map<number, ColumnRole[]>();
  for (const role of roles) {
    const c = form.columns[role];
    const position = choices.find((x) => x.column === c)?.position;
    if (position !== undefined) rolesAt.set(position, [...(rolesAt.get(position) ?? []), role]);
  }
  const statement = preview?.statement;
  const shown = statement?.lines.slice(0, PREVIEW_LINES) ?? [];

  return (
    <section className="mapping-editor" data-testid="mapping-editor">
      <h3>{t('books.mapping.title')}</h3>
      <p className="hint">{t('books.mapping.intro', { name: file.name })}</p>
      {savedMappings.length > 0 && (
        <label>
          {t('books.mapping.startFrom')}
          <select name="base" value={base} onChange={(e) => startFrom(e.currentTarget.value)}>
            <option value="">{t('books.mapping.startBlank')}</option>
            {savedMappings.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <fieldset>
        <legend>{t('books.mapping.fileLegend')}</legend>
        <div className="form-grid">
          <SelectField
            label={t('books.mapping.encoding')}
            name="encoding"
            value={form.encoding}
            options={ENCODINGS}
            optionLabel={(x) => t(`books.mapping.encodings.${x}`)}
            onChange={(x) => set('encoding', x)}
          />
          <SelectField
            label={t('books.mapping.delimiter')}
            name="delimiter"
            value={form.delimiter}
            options={DELIMITERS}
            optionLabel={(d) => t(`books.mapping.delimiters.${DELIMITER_KEYS[d]}`)}
            onChange={(d) => set('delimiter', d)}
          />
          <label>
            {t('books.mapping.skipLines')}
            <input
              type="number"
              name="skipLines"
              min={0}
              max={1000}
              value={form.skipLines}
              onChange={(e) => {
                const n = e.currentTarget.valueAsNumber;
                set('skipLines', Number.isInteger(n) && n >= 0 ? Math.min(n, 1000) : 0);
              }}
            />
            <small>{t('books.mapping.skipLinesHelp')}</small>
          </label>
          <label className="inline">
            <input
              type="checkbox"
              name="header"
              checked={form.header}
              onChange={(e) => setForm(withHeader(form, e.currentTarget.checked, split))}
            />
            {t('books.mapping.header')}
          </label>
          <SelectField
            label={t('books.mapping.decimalSeparator')}
            name="decimalSeparator"
            value={form.decimalSeparator}
            options={DECIMAL_SEPARATORS}
            optionLabel={(d) => t(`books.mapping.decimals.${DECIMAL_KEYS[d]}`)}
            onChange={(d) => set('decimalSeparator', d)}
          />
          <SelectField
            label={t('books.mapping.groupSeparator')}
            name="groupSeparator"
            value={form.groupSeparator}
            options={GROUP_SEPARATORS}
            optionLabel={(g) => t(`books.mapping.groups.${GROUP_KEYS[g]}`)}
            onChange={(g) => set('groupSeparator', g)}
          />
          <SelectField
            label={t('books.mapping.dateFormat')}
            name="dateFormat"
            value={form.dateFormat}
            options={DATE_FORMATS}
            optionLabel={(f) => t(`books.mapping.dateFormats.${DATE_KEYS[f]}`)}
            onChange={(f) => set('dateFormat', f)}
          />
        </div>
      </fieldset>

      <h4>{t('books.mapping.rowsTitle')}</h4>
      {split.error !== null ? (
        <Problem error={split.error} />
      ) : (
        <ScrollTable
          className="mapping-rows"
          testId="mapping-rows"
          head={
            <>
              <th>{t('books.import.line')}</th>
              {choices.map((c) => (
                <th key={c.position} className="nowrap">
                  {c.position}
                  {(rolesAt.get(c.position) ?? []).map((role) => (
                    <small key={role} className="mapping-role" data-role={role}>
                      {t(`books.mapping.role.${role}`)}
                    </small>
                  ))}
                </th>
              ))}
            </>
          }
        >
          {split.header !== null && (
            <tr className="mapping-header" data-testid="mapping-header">
              <td>{split.header.line}</td>
              {choices.map((c) => (
                <th key={c.position} scope="col">
                  {split.header?.fields[c.position - 1] ?? ''}
                </th>
              ))}
            </tr>
          )}
          {split.rows.map((r) => (
            <tr key={r.line} data-testid="mapping-row">
              <td>{r.line}</td>
              {choices.map((c) => (
                <td key={c.position}>{r.fields[c.position - 1] ?? ''}</td>
              ))}
            </tr>
          ))}
        </ScrollTable>
      )}

      <fieldset>
        <legend>{t('books.mapping.columnsLegend')}</legend>
        <div className="buttons" role="radiogroup" aria-label={t('books.mapping.amounts')}>
          {(['signed', 'split'] as const).map((a) => (
            <label key={a} className="inline">
              <input
                type="radio"
                name="amounts"
                value={a}
                checked={form.amounts === a}
                onChange={() => set('amounts', a)}
              />
              {t(`books.mapping.amountsKind.${a}`)}
            </label>
          ))}
        </div>
        <div className="form-grid">
          {roles.map((role) => {
            const current = form.columns[role];
            const known = current === undefined || choices.some((c) => c.column === current);
            return (
              <label key={role}>
                {t(`books.mapping.role.${role}`)}
                <select
                  name={`column-${role}`}
                  value={optionValue(current)}
                  onChange={(e) => setColumn(role, columnOf(e.currentTarget.value))}
                >
                  <option value="">{t('books.mapping.noColumn')}</option>
                  {choices.map((c) => (
                    <option key={c.position} value={optionValue(c.column)}>
                      {c.sample === '' ? `${c.position}` : `${c.position} · ${c.sample}`}
                    </option>
                  ))}
                  {!known && (
                    <option value={optionValue(current)}>
                      {t('books.mapping.notInFile', { column: String(current) })}
                    </option>
                  )}
                </select>
              </label>
            );
          })}
          {form.columns.account === undefined && (
            <Field
              label={t('books.mapping.account')}
              name="account"
              value={form.account}
              autoComplete="off"
              onChange={(a) => set('account', a)}
            >
              <small>{t('books.mapping.accountHelp')}</small>
            </Field>
          )}
          {form.columns.currency === undefined && (
            <Field
              label={t('books.mapping.currency')}
              name="currency"
              value={form.currency}
              maxLength={3}
              autoComplete="off"
              onChange={(c) => set('currency', c.toUpperCase())}
            >
              <small>{t('books.mapping.currencyHelp')}</small>
            </Field>
          )}
        </div>
        {form.amounts === 'signed' && (
          <label className="inline">
            <input
              type="checkbox"
              name="negateAmounts"
              checked={form.negateAmounts}
              onChange={(e) => set('negateAmounts', e.currentTarget.checked)}
            />
            {t('books.mapping.negate')}
          </label>
        )}
      </fieldset>

      <h4>{t('books.mapping.previewTitle')}</h4>
      {checked.error !== undefined && <Problem error={checked.error} />}
      {preview?.error !== undefined && <Problem error={preview.error} />}
      {statement !== undefined && (
        <div data-testid="mapping-preview">
          <p data-testid="mapping-preview-count">
            {shown.length < statement.lines.length
              ? `${t('books.mapping.readLines', { count: statement.lines.length })} ${t('books.mapping.firstShown', { shown: shown.length })}`
              : t('books.mapping.readLines', { count: statement.lines.length })}
          </p>
          {sample.length < file.size && (
            <p className="hint">
              {t('books.mapping.sampleCut', {
                size: formatBytes(sample.length, lang),
                total: formatBytes(file.size, lang),
              })}
            </p>
          )}
          <ScrollTable
            className="mapping-preview"
            head={
              <>
                <th>{t('books.import.line')}</th>
                <th>{t('books.column.date')}</th>
                <th className="num">{t('books.column.amount')}</th>
                <th>{t('books.column.counterparty')}</th>
                <th>{t('books.import.purpose')}</th>
                <th>{t('books.mapping.role.reference')}</th>
                <th>{t('books.mapping.role.account')}</th>
              </>
            }
          >
            {shown.map((l) => (
              <tr key={l.line} data-testid="mapping-preview-line" data-line={l.line}>
                <td>{l.line}</td>
                <td className="nowrap">{l.date}</td>
                <td className="num">
                  <Amount
                    value={withDecimals(l.amount, l.currency)}
                    currency={l.currency ?? undefined}
                  />
                </td>
                <td>{l.counterparty}</td>
                <td className="purpose">{l.purpose}</td>
                <td>{l.reference ?? ''}</td>
                <td className="mono">{l.bankAccount}</td>
              </tr>
            ))}
          </ScrollTable>
          {statement.balances.length > 0 && (
            <>
              <h5>{t('books.import.checks')}</h5>
              <ScrollTable
                testId="mapping-preview-balances"
                head={
                  <>
                    <th>{t('books.import.checkKind')}</th>
                    <th>{t('books.column.date')}</th>
                    <th>{t('books.mapping.role.account')}</th>
                    <th className="num">{t('books.column.amount')}</th>
                  </>
                }
              >
                {statement.balances.map((b) => (
                  <tr key={`${b.bankAccount}-${b.kind}`}>
                    <td>{t(`books.import.check.${b.kind}`)}</td>
                    <td className="nowrap">{b.date}</td>
                    <td className="mono">{b.bankAccount}</td>
                    <td className="num">
                      <Amount
                        value={withDecimals(b.amount, b.currency)}
                        currency={b.currency ?? undefined}
                      />
                    </td>
                  </tr>
                ))}
              </ScrollTable>
            </>
          )}
        </div>
      )}

      <div className="form-grid">
        <Field
          label={t('books.mapping.name')}
          name="mappingName"
          value={name}
          maxLength={100}
          autoComplete="off"
          onChange={setName}
        >
          <small className={name !== '' && !nameOk ? 'error-text' : undefined}>
            {name !== '' && !nameOk ? t('books.mapping.nameInvalid') : t('books.mapping.nameHelp')}
          </small>
        </Field>
      </div>
      {replaces && (
        <p className="banner warn" data-testid="mapping-replaces">
          {t('books.mapping.replaces', { name })}
        </p>
      )}
      <ErrorMessage error={error} />
      {preview?.statement === undefined && <p className="hint">{t('books.mapping.fixFirst')}</p>}
      <div className="buttons">
        <button
          type="button"
          className="primary"
          disabled={!ready || busy}
          onClick={() => void save()}
          data-testid="mapping-save"
        >
          {busy ? t('books.mapping.saving') : t('books.mapping.save')}
        </button>
        <button type="button" disabled={busy} onClick={onCancel} data-testid="mapping-cancel">
          {t('books.mapping.cancel')}
        </button>
      </div>
    </section>
  );
}

/** Why the file does not read with the mapping: a heading, then the reader's words, translated. */
function Problem({ error }: { error: StatementError }): ReactNode {
  const { t, i18n } = useTranslation('app');
  const heading =
    error.code === 'csv.mapping'
      ? t('books.mapping.incomplete')
      : error.line !== null
        ? t('books.mapping.problemAt', { line: error.line })
        : t('books.mapping.problem');
  return (
    <div
      className="banner bad"
      role="alert"
      data-testid="mapping-problem"
      data-code={error.code}
      data-line={error.line ?? undefined}
    >
      <p>
        <strong>{heading}</strong>
      </p>
      <p>
        {errorText(
          i18n,
          { code: error.code, params: error.params, message: error.message },
          { withLine: false },
        )}
      </p>
    </div>
  );
}
