import { describe, expect, it } from 'vitest';
import { queueItemValue } from '../../src/util/queueItem.js';

describe('queueItemValue', () => {
  it('takes the host\'s parsed object as it is', () => {
    const item = { a: 1 };
    expect(queueItemValue(item)).toBe(item);
  });

  it('parses JSON text, an array too, and base64 of JSON', () => {
    expect(queueItemValue(' {"a":1} ')).toEqual({ a: 1 });
    expect(queueItemValue('[{"a":1}]')).toEqual([{ a: 1 }]);
    expect(queueItemValue(Buffer.from('{"a":2}').toString('base64'))).toEqual({ a: 2 });
  });

  it('says what is wrong with text that is neither', () => {
    expect(() => queueItemValue('not json')).toThrow('the queue message is not JSON (nor base64 of JSON)');
    expect(() => queueItemValue('{"a":')).toThrow('the queue message is not JSON');
  });
});
