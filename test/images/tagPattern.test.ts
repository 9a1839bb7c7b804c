import { describe, expect, it } from 'vitest';
import { DEFAULT_TAG_PATTERN, compileTagPattern, validateTagPattern, tagPatternMatchers } from '../../src/images/tagPattern.js';

describe('compileTagPattern', () => {
  it.each([
    // default pattern
    ['prod-*', 'prod-1', true],
    ['prod-*', 'prod-', true],
    ['prod-*', 'prod-2024.01.02-abc', true],
    ['prod-*', 'prod', false],
    ['prod-*', 'xprod-1', false],
    ['prod-*', 'Prod-1', false],
    ['prod-*', 'dev-1', false],
    // anchored at both ends
    ['prod', 'prod', true],
    ['prod', 'prod-1', false],
    ['prod', 'xprod', false],
    // "*" anywhere, several times
    ['*-prod', 'v1-prod', true],
    ['*-prod', 'v1-prod-2', false],
    ['*prod*', 'my-prod-tag', true],
    ['*', '', true],
    ['*', 'anything', true],
    ['**', 'x', true],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbY', false],
    ['a*b', 'abab', true],
    ['a*b', 'abba', false],
    // "?" is exactly one character
    ['v?', 'v1', true],
    ['v?', 'v', false],
    ['v?', 'v12', false],
    ['prod-??', 'prod-12', true],
    ['prod-??', 'prod-1', false],
    // classes, ranges, negation
    ['v[123]', 'v2', true],
    ['v[123]', 'v4', false],
    ['v[0-9].*', 'v7.1', true],
    ['v[0-9].*', 'vx.1', false],
    ['v[!0-9]', 'vx', true],
    ['v[!0-9]', 'v5', false],
    ['v[^a]', 'vb', true],
    ['v[^a]', 'va', false],
    ['[a-c-]x', '-x', true],
    ['prod-[0-9]*', 'prod-3abc', true],
    // "." and "-" are literal, not regular-expression syntax
    ['v1.0', 'v1.0', true],
    ['v1.0', 'v1x0', false],
  ])('%s matches %j: %s', (glob, tag, expected) => {
    expect(compileTagPattern(glob)(tag)).toBe(expected);
  });

  it('uses prod-* when given no pattern', () => {
    expect(DEFAULT_TAG_PATTERN).toBe('prod-*');
    const matches = compileTagPattern();
    expect(matches('prod-42')).toBe(true);
    expect(matches('dev-42')).toBe(false);
  });

  it('stays fast on patterns that make regular expressions backtrack', () => {
    const matches = compileTagPattern('*a*a*a*a*a*a*a*b');
    const started = performance.now();
    expect(matches('a'.repeat(128))).toBe(false);
    expect(performance.now() - started).toBeLessThan(100);
  });

  it('throws on an invalid pattern', () => {
    expect(() => compileTagPattern('prod-[0-9')).toThrow(/without its closing "\]"/);
  });
});

describe('validateTagPattern', () => {
  it.each([
    ['prod-*', undefined],
    ['release-v[0-9]*', undefined],
    ['*', undefined],
    ['[]]', undefined],
    ['', /empty/],
    ['prod-[0-9', /without its closing "\]"/],
    ['prod-[!', /without its closing "\]"/],
    ['v[9-0]', /range "9-0" .* is reversed/],
    ['prod/*', /contains "\/" at character 5, which no tag can contain/],
    ['prod *', /contains " "/],
    ['prod:*', /contains ":"/],
  ])('%j → %s', (glob, expected) => {
    const error = validateTagPattern(glob);
    if (expected === undefined) expect(error).toBeUndefined();
    else expect(error).toMatch(expected);
  });
});

describe('validateTagPattern: long patterns', () => {
  it.each([
    ['an unclosed class', `prod-[${'0'.repeat(100_000)}`, /^tag pattern "prod-\[0+…" \(100006 characters\) has a "\[" without its closing "\]"$/],
    ['a character no tag can contain', `${'p'.repeat(100_000)}/`, /^tag pattern "p+…" \(100001 characters\) contains "\/" at character 100001, which no tag can contain/],
    ['a reversed range', `${'p'.repeat(100_000)}[9-0]`, /^character range "9-0" in tag pattern "p+…" \(100005 characters\) is reversed$/],
  ])('quotes only the start of a 100,000-character pattern with %s', (_label, glob, message) => {
    const error = validateTagPattern(glob) ?? '';
    expect(error).toMatch(message);
    expect(error.length).toBeLessThan(250);
  });

  it('escapes a control character instead of printing it', () => {
    expect(validateTagPattern('prod-\n*')).toBe('tag pattern "prod-\\n*" contains "\\n" at character 6, which no tag can contain (tags use letters, digits, "_", "." and "-")');
  });
});

describe('tagPatternMatchers', () => {
  it('compiles each pattern once for its holder, and refuses a bad one unless told it matches nothing', () => {
    const matcher = tagPatternMatchers();
    expect(matcher('prod-*')).toBe(matcher('prod-*'));
    expect([matcher('prod-*')('prod-7'), matcher('prod-*')('main-7')]).toEqual([true, false]);
    expect(() => matcher('prod-[')).toThrow();
    const lenient = tagPatternMatchers('matches-nothing');
    expect(lenient('prod-[')('prod-[')).toBe(false);
    expect(lenient('prod-[')).toBe(lenient('prod-['));
  });
});
