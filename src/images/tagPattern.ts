/**
 * TAG_PATTERN: a shell-style glob that says which tags are releases.
 *
 * `*` matches any run of characters (also none), `?` exactly one character, `[abc]` one of the
 * listed characters (`[a-z]` ranges, `[!abc]` or `[^abc]` negated); everything else matches
 * itself. The whole tag must match. Matching is case-sensitive, like tags themselves.
 *
 * Matching walks the pattern with the classic star-backtracking loop, so it takes at most
 * (tag length × pattern length) steps whatever the pattern: no regular expression, no
 * catastrophic backtracking on patterns like `*a*a*a*a*b`.
 */

import { quoteValue } from '../util/text.js';

export const DEFAULT_TAG_PATTERN = 'prod-*';

/** Characters a tag can contain (`[\w.-]`, see the reference grammar). */
const TAG_CHARACTER = /^[A-Za-z0-9_.-]$/;

type Token = { kind: 'star' } | { kind: 'one'; matches: (char: string) => boolean };

interface ClassRange {
  from: string;
  to: string;
}

function parseGlob(glob: string): { tokens: Token[] } | { error: string } {
  if (glob.length === 0) return { error: 'tag pattern is empty' };
  const chars = Array.from(glob);
  const tokens: Token[] = [];
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i] as string;
    if (char === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (char === '?') {
      tokens.push({ kind: 'one', matches: () => true });
    } else if (char === '[') {
      let j = i + 1;
      let negated = false;
      if (chars[j] === '!' || chars[j] === '^') {
        negated = true;
        j++;
      }
      const ranges: ClassRange[] = [];
      // A "]" right after the opening bracket is a member, as in POSIX globs.
      let firstMember = true;
      while (j < chars.length && (chars[j] !== ']' || firstMember)) {
        const from = chars[j] as string;
        const dash = chars[j + 1];
        const to = chars[j + 2];
        if (dash === '-' && to !== undefined && to !== ']') {
          if (to < from) return { error: `character range ${quoteValue(`${from}-${to}`)} in tag pattern ${quoteValue(glob)} is reversed` };
          ranges.push({ from, to });
          j += 3;
        } else {
          ranges.push({ from, to: from });
          j++;
        }
        firstMember = false;
      }
      if (j >= chars.length) return { error: `tag pattern ${quoteValue(glob)} has a "[" without its closing "]"` };
      if (ranges.length === 0) return { error: `tag pattern ${quoteValue(glob)} has an empty character class "[]"` };
      tokens.push({
        kind: 'one',
        matches: (c) => ranges.some((r) => c >= r.from && c <= r.to) !== negated,
      });
      i = j; // at the closing "]"
    } else {
      if (!TAG_CHARACTER.test(char)) {
        return {
          error: `tag pattern ${quoteValue(glob)} contains ${JSON.stringify(char)} at character ${i + 1}, which no tag can contain (tags use letters, digits, "_", "." and "-")`,
        };
      }
      tokens.push({ kind: 'one', matches: (c) => c === char });
    }
  }
  return { tokens };
}

/** Why `glob` is not a usable tag pattern, or undefined when it is. */
export function validateTagPattern(glob: string): string | undefined {
  const parsed = parseGlob(glob);
  return 'error' in parsed ? parsed.error : undefined;
}

/** A predicate that is true for the tags `glob` matches. Throws on an invalid pattern (see `validateTagPattern`). */
export function compileTagPattern(glob: string = DEFAULT_TAG_PATTERN): (tag: string) => boolean {
  const parsed = parseGlob(glob);
  if ('error' in parsed) throw new Error(parsed.error);
  const { tokens } = parsed;
  return (tag: string): boolean => {
    const chars = Array.from(tag);
    let p = 0;
    let t = 0;
    let starP = -1;
    let starT = 0;
    while (t < chars.length) {
      const token = tokens[p];
      if (token?.kind === 'star') {
        starP = p;
        starT = t;
        p++;
      } else if (token?.kind === 'one' && token.matches(chars[t] as string)) {
        p++;
        t++;
      } else if (starP !== -1) {
        // Let the last star swallow one more character and retry from there.
        p = starP + 1;
        starT++;
        t = starT;
      } else {
        return false;
      }
    }
    while (tokens[p]?.kind === 'star') p++;
    return p === tokens.length;
  };
}

/**
 * `compileTagPattern` with each pattern compiled once for whoever holds the result (a scan, a
 * lookup, the push handler): they ask a few patterns about many tags. With `invalid`, a pattern
 * that does not compile matches nothing instead of throwing.
 */
export function tagPatternMatchers(invalid?: 'matches-nothing'): (glob: string) => (tag: string) => boolean {
  const compiled = new Map<string, (tag: string) => boolean>();
  return (glob) => {
    let matches = compiled.get(glob);
    if (!matches) {
      try {
        matches = compileTagPattern(glob);
      } catch (error) {
        if (!invalid) throw error;
        matches = () => false;
      }
      compiled.set(glob, matches);
    }
    return matches;
  };
}
