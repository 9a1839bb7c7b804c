/** APPLICATIONINSIGHTS_CONNECTION_STRING as the app reads it: unset means no metrics; a value that cannot work is refused naming the part. */
import { describe, expect, it } from 'vitest';
import { InvalidSetting } from '../../src/config/invalidSetting.js';
import { describeTelemetryProblem, readTelemetryConnectionString } from '../../src/config/telemetrySettings.js';

const GOOD = 'InstrumentationKey=3f2a1b4c-0000-4000-8000-123456789abc;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/;LiveEndpoint=https://westeurope.livediagnostics.monitor.azure.com/';

describe('APPLICATIONINSIGHTS_CONNECTION_STRING', () => {
  it('is read as it is, and unset or blank means no metrics', () => {
    expect(readTelemetryConnectionString({ APPLICATIONINSIGHTS_CONNECTION_STRING: ` ${GOOD} ` })).toBe(GOOD);
    expect(readTelemetryConnectionString({ APPLICATIONINSIGHTS_CONNECTION_STRING: 'instrumentationkey=3F2A1B4C-0000-4000-8000-123456789ABC' })).toBeDefined();
    expect(readTelemetryConnectionString({})).toBeUndefined();
    expect(readTelemetryConnectionString({ APPLICATIONINSIGHTS_CONNECTION_STRING: '  ' })).toBeUndefined();
  });

  it.each([
    ['IngestionEndpoint=https://x.in.applicationinsights.azure.com/', /needs InstrumentationKey=<the resource's GUID>/],
    ['InstrumentationKey=abc', /needs InstrumentationKey=<the resource's GUID>/],
    ['InstrumentationKey=3f2a1b4c-0000-4000-8000-123456789abc;IngestionEndpoint=http://x.in.applicationinsights.azure.com/', /IngestionEndpoint must be an https:\/\/ URL \(the identity's token is sent there\)/],
    ['InstrumentationKey=3f2a1b4c-0000-4000-8000-123456789abc;IngestionEndpoint=not a url', /IngestionEndpoint must be an https:\/\/ URL/],
  ])('refuses %j, saying which part is wrong', (value, message) => {
    let thrown: unknown;
    try {
      readTelemetryConnectionString({ APPLICATIONINSIGHTS_CONNECTION_STRING: value });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidSetting);
    const line = describeTelemetryProblem(thrown);
    expect(line).toMatch(message);
    expect(line).toMatch(/^APPLICATIONINSIGHTS_CONNECTION_STRING .*; metrics are off \(e\.g\. InstrumentationKey=00000000-/);
  });
});
