import { describe, expect, it } from 'vitest';
import { registrationSettings } from '../../src/config/registrationSettings.js';

describe('registrationSettings', () => {
  it('reads the schedule, the fan-out mode and the queue binding with the schema parsers', () => {
    expect(registrationSettings({ SCAN_SCHEDULE: ' 0  */10 * * * * ', SCAN_FANOUT: 'Queue', SCAN_QUEUE: 'my-queue', PUSH_CHECKS: 'Yes', PUSH_QUEUE: 'my-pushes' })).toEqual({
      scanSchedule: '0 */10 * * * *',
      scanFanout: 'queue',
      scanQueueBinding: '%SCAN_QUEUE%',
      pushChecks: true,
      pushQueueBinding: '%PUSH_QUEUE%',
    });
  });

  it.each([
    ['0  0   9 * * Mon-Fri', '0 0 9 * * Mon-Fri'],
    ['*/5 * * * *', '*/5 * * * *'],
    ['00:10:00', '00:10:00'],
  ])('registers the schedule %j as %j', (schedule, registered) => {
    expect(registrationSettings({ SCAN_SCHEDULE: schedule }).scanSchedule).toBe(registered);
  });

  it('falls back to the defaults for absent or invalid values, which loading the configuration reports', () => {
    const defaults = { scanSchedule: '0 */5 * * * *', scanFanout: 'inline', scanQueueBinding: 'acrsync-clusters', pushChecks: false, pushQueueBinding: 'acrsync-pushes' };
    expect(registrationSettings({})).toEqual(defaults);
    expect(registrationSettings({ SCAN_SCHEDULE: '0 0 9 ? * MON', SCAN_FANOUT: 'sideways', SCAN_QUEUE: 'Bad_Queue', PUSH_CHECKS: 'on', PUSH_QUEUE: 'Bad_Queue' })).toEqual(defaults);
  });
});
