/** Duplicate and out-of-order events against the tag's push record (pure). */
import { describe, expect, it } from 'vitest';
import type { ImagePush } from '../../src/model/push.js';
import { judgePush } from '../../src/push/pushRecord.js';

const push: ImagePush = { eventId: 'e2', registry: 'contoso.azurecr.io', repository: 'app', tag: 'prod-2', digest: null, pushedAt: '2026-11-30T10:00:00.000Z' };

describe('judgePush', () => {
  it('schedules the first push of a tag, and a newer push of it', () => {
    expect(judgePush(push, null)).toEqual({ verdict: 'schedule' });
    expect(judgePush(push, { eventId: 'e1', pushedAt: '2026-11-30T09:00:00.000Z', scheduled: true })).toEqual({ verdict: 'schedule' });
  });

  it('drops the same event again, and another event for the same push time', () => {
    expect(judgePush(push, { eventId: 'e2', pushedAt: push.pushedAt, scheduled: true })).toEqual({
      dropped: 'duplicate event e2: the push of contoso.azurecr.io/app:prod-2 at 2026-11-30T10:00:00.000Z is already scheduled',
    });
    expect(judgePush(push, { eventId: 'e9', pushedAt: push.pushedAt, scheduled: false })).toMatchObject({ dropped: expect.stringMatching(/^duplicate event e2/) });
  });

  it('schedules again the recorded event whose checks were not all queued (a retried invocation)', () => {
    expect(judgePush(push, { eventId: 'e2', pushedAt: push.pushedAt, scheduled: false })).toEqual({ verdict: 'reschedule' });
  });

  it('drops an event older than the push recorded for the tag', () => {
    expect(judgePush(push, { eventId: 'e3', pushedAt: '2026-11-30T10:00:05.000Z', scheduled: true })).toEqual({
      dropped: 'out-of-order event: contoso.azurecr.io/app:prod-2 pushed at 2026-11-30T10:00:00.000Z is older than its push at 2026-11-30T10:00:05.000Z, already recorded',
    });
  });
});
