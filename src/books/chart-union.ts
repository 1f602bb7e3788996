/**
 * The starting chart of accounts for a trade union, in English, Russian and Kyrgyz. Paths are
 * English and stable (exports and rules name them); the names are what people read. A union
 * edits it with `tamga books accounts --add`, which seals the change.
 */
import { Chart } from './chart.js';
import type { Account, AccountRole, AccountType } from './model.js';

type Row = readonly [
  path: string,
  en: string,
  ru: string,
  ky: string,
  extra?: { currency?: string; fund?: string; role?: AccountRole },
];

const ASSETS: readonly Row[] = [
  ['Assets', 'Assets', 'Активы', 'Активдер'],
  ['Assets:Cash', 'Cash on hand', 'Касса', 'Касса'],
  ['Assets:Bank', 'Bank accounts', 'Банковские счета', 'Банктык эсептер'],
  ['Assets:Bank:KGS', 'Current account (KGS)', 'Расчётный счёт (сом)', 'Эсептешүү эсеби (сом)'],
  [
    'Assets:Bank:USD',
    'Foreign currency account (USD)',
    'Валютный счёт (USD)',
    'Валюталык эсеп (USD)',
    { currency: 'USD' },
  ],
  [
    'Assets:Bank:Strike fund',
    'Strike fund account',
    'Счёт забастовочного фонда',
    'Иш таштоо фондунун эсеби',
    { fund: 'strike' },
  ],
  ['Assets:Receivables', 'Receivables', 'Дебиторская задолженность', 'Дебитордук карыздар'],
  [
    'Assets:Receivables:Dues',
    'Dues owed by member organisations',
    'Задолженность членских организаций по взносам',
    'Мүчө уюмдардын төгүмдөр боюнча карызы',
  ],
  [
    'Assets:Receivables:Other',
    'Other receivables',
    'Прочая дебиторская задолженность',
    'Башка дебитордук карыздар',
  ],
  ['Assets:Property', 'Property', 'Имущество', 'Мүлк'],
  ['Assets:Property:Land', 'Land', 'Земельные участки', 'Жер участоктору'],
  [
    'Assets:Property:Buildings',
    'Buildings and offices',
    'Здания и помещения',
    'Имараттар жана жайлар',
  ],
  [
    'Assets:Property:Sanatoriums and resorts',
    'Sanatoriums and resorts',
    'Санатории и базы отдыха',
    'Санаторийлер жана эс алуу базалары',
  ],
  ['Assets:Property:Vehicles', 'Vehicles', 'Транспортные средства', 'Транспорт каражаттары'],
  ['Assets:Property:Equipment', 'Equipment', 'Оборудование', 'Жабдуулар'],
  [
    'Assets:Suspense',
    'Suspense (to be classified)',
    'Невыясненные суммы',
    'Такталбаган суммалар',
    { role: 'suspense' },
  ],
];

const LIABILITIES: readonly Row[] = [
  ['Liabilities', 'Liabilities', 'Обязательства', 'Милдеттенмелер'],
  [
    'Liabilities:Dues share payable',
    'Share of dues owed to the sectoral committee or federation',
    'Отчисления в отраслевой комитет или федерацию к уплате',
    'Тармактык комитетке же федерацияга төлөнүүчү чегерүүлөр',
  ],
  [
    'Liabilities:Salaries payable',
    'Salaries payable',
    'Задолженность по заработной плате',
    'Эмгек акы боюнча карыз',
  ],
  [
    'Liabilities:Taxes and social fund',
    'Taxes and Social Fund contributions payable',
    'Налоги и взносы в Социальный фонд к уплате',
    'Төлөнүүчү салыктар жана Социалдык фондго төгүмдөр',
  ],
  ['Liabilities:Other', 'Other liabilities', 'Прочие обязательства', 'Башка милдеттенмелер'],
];

const EQUITY: readonly Row[] = [
  ['Equity', 'Funds and equity', 'Фонды и капитал', 'Фонддор жана капитал'],
  [
    'Equity:Opening balances',
    'Opening balances',
    'Входящие остатки',
    'Баштапкы калдыктар',
    { role: 'opening-balances' },
  ],
  ['Equity:Net assets', 'Net assets', 'Чистые активы', 'Таза активдер'],
  [
    'Equity:Fund transfers',
    'Transfers between funds',
    'Перераспределение между фондами',
    'Фонддор ортосундагы которуулар',
    { role: 'fund-transfers' },
  ],
  ['Equity:Conversion', 'Currency exchange', 'Обмен валюты', 'Валюта алмаштыруу'],
  [
    'Equity:Conversion:KGS',
    'Currency exchange (KGS)',
    'Обмен валюты (сом)',
    'Валюта алмаштыруу (сом)',
    { role: 'conversion' },
  ],
  [
    'Equity:Conversion:USD',
    'Currency exchange (USD)',
    'Обмен валюты (USD)',
    'Валюта алмаштыруу (USD)',
    { currency: 'USD', role: 'conversion' },
  ],
];

