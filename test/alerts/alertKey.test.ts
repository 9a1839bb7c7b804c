/**
 * Alert keys are valid Azure Table keys and collision-free whatever a cluster contains: the
 * rules Azure documents (at most 1 KiB = 512 UTF-16 characters; no `/ \ # ?`, no control
 * characters U+0000-U+001F and U+007F-U+009F), checked here for hostile values. The same keys
 * go through Azurite, which enforces those limits, in tableStateStore.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { alertId, alertKeyOf, boundedKeyPart, decodeKeyPart, MAX_KEY_PART_CHARS, MAX_TABLE_KEY_CHARS, partitionKeyFor, rowKeyFor } from '../../src/alerts/alertKey.js';
import { finding } from '../support/alertFixtures.js';

const AZURE_KEY_MAX_CHARS = 512;
// eslint-disable-next-line no-control-regex
const FORBIDDEN_IN_AZURE_KEYS = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

const hostile: string[] = [
  'x'.repeat(600),
  'y'.repeat(100_000),
  '名'.repeat(MAX_KEY_PART_CHARS), // 9 encoded characters each
  'a/b\\c#d?e\u0000\u0001\n\r\t\u007f\u0085\u009f',
  '\u202Egnp.exe',
  '😀'.repeat(300),
  '',
  '~_!…sha256:',
];

function keysOf(name: string, over: { namespace?: string; container?: string; cluster?: string } = {}) {
  const key = alertKeyOf(over.cluster ?? 'prod-aks', { ...finding({ name, ...(over.namespace !== undefined ? { namespace: over.namespace } : {}), ...(over.container !== undefined ? { container: over.container } : {}) }) });
  return { key, partition: partitionKeyFor(key.cluster), row: rowKeyFor(key), id: alertId(key) };
}

describe('alert keys', () => {
  it.each(hostile.map((h) => [h.length > 40 ? `${h.slice(0, 20)}… (${h.length} chars)` : JSON.stringify(h), h]))(
    'are valid Azure Table keys for a workload, namespace, container and cluster named %s',
    (_label, value) => {
      for (const { partition, row } of [keysOf(value), keysOf('api', { namespace: value, container: value }), keysOf('api', { cluster: value })]) {
        for (const k of [partition, row]) {
          expect(k.length).toBeGreaterThan(0);
          expect(k.length).toBeLessThanOrEqual(MAX_TABLE_KEY_CHARS);
          expect(MAX_TABLE_KEY_CHARS).toBeLessThanOrEqual(AZURE_KEY_MAX_CHARS);
          expect(k).not.toMatch(FORBIDDEN_IN_AZURE_KEYS);
          expect(k).toMatch(/^[A-Za-z0-9.~_!-]+$/);
        }
      }
    },
  );

  it('keep ordinary Kubernetes names readable, and hash only what is too long', () => {
    expect(keysOf('payments-api').row).toBe('payments_Deployment_payments-api_app');
    // A 600-character owner name: its bounded form (prefix, `…sha256:`, hash) still fits as it is.
    const long = keysOf(`web-${'x'.repeat(596)}`).row;
    expect(long).toMatch(new RegExp(`^payments_Deployment_web-x{249}~E2~80~A6sha256~3A[0-9a-f]{64}_app$`));
    // 253 characters of 3 UTF-8 bytes each encode to 2,277: the table key itself is hashed.
    const unicode = keysOf('名'.repeat(MAX_KEY_PART_CHARS)).row;
    expect(unicode).toMatch(/![0-9a-f]{64}$/);
    expect(unicode.length).toBeLessThanOrEqual(MAX_TABLE_KEY_CHARS);
    // A hashed key's readable prefix never ends inside a ~XX escape.
    const prefix = unicode.slice(0, unicode.indexOf('!'));
    expect(prefix).toMatch(/^payments_Deployment_(~[0-9A-F]{2})+$/);
    expect(decodeKeyPart(prefix.slice('payments_Deployment_'.length))).toMatch(/^名+$/);
  });

  it('never collide: names sharing a long prefix, a hashed key and a readable one, a bounded part and a real name', () => {
    const a = 'z'.repeat(5_000);
    const ids = new Set([
      keysOf(`${a}1`).id,
      keysOf(`${a}2`).id,
      keysOf(a).id,
      keysOf(`${a.slice(0, MAX_KEY_PART_CHARS)}`).id,
      keysOf(boundedKeyPart(`${a}1`)).id,
      keysOf('api', { namespace: a }).id,
      keysOf('api', { container: a }).id,
    ]);
    expect(ids.size).toBe(7);
    // The bounded form of a long value is longer than any value kept as it is.
    expect(Array.from(boundedKeyPart(`${a}1`)).length).toBeGreaterThan(MAX_KEY_PART_CHARS);
    expect(boundedKeyPart('x'.repeat(MAX_KEY_PART_CHARS))).toBe('x'.repeat(MAX_KEY_PART_CHARS));
  });

  it('keep the readable parts, bounded, as the record columns', () => {
    const { key } = keysOf('y'.repeat(100_000));
    expect(key.workloadName.startsWith('y'.repeat(MAX_KEY_PART_CHARS))).toBe(true);
    expect(key.workloadName).toMatch(/…sha256:[0-9a-f]{64}$/);
    expect(key.workloadName.length).toBeLessThan(400);
    expect(key).toMatchObject({ cluster: 'prod-aks', namespace: 'payments', workloadKind: 'Deployment', container: 'app' });
  });
});
