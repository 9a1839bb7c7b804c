import { describe, expect, it } from 'vitest';
import { DEFAULT_SCAN_SCHEDULE, parseScanSchedule, resolveScanSchedule } from '../../src/config/scanSchedule.js';

/** Schedules the Functions host (NCrontab 3.3.3, then .NET TimeSpan) accepts, and what is registered. */
describe('parseScanSchedule: cron expressions the host accepts', () => {
  it.each([
    ['0 */5 * * * *', '0 */5 * * * *'],
    ['*/5 * * * *', '*/5 * * * *'], // five fields: no seconds
    ['0 0 9 * * Mon-Fri', '0 0 9 * * Mon-Fri'],
    ['0 0 9 * * mon-FRI', '0 0 9 * * mon-FRI'], // names are case-insensitive
    ['0 0 9 * * Monday', '0 0 9 * * Monday'],
    ['0 0 9 * * tHu', '0 0 9 * * tHu'],
    ['0 0 9 * * W', '0 0 9 * * W'], // a prefix of Wednesday, not Quartz's W
    ['0 0 9 * * S', '0 0 9 * * S'], // the first name it starts: Sunday
    ['0 0 9 * * Fri-Mon', '0 0 9 * * Fri-Mon'], // NCrontab swaps a backwards range
    ['0 0 9 * * 0,6', '0 0 9 * * 0,6'],
    ['0 0 9 1 Jan,Jul *', '0 0 9 1 Jan,Jul *'],
    ['0 0 9 1 ju *', '0 0 9 1 ju *'], // June
    ['0 0 0 1 december *', '0 0 0 1 december *'],
    ['0 30 9-17/2 * * 1-5', '0 30 9-17/2 * * 1-5'],
    ['5/15 * * * * *', '5/15 * * * * *'], // from 5 to the maximum, every 15
    ['0,15,30,45 * * * * *', '0,15,30,45 * * * * *'],
    ['*,5 * * * * *', '*,5 * * * * *'],
    ['*/0 * * * * *', '*/0 * * * * *'], // a step below 1 counts as 1
    ['0 */+10 * * * *', '0 */+10 * * * *'], // .NET int.Parse takes a sign
    ['0 0 0 29 2 *', '0 0 0 29 2 *'], // leap years only, but it runs
    ['0 0 9 31 * *', '0 0 9 31 * *'],
    ['59 59 23 31 12 6', '59 59 23 31 12 6'],
    ['00 05 09 * * *', '00 05 09 * * *'],
    ['0  0   9 * * Mon-Fri', '0 0 9 * * Mon-Fri'], // registered with single spaces
    ['\t0 0 9 * * *\n', '0 0 9 * * *'],
  ])('%j → %j', (text, expression) => {
    expect(parseScanSchedule(text)).toEqual({ schedule: { kind: 'cron', expression } });
  });
});

describe('parseScanSchedule: time spans the host accepts', () => {
  it.each([
    ['00:05:00', 5 * 60_000],
    ['5:00', 5 * 3_600_000], // hh:mm
    ['0:0:30', 30_000],
    ['1.00:00:00', 86_400_000],
    ['1.02:03', 86_400_000 + 2 * 3_600_000 + 3 * 60_000], // d.hh:mm
    ['2.03:04:05', 2 * 86_400_000 + 3 * 3_600_000 + 4 * 60_000 + 5_000],
    ['00:00:01.5', 1_500],
    ['00:00:00.0000001', 0.0001],
    ['365.00:00:00', 365 * 86_400_000],
  ])('%j → every %d ms', (text, intervalMs) => {
    expect(parseScanSchedule(text)).toEqual({ schedule: { kind: 'interval', expression: text, intervalMs } });
  });
});

