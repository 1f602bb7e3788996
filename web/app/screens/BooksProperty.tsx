/**
 * The property register: each asset (land, a building, a sanatorium, a vehicle) with its
 * latest valuation, whom it was transferred to, whether it was disposed of, its title documents,
 * every event of its life and the corrections of them. With `seal`: register an asset, and seal
 * a valuation, transfer, disposal or update of one.
 */
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { isRecordId } from '../../../src/records/id.js';
import type {
  BooksAccountView,
  PropertyItemView,
  PropertyRequest,
} from '../../../src/server/app/api-books.js';
import { api } from '../api.js';
import { normaliseTyped } from '../books/money.js';
import {
  AccountSelect,
  Amount,
  BooksDate,
  parseRecordIds,
  RecordLinks,
  recordPath,
  today,
} from '../books/ui.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import { ErrorMessage, Loading, Panel, useLoad } from '../ui.js';

const EVENTS = ['valuation', 'transfer', 'disposal', 'update'] as const;
type EventKind = (typeof EVENTS)[number];
const CATEGORIES = ['land', 'building', 'sanatorium', 'vehicle', 'equipment', 'other'] as const;

export function BooksProperty() {
  const { t } = useTranslation('app');
  const { may } = useSession();
  const list = useLoad(() => api.booksProperty(), []);
  const chart = useLoad(() => api.booksAccounts(), []);
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const sealed = (ids: readonly string[]) => {
    setNotice(t('books.property.sealed', { id: ids[0] ?? '' }));
    list.reload();
  };
  return (
    <div data-testid="books-property">
      <Panel title={t('books.property.title')}>
        <p className="hint">{t('books.property.intro')}</p>
        {notice !== null && (
          <p className="banner ok" data-testid="books-notice">
            {notice}
          </p>
        )}
        <ErrorMessage error={list.error} />
        {list.data === null ? (
          list.loading && <Loading />
        ) : list.data.items.length === 0 ? (
          <p>{t('books.property.none')}</p>
        ) : (
          <div className="property-items">
            {list.data.items.map((item) => (
              <PropertyItem
                key={item.record}
                item={item}
                accounts={chart.data?.accounts ?? []}
                canSeal={may('seal')}
                onSealed={sealed}
              />
            ))}
          </div>
        )}
        {may('seal') && !adding && (
          <div className="buttons">
            <button type="button" onClick={() => setAdding(true)} data-testid="property-add">
              {t('books.property.add')}
            </button>
          </div>
        )}
      </Panel>
      {may('seal') && adding && (
        <Panel title={t('books.property.addTitle')} testId="property-form">
          <AssetForm
            accounts={chart.data?.accounts ?? []}
            onCancel={() => setAdding(false)}
            onSealed={(ids) => {
              setAdding(false);
              sealed(ids);
            }}
          />
        </Panel>
      )}
    </div>
  );
}

