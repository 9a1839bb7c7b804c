import { describe, expect, it } from 'vitest';
import { shortDigest } from '../../src/model/digest.js';

const NEW = `sha256:${'1'.repeat(64)}`;

describe('shortDigest', () => {
  it.each([
    [NEW, 'sha256:111111111111'],
    ['abc', 'abc'],
  ])('%s → %s', (digest, short) => {
    expect(shortDigest(digest)).toBe(short);
  });
});
