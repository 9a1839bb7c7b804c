import { describe, expect, it } from 'vitest';
import { QUOTED_VALUE_MAX, cutText, quoteValue } from '../../src/util/text.js';

describe('cutText', () => {
  it.each([
    ['', 5, ''],
    ['abc', 5, 'abc'],
    ['abcde', 5, 'abcde'],
    ['abcdef', 5, 'abcde… (6 characters)'],
    ['x'.repeat(1_000_000), 3, 'xxx… (1000000 characters)'],
  ])('%j cut to %i → %j', (text, max, expected) => {
    expect(cutText(text, max)).toBe(expected);
  });

  it('never splits a character made of two UTF-16 units', () => {
    const text = `ab${'😀'.repeat(10)}`;
    expect(cutText(text, 3)).toBe('ab… (22 characters)');
    expect(cutText(text, 4)).toBe('ab😀… (22 characters)');
  });
});

describe('quoteValue', () => {
  it('quotes a short value whole, JSON-escaped so it cannot add a line', () => {
    expect(quoteValue('prod-*')).toBe('"prod-*"');
    expect(quoteValue('a\nb"c')).toBe('"a\\nb\\"c"');
  });

  it('quotes the first characters of a long value and gives its length outside the quotes', () => {
    const quoted = quoteValue('v'.repeat(100_000));
    expect(quoted).toBe(`"${'v'.repeat(QUOTED_VALUE_MAX)}…" (100000 characters)`);
    expect(quoteValue('abcdef', 3)).toBe('"abc…" (6 characters)');
  });
});
