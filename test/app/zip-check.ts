/**
 * A ZIP the web app made, checked by both of Tamga's own offline checkers as a person would
 * check it: the offline verifier page's code (web/shared/check.ts, on the archive read by
 * src/evidence/zip.ts, as the page unpacks it) and `tamga check-evidence ARCHIVE.zip`, each
 * under the trust statement of the bundle's own keys (what the union publishes).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CheckEvidenceResult, checkEvidenceCommand } from '../../src/cli/evidence.js';
import { formatTrustStatement, parseEvidence, readZip } from '../../src/evidence/index.js';
import { type BundleCheck, checkFiles } from '../../web/shared/check.js';
import { capture } from '../vault/helpers.js';

/** What each checker said. */
export interface BothChecks {
  readonly page: BundleCheck;
  readonly cli: CheckEvidenceResult;
  /** What `tamga check-evidence` printed. */
  readonly printed: string[];
}

/** Resolves to the verdicts of the page's code and of the CLI on the archive `zip`. */
export async function checkWithTamgasCheckers(zip: Uint8Array, name: string): Promise<BothChecks> {
  const members = await readZip(new Blob([new Uint8Array(zip)]), name.replace(/\.zip$/, ''));
  const json = members.find((m) => m.path.endsWith('/evidence.json'));
  if (json === undefined) throw new Error(`${name} holds no evidence.json`);
  const bundle = parseEvidence(new Uint8Array(await json.file.arrayBuffer()));
  const statement = formatTrustStatement({ log: bundle.log, witnesses: bundle.witnesses });
  const page = await checkFiles(members, { statement });

  const dir = await mkdtemp(join(tmpdir(), 'tamga-zip-check-'));
  try {
    await writeFile(join(dir, name), zip);
    await writeFile(join(dir, 'trust.txt'), statement);
    const c = capture(dir, {});
    const cli = await checkEvidenceCommand(name, [], { trust: 'trust.txt' }, c.ctx);
    return { page, cli, printed: c.out };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