const INCOME: readonly Row[] = [
  ['Income', 'Income', 'Доходы', 'Кирешелер'],
  [
    'Income:Membership dues',
    'Membership dues',
    'Членские профсоюзные взносы',
    'Кесиптик бирликтин мүчөлүк төгүмдөрү',
    { role: 'dues' },
  ],
  ['Income:Grants', 'Grants', 'Гранты', 'Гранттар'],
  ['Income:Grants:USD', 'Grants (USD)', 'Гранты (USD)', 'Гранттар (USD)', { currency: 'USD' }],
  [
    'Income:Property',
    'Income from property (sanatoriums, rent)',
    'Доходы от имущества (санатории, аренда)',
    'Мүлктөн кирешелер (санаторийлер, ижара)',
  ],
  [
    'Income:Donations',
    'Donations and solidarity received',
    'Пожертвования и солидарная помощь',
    'Кайрымдуулук жана тилектештик жардамы',
  ],
  ['Income:Bank interest', 'Bank interest', 'Проценты банка', 'Банктык пайыздар'],
  ['Income:Other', 'Other income', 'Прочие доходы', 'Башка кирешелер'],
];

const EXPENSES: readonly Row[] = [
  ['Expenses', 'Expenses', 'Расходы', 'Чыгашалар'],
  [
    'Expenses:Dues passed on',
    'Dues passed on to the sectoral committee or federation',
    'Отчисления в отраслевой комитет или федерацию',
    'Тармактык комитетке же федерацияга чегерүүлөр',
    { role: 'dues-share' },
  ],
  ['Expenses:Salaries', 'Salaries', 'Заработная плата', 'Эмгек акы'],
  [
    'Expenses:Social fund',
    'Social Fund contributions',
    'Взносы в Социальный фонд',
    'Социалдык фондго төгүмдөр',
  ],
  [
    'Expenses:Solidarity payments',
    'Solidarity payments and material aid',
    'Материальная помощь и солидарные выплаты',
    'Материалдык жардам жана тилектештик төлөмдөрү',
  ],
  [
    'Expenses:Strike support',
    'Strike support',
    'Поддержка бастующих',
    'Иш таштоочуларды колдоо',
    { fund: 'strike' },
  ],
  [
    'Expenses:Property upkeep',
    'Upkeep of property (sanatoriums, buildings)',
    'Содержание имущества (санатории, здания)',
    'Мүлктү кармоо (санаторийлер, имараттар)',
  ],
  [
    'Expenses:Rent and utilities',
    'Rent and utilities',
    'Аренда и коммунальные услуги',
    'Ижара жана коммуналдык кызматтар',
  ],
  [
    'Expenses:Training and events',
    'Training and events',
    'Обучение и мероприятия',
    'Окутуу жана иш-чаралар',
  ],
  ['Expenses:Legal', 'Legal services', 'Юридические услуги', 'Юридикалык кызматтар'],
  ['Expenses:Travel', 'Travel', 'Командировки', 'Иш сапарлар'],
  ['Expenses:Office', 'Office and supplies', 'Канцелярские и офисные расходы', 'Кеңсе чыгашалары'],
  ['Expenses:Bank charges', 'Bank charges', 'Банковские комиссии', 'Банктык комиссиялар'],
  ['Expenses:Other', 'Other expenses', 'Прочие расходы', 'Башка чыгашалар'],
];

function accountsOf(type: AccountType, rows: readonly Row[]): Account[] {
  return rows.map(([path, en, ru, ky, extra]) => ({
    path,
    type,
    currency: extra?.currency ?? 'KGS',
    names: { en, ru, ky },
    ...(extra?.fund === undefined ? {} : { fund: extra.fund }),
    ...(extra?.role === undefined ? {} : { role: extra.role }),
  }));
}

/** Returns the starting chart of accounts for a union (what `tamga books accounts --init` seals). */
export function unionChartAccounts(): Account[] {
  return [
    ...accountsOf('assets', ASSETS),
    ...accountsOf('liabilities', LIABILITIES),
    ...accountsOf('equity', EQUITY),
    ...accountsOf('income', INCOME),
    ...accountsOf('expenses', EXPENSES),
  ];
}

/** Returns the starting chart as a Chart. */
export function unionChart(): Chart {
  return new Chart(unionChartAccounts());
}
