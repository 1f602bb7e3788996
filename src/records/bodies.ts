/**
 * The kind-specific `body` of each record kind (docs/design.md, "Records and commitments").
 * Bodies are strict: a field the schema does not name is refused rather than sealed unnoticed.
 */
import { z } from 'zod';
import {
  accountPath,
  transactionBody as booksTransactionBody,
  CURRENCY_CODE,
  DECIMAL_AMOUNT,
  replacementBody,
} from './books.js';
import {
  dateOrTimestamp,
  optionalText,
  partialDate,
  RECORD_LIMITS,
  recordId,
  relativePath,
  shortTextList,
  text,
} from './fields.js';

const SHORT = RECORD_LIMITS.maxShortText;
const LONG = RECORD_LIMITS.maxLongText;

/** The record kinds, as written in a record's `kind`. */
export const RECORD_KINDS = [
  'document',
  'transaction',
  'incident',
  'asset',
  'correction',
  'seizure',
  'activity',
] as const;

/** One of the record kinds. */
export type RecordKind = (typeof RECORD_KINDS)[number];

/** A sealed document: where it was, what it is called, how it is tagged, the date it bears. */
const documentBody = z.strictObject({
  /** The path as sealed, relative to the sealed folder; `''` when there was none. */
  path: relativePath,
  title: text(SHORT).optional(),
  /**
   * The date the document itself bears (a letter's date, a statement's period), as precise as
   * it is known: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`. It is the document's own claim, entered or
   * read from its name when sealed, and proves nothing: the time a record is proven to exist by
   * is its witnesses' (docs/design.md, "Time"). Optional, so records without it stay valid and
   * their commitments unchanged.
   */
  documentDate: partialDate.optional(),
  tags: shortTextList,
  meta: z
    .record(text(SHORT), optionalText(RECORD_LIMITS.maxPath))
    .refine((m) => Object.keys(m).length <= RECORD_LIMITS.maxMetaEntries, {
      error: `has too many entries: at most ${RECORD_LIMITS.maxMetaEntries}`,
    }),
});

/**
 * A book-keeping transaction: a books body (`"books": 1`, books.ts) when it says so, otherwise
 * any JSON object within the bounds, as transactions were sealed before the books.
 */
const transactionBody = booksTransactionBody;

/** A rights violation: what happened, when and where, to whom and by whom. */
const incidentBody = z.strictObject({
  date: dateOrTimestamp,
  place: text(SHORT),
  description: text(LONG),
  category: text(SHORT),
  victims: shortTextList.optional(),
  perpetrators: shortTextList.optional(),
});

/** The events of an asset's life an `asset` record can seal. */
export const ASSET_EVENTS = ['register', 'valuation', 'transfer', 'disposal', 'update'] as const;

/**
 * Something the organisation owns (land, a building, a sanatorium, a vehicle), or an event in
 * its life: a record with `asset` names the asset record it is about (a valuation, a transfer,
 * a disposal). The optional fields came with the property register (issue 6); record ids they
 * name (`asset`, `titleDocuments`, `transfer.decision`, `transfer.agreement`) must be in `refs`.
 */
const assetBody = z.strictObject({
  name: text(SHORT),
  category: text(SHORT),
  description: optionalText(LONG),
  asset: recordId.optional(),
  event: z.enum(ASSET_EVENTS).optional(),
  date: dateOrTimestamp.optional(),
  location: text(SHORT).optional(),
  /** A land-registry, cadastral or vehicle registration number. */
  registration: text(SHORT).optional(),
  /** Sealed documents that prove title (deeds, certificates). */
  titleDocuments: z.array(recordId).max(RECORD_LIMITS.maxRefs).optional(),
  /** The account that carries the asset in the books. */
  account: accountPath.optional(),
  valuation: z
    .strictObject({
      amount: z
        .string()
        .regex(DECIMAL_AMOUNT, { error: 'is not a decimal amount such as "1250.00"' }),
      currency: z.string().regex(CURRENCY_CODE, { error: 'is not an ISO 4217 currency code' }),
      basis: text(SHORT).optional(),
    })
    .optional(),
  transfer: z
    .strictObject({
      /** Who received it. */
      to: text(SHORT),
      /** The decision that transferred it, in words (body, number, date). */
      decision: text(LONG),
      /** The sealed decision, when it is a record. */
      decisionRecord: recordId.optional(),
      /** The sealed agreement (contract, act of transfer). */
      agreement: recordId.optional(),
    })
    .optional(),
});

/**
 * A correction: records are never edited in place; a correction names what it corrects. A
 * correction of a books entry may carry its `replacement` (books.ts): the ledger reverses what
 * is corrected and posts the replacement; without one it only reverses.
 */
const correctionBody = z.strictObject({
  corrects: recordId,
  reason: text(LONG),
  replacement: replacementBody.optional(),
});

/** A seizure: who took what, where; `items` are the records sealed for what was taken. */
const seizureBody = z.strictObject({
  authority: text(SHORT),
  location: text(SHORT),
  description: text(LONG),
  items: z.array(recordId).max(RECORD_LIMITS.maxRefs),
});

/** Something done in or to the vault: who did what. */
const activityBody = z.strictObject({
  action: text(SHORT),
  actor: text(SHORT),
  details: optionalText(LONG).optional(),
});

/** The body schema of each record kind. */
export const BODY_SCHEMAS = {
  document: documentBody,
  transaction: transactionBody,
  incident: incidentBody,
  asset: assetBody,
  correction: correctionBody,
  seizure: seizureBody,
  activity: activityBody,
} as const satisfies Record<RecordKind, z.ZodType>;

/** The body of a document record. */
export type DocumentBody = z.infer<typeof documentBody>;
/** The body of a transaction record: a bounded JSON object, for now. */
export type TransactionBody = z.infer<typeof transactionBody>;
/** The body of an incident record. */
export type IncidentBody = z.infer<typeof incidentBody>;
/** The body of an asset record. */
export type AssetBody = z.infer<typeof assetBody>;
/** The body of a correction record. */
export type CorrectionBody = z.infer<typeof correctionBody>;
/** The body of a seizure record. */
export type SeizureBody = z.infer<typeof seizureBody>;
/** The body of an activity record. */
export type ActivityBody = z.infer<typeof activityBody>;