function PropertyItem({
  item,
  accounts,
  canSeal,
  onSealed,
}: {
  item: PropertyItemView;
  accounts: readonly BooksAccountView[];
  canSeal: boolean;
  onSealed: (ids: readonly string[]) => void;
}) {
  const { t } = useTranslation('app');
  const [event, setEvent] = useState(false);
  return (
    <article
      className={`property-item${item.disposed ? ' disposed' : ''}`}
      data-testid="property-item"
    >
      <h3>
        {item.name} <small>{categoryText(t, item.category)}</small>
        {item.disposed && <span className="badge">{t('books.property.disposed')}</span>}
      </h3>
      <dl className="fields">
        <dt>{t('books.property.record')}</dt>
        <dd>
          <Link to={recordPath(item.record)} className="mono">
            {item.record}
          </Link>
        </dd>
        {item.location !== undefined && (
          <>
            <dt>{t('books.property.location')}</dt>
            <dd>{item.location}</dd>
          </>
        )}
        {item.registration !== undefined && (
          <>
            <dt>{t('books.property.registration')}</dt>
            <dd>{item.registration}</dd>
          </>
        )}
        {item.account !== undefined && (
          <>
            <dt>{t('books.property.account')}</dt>
            <dd>{item.account}</dd>
          </>
        )}
        <dt>{t('books.property.valuation')}</dt>
        <dd data-testid="property-valuation">
          {item.valuation === undefined ? (
            t('books.property.notValued')
          ) : (
            <>
              <Amount value={item.valuation.amount} currency={item.valuation.currency} />
              {item.valuation.basis !== undefined && ` (${item.valuation.basis})`}
            </>
          )}
        </dd>
        {item.transferredTo !== undefined && (
          <>
            <dt>{t('books.property.transferredTo')}</dt>
            <dd data-testid="property-transferred">{item.transferredTo}</dd>
          </>
        )}
        <dt>{t('books.property.titleDocuments')}</dt>
        <dd>
          {item.titleDocuments.length === 0 ? (
            t('books.property.noDocuments')
          ) : (
            <RecordLinks ids={item.titleDocuments} max={10} />
          )}
        </dd>
      </dl>
      {item.events.length > 0 && (
        <div className="table-scroll">
          <table data-testid="property-events">
            <thead>
              <tr>
                <th>{t('books.column.date')}</th>
                <th>{t('books.property.event')}</th>
                <th>{t('books.column.description')}</th>
                <th>{t('books.property.details')}</th>
                <th>{t('books.reports.records')}</th>
              </tr>
            </thead>
            <tbody>
              {item.events.map((e) => (
                <tr key={e.record}>
                  <td className="nowrap">{e.date !== undefined && <BooksDate date={e.date} />}</td>
                  <td>{eventText(t, e.event)}</td>
                  <td>{e.description}</td>
                  <td>
                    {e.valuation !== undefined && (
                      <span>
                        <Amount value={e.valuation.amount} currency={e.valuation.currency} />
                        {e.valuation.basis !== undefined && ` (${e.valuation.basis})`}
                      </span>
                    )}
                    {e.transfer !== undefined && (
                      <span>
                        {t('books.property.transferTo', { to: e.transfer.to })} ·{' '}
                        {e.transfer.decision}{' '}
                        <RecordLinks
                          ids={[e.transfer.decisionRecord, e.transfer.agreement].filter(
                            (x): x is string => x !== undefined,
                          )}
                        />
                      </span>
                    )}
                  </td>
                  <td>
                    <RecordLinks ids={[e.record, ...e.documents]} max={4} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {item.corrections.length > 0 && (
        <>
          <h4>{t('books.property.corrections')}</h4>
          <ul>
            {item.corrections.map((c) => (
              <li key={c.record}>
                <RecordLinks ids={[c.record]} /> {t('books.property.corrects', { id: c.corrects })}
                {': '}
                {c.reason}
              </li>
            ))}
          </ul>
        </>
      )}
      {canSeal && !item.disposed && !event && (
        <button
          type="button"
          className="small"
          onClick={() => setEvent(true)}
          data-testid="property-event"
        >
          {t('books.property.addEvent')}
        </button>
      )}
      {event && (
        <EventForm
          item={item}
          accounts={accounts}
          onCancel={() => setEvent(false)}
          onSealed={(ids) => {
            setEvent(false);
            onSealed(ids);
          }}
        />
      )}
    </article>
  );
}

type T = (key: string) => string;

function categoryText(t: T, category: string): string {
  return (CATEGORIES as readonly string[]).includes(category)
    ? t(`books.property.category.${category}`)
    : category;
}

function eventText(t: T, event: string): string {
  return ['register', ...EVENTS].includes(event) ? t(`books.property.events.${event}`) : event;
}

/** The valuation fields, shared by both forms. */
function useValuation() {
  const [amount, setAmount] = useState('');
  const [currency, setCurrency] = useState('KGS');
  const [basis, setBasis] = useState('');
  const typed = normaliseTyped(amount);
  const value =
    typed === null
      ? undefined
      : {
          amount: typed,
          currency: currency.trim().toUpperCase(),
          ...(basis.trim() === '' ? {} : { basis: basis.trim() }),
        };
  return {
    amount,
    setAmount,
    currency,
    setCurrency,
    basis,
    setBasis,
    value,
    bad: amount.trim() !== '' && typed === null,
  };
}

function ValuationFields({ v }: { v: ReturnType<typeof useValuation> }) {
  const { t } = useTranslation('app');
  return (
    <>
      <label>
        {t('books.property.valuationAmount')}
        <input
          type="text"
          inputMode="decimal"
          name="valuation"
          value={v.amount}
          onChange={(e) => v.setAmount(e.currentTarget.value)}
        />
        {v.bad && <small className="error-text">{t('books.form.problem.amount')}</small>}
      </label>
      <label>
        {t('books.form.currency')}
        <input
          type="text"
          name="valuationCurrency"
          maxLength={3}
          value={v.currency}
          onChange={(e) => v.setCurrency(e.currentTarget.value.toUpperCase())}
        />
      </label>
      <label>
        {t('books.property.basis')}
        <input
          type="text"
          name="basis"
          value={v.basis}
          onChange={(e) => v.setBasis(e.currentTarget.value)}
        />
      </label>
    </>
  );
}

function useSubmit(onSealed: (ids: readonly string[]) => void) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (body: PropertyRequest) => {
    setBusy(true);
    setError(null);
    try {
      onSealed((await api.booksSaveProperty(body)).ids);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, run };
}

function AssetForm({
  accounts,
  onCancel,
  onSealed,
}: {
  accounts: readonly BooksAccountView[];
  onCancel: () => void;
  onSealed: (ids: readonly string[]) => void;
}) {
  const { t } = useTranslation('app');
  const [name, setName] = useState('');
  const [category, setCategory] = useState<string>('building');
  const [description, setDescription] = useState('');
  const [date, setDate] = useState(today());
  const [location, setLocation] = useState('');
  const [registration, setRegistration] = useState('');
  const [account, setAccount] = useState('');
  const [documents, setDocuments] = useState('');
  const valuation = useValuation();
  const { busy, error, run } = useSubmit(onSealed);
  const ids = parseRecordIds(documents);
  const badIds = ids.filter((id) => !isRecordId(id));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const opt = (k: string, v: string) => (v.trim() === '' ? {} : { [k]: v.trim() });
    void run({
      name: name.trim(),
      category,
      event: 'register',
      ...opt('description', description),
      ...opt('date', date),
      ...opt('location', location),
      ...opt('registration', registration),
      ...opt('account', account),
      ...(ids.length === 0 ? {} : { titleDocuments: ids }),
      ...(valuation.value === undefined ? {} : { valuation: valuation.value }),
    });
  };
  return (
    <form onSubmit={submit}>
      <p className="hint">{t('books.property.sealedNote')}</p>
      <div className="form-grid">
        <label className="wide">
          {t('books.property.name')}
          <input
            type="text"
            name="name"
            required
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
          />
        </label>
        <label>
          {t('books.property.categoryLabel')}
          <select
            name="category"
            value={category}
            onChange={(e) => setCategory(e.currentTarget.value)}
          >
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {t(`books.property.category.${c}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('books.column.date')}
          <input
            type="date"
            name="date"
            value={date}
            onChange={(e) => setDate(e.currentTarget.value)}
          />
        </label>
        <label>
          {t('books.property.location')}
          <input
            type="text"
            name="location"
            value={location}
            onChange={(e) => setLocation(e.currentTarget.value)}
          />
        </label>
        <label>
          {t('books.property.registration')}
          <input
            type="text"
            name="registration"
            value={registration}
            onChange={(e) => setRegistration(e.currentTarget.value)}
          />
        </label>
        <label>
          {t('books.property.account')}
          <AccountSelect
            accounts={accounts.filter((a) => a.type === 'assets')}
            value={account}
            name="account"
            empty={t('books.property.noAccount')}
            onChange={(p) => setAccount(p)}
          />
        </label>
        <ValuationFields v={valuation} />
        <label className="wide">
          {t('books.column.description')}
          <input
            type="text"
            name="description"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
          />
        </label>
        <label className="wide">
          {t('books.property.titleDocuments')}
          <input
            type="text"
            name="documents"
            value={documents}
            onChange={(e) => setDocuments(e.currentTarget.value)}
          />
          <small>{t('books.form.documentsHelp')}</small>
          {badIds.map((id) => (
            <small key={id} className="error-text">
              {t('books.form.notRecordId', { id })}
            </small>
          ))}
        </label>
      </div>
      <ErrorMessage error={error} />
      <div className="buttons">
        <button
          type="submit"
          className="primary"
          disabled={busy || name.trim() === '' || badIds.length > 0 || valuation.bad}
          data-testid="property-seal"
        >
          {busy ? t('books.common.sealing') : t('books.property.seal')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('books.common.cancel')}
        </button>
      </div>
    </form>
  );
}

function EventForm({
  item,
  accounts,
  onCancel,
  onSealed,
}: {
  item: PropertyItemView;
  accounts: readonly BooksAccountView[];
  onCancel: () => void;
  onSealed: (ids: readonly string[]) => void;
}) {
  const { t } = useTranslation('app');
  const [kind, setKind] = useState<EventKind>('valuation');
  const [date, setDate] = useState(today());
  const [description, setDescription] = useState('');
  const [to, setTo] = useState('');
  const [decision, setDecision] = useState('');
  const [decisionRecord, setDecisionRecord] = useState('');
  const [agreement, setAgreement] = useState('');
  const [account, setAccount] = useState(item.account ?? '');
  const valuation = useValuation();
  const { busy, error, run } = useSubmit(onSealed);
  const badRef = [decisionRecord, agreement].some((r) => r.trim() !== '' && !isRecordId(r.trim()));
  const incomplete =
    (kind === 'valuation' && valuation.value === undefined) ||
    (kind === 'transfer' && (to.trim() === '' || decision.trim() === ''));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run({
      name: item.name,
      category: item.category,
      asset: item.record,
      event: kind,
      ...(date === '' ? {} : { date }),
      ...(description.trim() === '' ? {} : { description: description.trim() }),
      ...(kind === 'valuation' && valuation.value !== undefined
        ? { valuation: valuation.value }
        : {}),
      ...(kind === 'update' && account !== '' && account !== item.account ? { account } : {}),
      ...(kind === 'transfer'
        ? {
            transfer: {
              to: to.trim(),
              decision: decision.trim(),
              ...(decisionRecord.trim() === '' ? {} : { decisionRecord: decisionRecord.trim() }),
              ...(agreement.trim() === '' ? {} : { agreement: agreement.trim() }),
            },
          }
        : {}),
    });
  };
  return (
    <form className="inline-form" onSubmit={submit} data-testid="property-event-form">
      <h3>{t('books.property.eventTitle', { name: item.name })}</h3>
      <label>
        {t('books.property.event')}
        <select
          name="event"
          value={kind}
          onChange={(e) => setKind(e.currentTarget.value as EventKind)}
        >
          {EVENTS.map((k) => (
            <option key={k} value={k}>
              {t(`books.property.events.${k}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('books.column.date')}
        <input
          type="date"
          name="date"
          value={date}
          onChange={(e) => setDate(e.currentTarget.value)}
        />
      </label>
      <label>
        {t('books.column.description')}
        <input
          type="text"
          name="description"
          value={description}
          onChange={(e) => setDescription(e.currentTarget.value)}
        />
      </label>
      {kind === 'valuation' && <ValuationFields v={valuation} />}
      {kind === 'transfer' && (
        <>
          <label>
            {t('books.property.transferToLabel')}
            <input
              type="text"
              name="to"
              required
              value={to}
              onChange={(e) => setTo(e.currentTarget.value)}
            />
          </label>
          <label>
            {t('books.property.decision')}
            <input
              type="text"
              name="decision"
              required
              value={decision}
              onChange={(e) => setDecision(e.currentTarget.value)}
            />
          </label>
          <label>
            {t('books.property.decisionRecord')}
            <input
              type="text"
              name="decisionRecord"
              value={decisionRecord}
              onChange={(e) => setDecisionRecord(e.currentTarget.value)}
            />
          </label>
          <label>
            {t('books.property.agreement')}
            <input
              type="text"
              name="agreement"
              value={agreement}
              onChange={(e) => setAgreement(e.currentTarget.value)}
            />
          </label>
        </>
      )}
      {kind === 'update' && (
        <label>
          {t('books.property.account')}
          <AccountSelect
            accounts={accounts.filter((a) => a.type === 'assets')}
            value={account}
            name="account"
            empty={t('books.property.noAccount')}
            onChange={(p) => setAccount(p)}
          />
        </label>
      )}
      {kind === 'disposal' && <p className="banner warn">{t('books.property.disposalNote')}</p>}
      {badRef && <p className="error-text">{t('books.property.badRecord')}</p>}
      <ErrorMessage error={error} />
      <div className="buttons">
        <button
          type="submit"
          className="primary"
          disabled={busy || incomplete || badRef || valuation.bad}
        >
          {busy ? t('books.common.sealing') : t('books.property.sealEvent')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('books.common.cancel')}
        </button>
      </div>
    </form>
  );
}
