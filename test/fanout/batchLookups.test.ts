import { describe, expect, it } from 'vitest';
import { BatchLookups } from '../../src/fanout/batchLookups.js';
import { silentLogger, type Logger } from '../../src/log/logger.js';
import type { TagLookup } from '../../src/registry/tagLookup.js';

function fakeLookup(): TagLookup {
  return { newestMatchingTag: () => Promise.resolve({ kind: 'unknown-repository' }), platformManifests: () => Promise.resolve({ kind: 'ok' as const, digests: [] }) };
}

describe('registry lookups shared by the scans of one timer run', () => {
  it('gives the scans of one run the same lookup, and a newer run a new one', () => {
    const lookups = new BatchLookups();
    let created = 0;
    const create = () => {
      created += 1;
      return fakeLookup();
    };
    const first = lookups.forBatch('2026-11-24T10:00:00.000Z', silentLogger, create);
    expect(lookups.forBatch('2026-11-24T10:00:00.000Z', silentLogger, create)).toBe(first);
    const second = lookups.forBatch('2026-11-24T10:05:00.000Z', silentLogger, create);
    expect(second).not.toBe(first);
    expect(created).toBe(2);
    // A late message of the older run gets a lookup of its own; the newer run keeps its lookup.
    const late = lookups.forBatch('2026-11-24T10:00:00.000Z', silentLogger, create);
    expect(late).not.toBe(first);
    expect(lookups.forBatch('2026-11-24T10:05:00.000Z', silentLogger, create)).toBe(second);
  });

  it('stops sharing after the time to live', () => {
    let now = 0;
    const lookups = new BatchLookups(60_000, () => now);
    const first = lookups.forBatch('2026-11-24T10:00:00.000Z', silentLogger, fakeLookup);
    now = 61_000;
    expect(lookups.forBatch('2026-11-24T10:00:00.000Z', silentLogger, fakeLookup)).not.toBe(first);
  });

  it('logs through the invocation that used the shared lookup last', () => {
    const lines: string[] = [];
    const logger = (name: string): Logger => ({ ...silentLogger, warn: (m) => lines.push(`${name}: ${m}`) });
    const lookups = new BatchLookups();
    let lookupLogger: Logger = silentLogger;
    lookups.forBatch('2026-11-24T10:00:00.000Z', logger('a'), (l) => {
      lookupLogger = l;
      return fakeLookup();
    });
    lookupLogger.warn('one');
    lookups.forBatch('2026-11-24T10:00:00.000Z', logger('b'), fakeLookup);
    lookupLogger.warn('two');
    expect(lines).toEqual(['a: one', 'b: two']);
  });
});
