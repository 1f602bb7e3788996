/** recordRoot: the path a folder or file given to `tamga seal` is recorded under. */
import { describe, expect, it } from 'vitest';
import { pathProblem } from '../records/fields.js';
import { recordRoot } from './seal.js';

describe('recordRoot', () => {
  it.each([
    ['docs', 'docs'],
    ['docs/', 'docs'],
    ['./docs/2024', 'docs/2024'],
    ['a//b', 'a/b'],
    ['a/../b', 'b'],
    ['scans/Протокол.pdf', 'scans/Протокол.pdf'],
  ])('keeps a relative path inside the working folder as given: %j → %j', (given, want) => {
    expect(recordRoot(given)).toBe(want);
  });

  it.each([
    ['.', ''],
    ['./', ''],
    ['docs/..', ''],
    ['/', ''],
  ])('records the working folder itself (%j) with no prefix', (given, want) => {
    expect(recordRoot(given)).toBe(want);
  });

  it.each([
    ['/abs/path/docs', 'docs'],
    ['/abs/path/docs/', 'docs'],
    ['../up/docs', 'docs'],
  ])('records an absolute path, or one outside, under its own name: %j → %j', (given, want) => {
    expect(recordRoot(given)).toBe(want);
  });

  it('always gives a path a record may hold', () => {
    for (const given of ['docs', './a/b', '/x/y', '../z', '.', 'a/../b']) {
      expect(pathProblem(recordRoot(given)), given).toBeNull();
    }
  });

  // Regression test for a bug fixed after it was found by this test.
  it.each(['..', '../..'])('gives the parent folder (%j) a name a record may hold', (given) => {
    expect(recordRoot(given)).not.toBe('..');
    const root = recordRoot(given);
    expect(pathProblem(root === '' ? 'file.txt' : `${root}/file.txt`)).toBeNull();
  });
});
