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
  SealButtons,
  today,
} from '../books/ui.js';
import { Link } from '../router.js';
import { useSession } from '../session.js';
import {
  ErrorMessage,
  Field,
  Loading,
  Panel,
  ScrollTable,
  SelectField,
  useAction,
  useLoad,
} from '../ui.js';

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
        <ScrollTable
          testId="property-events"
          head={
            <>
              <th>{t('books.column.date')}</th>
              <th>{t('books.property.event')}</th>
              <th>{t('books.column.description')}</th>
              <th>{t('books.property.details')}</th>
              <th>{t('books.reports.records')}</th>
            </>
          }
        >
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
                    {t('books.property.transferTo', { to: e.transfer.to })} · {e.transfer.decision}{' '}
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
        </ScrollTable>
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
      <Field
        label={t('books.property.valuationAmount')}
        inputMode="decimal"
        name="valuation"
        value={v.amount}
        onChange={v.setAmount}
      >
        {v.bad && <small className="error-text">{t('books.form.problem.amount')}</small>}
      </Field>
      <Field
        label={t('books.form.currency')}
        name="valuationCurrency"
        maxLength={3}
        value={v.currency}
        onChange={(c) => v.setCurrency(c.toUpperCase())}
      />
      <Field label={t('books.property.basis')} name="basis" value={v.basis} onChange={v.setBasis} />
    </>
  );
}

/** Seals a property request; `onSealed` gets the ids of the records sealed. */
function useSeal(onSealed: (ids: readonly string[]) => void) {
  const { busy, error, run } = useAction();
  const seal = (body: PropertyRequest) =>
    run(async () => onSealed((await api.booksSaveProperty(body)).ids));
  return { busy, error, seal };
}

/** The account an asset is kept on, among the chart's asset accounts; or none. */
function AssetAccountField({
  accounts,
  value,
  onChange,
}: {
  accounts: readonly BooksAccountView[];
  value: string;
  onChange: (path: string) => void;
}) {
  const { t } = useTranslation('app');
  return (
    <label>
      {t('books.property.account')}
      <AccountSelect
        accounts={accounts.filter((a) => a.type === 'assets')}
        value={value}
        name="account"
        empty={t('books.property.noAccount')}
        onChange={(p) => onChange(p)}
      />
    </label>
  );
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
  const { busy, error, seal } = useSeal(onSealed);
  const ids = parseRecordIds(documents);
  const badIds = ids.filter((id) => !isRecordId(id));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const opt = (k: string, v: string) => (v.trim() === '' ? {} : { [k]: v.trim() });
    void seal({
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
        <Field
          className="wide"
          label={t('books.property.name')}
          name="name"
          required
          value={name}
          onChange={setName}
        />
        <SelectField
          label={t('books.property.categoryLabel')}
          name="category"
          value={category}
          options={CATEGORIES}
          optionLabel={(c) => t(`books.property.category.${c}`)}
          onChange={setCategory}
        />
        <Field
          type="date"
          label={t('books.column.date')}
          name="date"
          value={date}
          onChange={setDate}
        />
        <Field
          label={t('books.property.location')}
          name="location"
          value={location}
          onChange={setLocation}
        />
        <Field
          label={t('books.property.registration')}
          name="registration"
          value={registration}
          onChange={setRegistration}
        />
        <AssetAccountField accounts={accounts} value={account} onChange={setAccount} />
        <ValuationFields v={valuation} />
        <Field
          className="wide"
          label={t('books.column.description')}
          name="description"
          value={description}
          onChange={setDescription}
        />
        <Field
          className="wide"
          label={t('books.property.titleDocuments')}
          name="documents"
          value={documents}
          onChange={setDocuments}
        >
          <small>{t('books.form.documentsHelp')}</small>
          {badIds.map((id) => (
            <small key={id} className="error-text">
              {t('books.form.notRecordId', { id })}
            </small>
          ))}
        </Field>
      </div>
      <SealButtons
        label={t('books.property.seal')}
        busy={busy}
        disabled={name.trim() === '' || badIds.length > 0 || valuation.bad}
        error={error}
        onCancel={onCancel}
        testId="property-seal"
      />
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
  const { busy, error, seal } = useSeal(onSealed);
  const badRef = [decisionRecord, agreement].some((r) => r.trim() !== '' && !isRecordId(r.trim()));
  const incomplete =
    (kind === 'valuation' && valuation.value === undefined) ||
    (kind === 'transfer' && (to.trim() === '' || decision.trim() === ''));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void seal({
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
      <SelectField
        label={t('books.property.event')}
        name="event"
        value={kind}
        options={EVENTS}
        optionLabel={(k) => t(`books.property.events.${k}`)}
        onChange={setKind}
      />
      <Field
        type="date"
        label={t('books.column.date')}
        name="date"
        value={date}
        onChange={setDate}
      />
      <Field
        label={t('books.column.description')}
        name="description"
        value={description}
        onChange={setDescription}
      />
      {kind === 'valuation' && <ValuationFields v={valuation} />}
      {kind === 'transfer' && (
        <>
          <Field
            label={t('books.property.transferToLabel')}
            name="to"
            required
            value={to}
            onChange={setTo}
          />
          <Field
            label={t('books.property.decision')}
            name="decision"
            required
            value={decision}
            onChange={setDecision}
          />
          <Field
            label={t('books.property.decisionRecord')}
            name="decisionRecord"
            value={decisionRecord}
            onChange={setDecisionRecord}
          />
          <Field
            label={t('books.property.agreement')}
            name="agreement"
            value={agreement}
            onChange={setAgreement}
          />
        </>
      )}
      {kind === 'update' && (
        <AssetAccountField accounts={accounts} value={account} onChange={setAccount} />
      )}
      {kind === 'disposal' && <p className="banner warn">{t('books.property.disposalNote')}</p>}
      {badRef && <p className="error-text">{t('books.property.badRecord')}</p>}
      <SealButtons
        label={t('books.property.sealEvent')}
        busy={busy}
        disabled={incomplete || badRef || valuation.bad}
        error={error}
        onCancel={onCancel}
      />
    </form>
  );
}
