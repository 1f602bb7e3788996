/**
 * Reading bank statements: 1C Client-Bank exchange files, ISO 20022 camt.053 XML, and CSV with
 * a column mapping, into statement lines and balances; and what an import would do with them
 * (plan.ts), given what the books already hold. Pure: bytes in, results out, no `node:` module,
 * so the web app reviews an import with the same code the CLI seals it with.
 */
export { looksXml, parseCamt } from './camt.js';
export {
  type Column,
  type CsvMapping,
  DATE_FORMATS,
  type DateFormat,
  parseCsvMapping,
  parseCsvStatement,
  splitCsv,
} from './csv.js';
export { type DecimalText, isDecimalText } from './decimal.js';
export { type ParseStatementOptions, parseStatement, sniffFormat } from './detect.js';
export { StatementError } from './errors.js';
export { lineIdentities, normalizeText } from './identity.js';
export { looks1C, parse1C } from './onec.js';
export { write1C } from './onec-write.js';
export type { ParsedStatement, StatementBalance, StatementFormat, StatementLine } from './types.js';
export { parseXml, XML_LIMITS, type XmlLimits } from './xml.js';