describe('parseScanSchedule: what the host rejects, with the field named and an example', () => {
  it.each<[string, RegExp, string]>([
    // the four from issue 10
    ['0 0 9 ? * MON', /^day field "\?": "\?" is not a number from 1 to 31; "\?", "L", "W" and "#" are Quartz syntax/, '0 0 9 1,15 * *'],
    ['0 61 * * * *', /^minute field "61": 61 is out of range 0-59$/, '0 */15 * * * *'],
    ['0 0 0 * * 7', /^day-of-week field "7": 7 is out of range 0-6 \(Sunday is 0; 7 is not allowed\)$/, '0 0 9 * * Mon-Fri'],
    ['0 0 0 L * *', /^day field "L": .*Quartz syntax/, '0 0 9 1,15 * *'],
    // more Quartz
    ['0 0 9 15W * *', /^day field "15W": "15W" is not a number.*Quartz/, '0 0 9 1,15 * *'],
    ['0 0 12 LW * *', /^day field "LW".*Quartz/, '0 0 9 1,15 * *'],
    ['0 0 9 * * MON#2', /^day-of-week field "MON#2".*Quartz/, '0 0 9 * * Mon-Fri'],
    ['0 0 9 * * 5L', /^day-of-week field "5L": "5L" is not a number.*Quartz/, '0 0 9 * * Mon-Fri'],
    ['0 0 9 * * L', /^day-of-week field "L": "L" is not a number from 0 to 6 or a name \(Sun, Mon, Tue, Wed, Thu, Fri, Sat\).*Quartz/, '0 0 9 * * Mon-Fri'],
    // ranges
    ['60 * * * * *', /^second field "60": 60 is out of range 0-59$/, '0 */5 * * * *'],
    ['0 0 24 * * *', /^hour field "24": 24 is out of range 0-23$/, '0 0 7-19 * * *'],
    ['0 0 9 0 * *', /^day field "0": 0 is out of range 1-31$/, '0 0 9 1,15 * *'],
    ['0 0 9 32 * *', /^day field "32"/, '0 0 9 1,15 * *'],
    ['0 0 9 1 13 *', /^month field "13": 13 is out of range 1-12$/, '0 0 9 1 Jan,Jul *'],
    ['0 0 9 1 0 *', /^month field "0": 0 is out of range 1-12$/, '0 0 9 1 Jan,Jul *'],
    ['0 0 9 * * 0-7', /^day-of-week field "0-7": 7 is out of range/, '0 0 9 * * Mon-Fri'],
    ['0 0 9 0-5 * *', /^day field "0-5": 0 is out of range 1-31$/, '0 0 9 1,15 * *'],
    ['0 70/5 * * * *', /^minute field "70\/5": 70 is out of range 0-59$/, '0 */15 * * * *'],
    ['0 99999999999 * * * *', /^minute field "99999999999": "99999999999" is out of range 0-59$/, '0 */15 * * * *'],
    // names and numbers
    ['0 0 9 * * Mondays', /^day-of-week field "Mondays": "Mondays" is not a number from 0 to 6 or a name/, '0 0 9 * * Mon-Fri'],
    ['0 0 9 * Janu4ry *', /^month field "Janu4ry"/, '0 0 9 1 Jan,Jul *'],
    ['0 0 9 Mon * *', /^day field "Mon": "Mon" is not a number from 1 to 31$/, '0 0 9 1,15 * *'],
    ['0 0 9 * * +1', /^day-of-week field "\+1"/, '0 0 9 * * Mon-Fri'],
    ['0 5a * * * *', /^minute field "5a": "5a" is not a number$/, '0 */15 * * * *'],
    // lists, ranges, steps
    ['0 1,,2 * * * *', /^minute field "1,,2": a list entry is empty$/, '0 */15 * * * *'],
    ['0 1, * * * *', /^minute field "1,": a list entry is empty$/, '0 */15 * * * *'],
    ['0 ,1 * * * *', /^minute field ",1"/, '0 */15 * * * *'],
    ['0 5- * * * *', /^minute field "5-": a value is missing$/, '0 */15 * * * *'],
    ['0 -5 * * * *', /^minute field "-5"/, '0 */15 * * * *'],
    ['0 1-2-3 * * * *', /^minute field "1-2-3": "2-3" is not a number$/, '0 */15 * * * *'],
    ['0 *-5 * * * *', /^minute field "\*-5"/, '0 */15 * * * *'],
    ['0 ** * * * *', /^minute field "\*\*"/, '0 */15 * * * *'],
    ['0 */x * * * *', /^minute field "\*\/x": step "x" is not a whole number$/, '0 */15 * * * *'],
    ['0 */ * * * *', /^minute field "\*\/": step "" is not a whole number$/, '0 */15 * * * *'],
    ['0 /5 * * * *', /^minute field "\/5"/, '0 */15 * * * *'],
    ['0 */5/2 * * * *', /^minute field "\*\/5\/2": step "5\/2"/, '0 */15 * * * *'],
    ['0 */99999999999 * * * *', /^minute field "\*\/99999999999": step "99999999999" is too large$/, '0 */15 * * * *'],
    // five-field examples are five fields
    ['61 * * * *', /^minute field "61"/, '*/15 * * * *'],
    ['* * * * 7', /^day-of-week field "7"/, '0 9 * * Mon-Fri'],
    // never runs
    ['0 0 0 30 2 *', /^"0 0 0 30 2 \*" never runs: none of its months has any of its days/, '0 0 9 1,15 * *'],
    ['0 0 31 4,6,9,11 *', /never runs/, '0 9 1,15 * *'],
  ])('%j', (text, message, example) => {
    expect(parseScanSchedule(text)).toEqual({ problem: { message: expect.stringMatching(message), example } });
  });

  it.each<[string, RegExp, string]>([
    ['* * * *', /^"\* \* \* \*" has 4 fields; the Functions timer takes 6 \(second minute hour day month day-of-week\), 5 \(minute hour day month day-of-week\) or a time span/, DEFAULT_SCAN_SCHEDULE],
    ['0 0 */5 * * * *', /has 7 fields/, DEFAULT_SCAN_SCHEDULE],
    ['L', /^"L" is neither a cron expression .* nor a time span \(hh:mm:ss or d\.hh:mm:ss\)$/, DEFAULT_SCAN_SCHEDULE],
    ['*/5', /is neither a cron expression/, DEFAULT_SCAN_SCHEDULE],
    ['5m', /is neither a cron expression/, DEFAULT_SCAN_SCHEDULE],
    ['%SCAN_CRON%', /%NAME% app-setting references are not followed here/, DEFAULT_SCAN_SCHEDULE],
    ['0 0 9 * * %DAYS%', /%NAME% app-setting references/, DEFAULT_SCAN_SCHEDULE],
    // time spans
    ['5', /^"5" is a bare number, which the Functions host reads as 5 days/, '00:05:00'],
    ['-00:05:00', /is a negative time span/, '00:05:00'],
    ['00:00:00', /is zero/, '00:05:00'],
    ['24:00:00', /has more than 23 hours; write days in front, as in 1\.00:00:00/, '00:05:00'],
    ['00:60:00', /has more than 59 minutes/, '00:05:00'],
    ['00:00:60', /has more than 59 seconds/, '00:05:00'],
    ['00:00:00.12345678', /more than 7 digits/, '00:05:00'],
    ['1:02:03:04', /is neither a cron expression/, DEFAULT_SCAN_SCHEDULE], // d:hh:mm:ss depends on the host's culture
    ['365.00:00:01', /is longer than 365 days/, '00:05:00'],
    ['10675199.00:00:00', /is longer than 365 days/, '00:05:00'],
  ])('%j', (text, message, example) => {
    expect(parseScanSchedule(text)).toEqual({ problem: { message: expect.stringMatching(message), example } });
  });

  it('quotes only the start of a long value', () => {
    for (const text of ['x'.repeat(100_000), `0 ${'1,'.repeat(50_000)}99 * * * *`, `${'0 '.repeat(50_000)}`]) {
      const parsed = parseScanSchedule(text);
      expect('problem' in parsed && parsed.problem.message.length).toBeLessThan(400);
    }
  });
});

describe('resolveScanSchedule', () => {
  it('registers the default when SCAN_SCHEDULE is unset or blank', () => {
    expect(resolveScanSchedule(undefined)).toEqual({ expression: '0 */5 * * * *' });
    expect(resolveScanSchedule('  ')).toEqual({ expression: DEFAULT_SCAN_SCHEDULE });
  });

  it('registers a valid schedule as the host is to read it', () => {
    expect(resolveScanSchedule(' */10  * * * * ')).toEqual({ expression: '*/10 * * * *' });
    expect(resolveScanSchedule('00:10:00')).toEqual({ expression: '00:10:00' });
  });

  it('registers the default for an invalid schedule, and says so', () => {
    expect(resolveScanSchedule('0 0 9 ? * MON')).toEqual({
      expression: DEFAULT_SCAN_SCHEDULE,
      problem: {
        message: expect.stringMatching(/^day field "\?": .*; the timer runs on the default schedule "0 \*\/5 \* \* \* \*" until SCAN_SCHEDULE is fixed$/),
        example: '0 0 9 1,15 * *',
      },
    });
  });
});
