/** mediaTypeOf: a file's media type from its name. */
import { describe, expect, it } from 'vitest';
import { mediaTypeOf } from './media-type.js';

describe('mediaTypeOf', () => {
  it.each([
    ['scan.pdf', 'application/pdf'],
    ['SCAN.PDF', 'application/pdf'],
    ['dir.v2/photo.JPeG', 'image/jpeg'],
    ['касса.csv', 'text/csv'],
    ['book.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ['README', 'application/octet-stream'],
    ['archive.tar.gz', 'application/octet-stream'],
    ['trailing.', 'application/octet-stream'],
  ])('%s → %s', (name, type) => {
    expect(mediaTypeOf(name)).toBe(type);
  });
});
