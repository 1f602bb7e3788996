/**
 * Books for tests, built without a vault: drafts from src/books/model.ts turned into records
 * that pass the records gate, with deterministic ids, in log order.
 */

import type { LedgerInput } from '../../src/books/ledger.js';
import type { Account, StatementBalance, Transaction } from '../../src/books/model.js';
import {
  accountsBody,
  correctionDraft,
  statementBalanceDraft,
  transactionDraft,
} from '../../src/books/model.js';
import { newRecordId } from '../../src/records/id.js';
import { parseRecord } from '../../src/records/record.js';

/** Appends books records to an in-memory log, each checked by `parseRecord`. */
export class TestLog {
  readonly inputs: LedgerInput[] = [];
  private n = 0;

  /** The id the next record will get. */
  nextId(): string {
    const random = new Uint8Array(10);
    new DataView(random.buffer).setUint32(6, this.n + 1);
    return newRecordId(1_735_689_600_000 + this.n * 1000, random);
  }

  private add(kind: 'transaction' | 'correction', body: unknown, refs: readonly string[]): string {
    const id = this.nextId();
    this.n++;
    const record = parseRecord({
      kind,
      id,
      created: '2025-01-01T00:00:00Z',
      author: 'treasurer@union.example',
      body,
      files: [],
      refs: [...refs],
    });
    this.inputs.push({ index: this.inputs.length, record });
    return id;
  }

  accounts(accounts: readonly Account[]): string {
    return this.add('transaction', accountsBody(accounts), []);
  }

  transaction(tx: Transaction): string {
    const d = transactionDraft(tx);
    return this.add('transaction', d.body, d.refs);
  }

  balances(b: StatementBalance): string {
    const d = statementBalanceDraft(b);
    return this.add('transaction', d.body, d.refs);
  }

  correction(
    corrects: string,
    reason: string,
    replacement?: Transaction | StatementBalance,
  ): string {
    const d = correctionDraft(corrects, reason, replacement);
    return this.add('correction', d.body, d.refs);
  }
}
