/**
 * The property register: the union's land, buildings, sanatoriums, resorts and vehicles, from
 * `asset` records. A record without `asset` registers a thing; one with `asset` is an event in
 * its life (a valuation, a transfer, a disposal, an update) and names the record it is about.
 * A `correction` of an asset record is listed with it. Every line keeps its record id.
 */
import type { AssetBody } from '../records/bodies.js';
import { type Amount, parseAmount } from './model.js';

/** A record as the register reads it. */
export interface PropertyInput {
  readonly index: number;
  readonly record: {
    readonly kind: string;
    readonly id: string;
    readonly created: string;
    readonly body: unknown;
    readonly refs: readonly string[];
  };
}

/** One event in an asset's life, as sealed. */
export interface PropertyEvent {
  readonly record: string;
  readonly event: string;
  readonly date?: string;
  readonly description: string;
  readonly valuation?: {
    readonly amount: Amount;
    readonly currency: string;
    readonly basis?: string;
  };
  readonly transfer?: AssetBody['transfer'];
  readonly documents: readonly string[];
}

/** An asset and what happened to it. */
export interface PropertyItem {
  /** The record that registered it. */
  readonly record: string;
  name: string;
  category: string;
  location?: string;
  registration?: string;
  account?: string;
  /** The latest valuation. */
  valuation?: PropertyEvent['valuation'];
  /** Who holds it now, when it was transferred. */
  transferredTo?: string;
  disposed: boolean;
  readonly titleDocuments: string[];
  readonly events: PropertyEvent[];
  /** Corrections of its records: id and reason. */
  readonly corrections: {
    readonly record: string;
    readonly corrects: string;
    readonly reason: string;
  }[];
}

/** Returns the register from records in log order; asset events about unknown assets are listed in `orphans`. */
export function propertyRegister(records: Iterable<PropertyInput>): {
  items: PropertyItem[];
  orphans: string[];
} {
  const items = new Map<string, PropertyItem>();
  const owner = new Map<string, PropertyItem>();
  const orphans: string[] = [];
  for (const { record } of records) {
    if (record.kind === 'correction') {
      const b = record.body as { corrects?: string; reason?: string };
      const item = owner.get(b.corrects ?? '');
      if (item !== undefined)
        item.corrections.push({
          record: record.id,
          corrects: b.corrects ?? '',
          reason: b.reason ?? '',
        });
      continue;
    }
    if (record.kind !== 'asset') continue;
    const b = record.body as AssetBody;
    let item = b.asset === undefined ? undefined : items.get(b.asset);
    if (b.asset !== undefined && item === undefined) {
      orphans.push(record.id);
      continue;
    }
    if (item === undefined) {
      item = {
        record: record.id,
        name: b.name,
        category: b.category,
        disposed: false,
        titleDocuments: [],
        events: [],
        corrections: [],
      };
      items.set(record.id, item);
    }
    owner.set(record.id, item);
    item.name = b.name;
    item.category = b.category;
    if (b.location !== undefined) item.location = b.location;
    if (b.registration !== undefined) item.registration = b.registration;
    if (b.account !== undefined) item.account = b.account;
    for (const d of b.titleDocuments ?? [])
      if (!item.titleDocuments.includes(d)) item.titleDocuments.push(d);
    let valuation: PropertyEvent['valuation'];
    if (b.valuation !== undefined) {
      try {
        valuation = {
          amount: parseAmount(b.valuation.amount, b.valuation.currency),
          currency: b.valuation.currency,
          ...(b.valuation.basis === undefined ? {} : { basis: b.valuation.basis }),
        };
        item.valuation = valuation;
      } catch {
        orphans.push(record.id);
      }
    }
    const event = b.event ?? (b.asset === undefined ? 'register' : 'update');
    if (event === 'transfer' && b.transfer !== undefined) item.transferredTo = b.transfer.to;
    if (event === 'disposal') item.disposed = true;
    item.events.push({
      record: record.id,
      event,
      ...(b.date === undefined ? {} : { date: b.date }),
      description: b.description,
      ...(valuation === undefined ? {} : { valuation }),
      ...(b.transfer === undefined ? {} : { transfer: b.transfer }),
      documents: record.refs,
    });
  }
  return { items: [...items.values()], orphans };
}
