/**
 * APPLICATIONINSIGHTS_CONNECTION_STRING, the platform's setting that names the Application
 * Insights resource (infra/ sets it; the Functions host reads it too). It is not ours, so it is
 * not in CONFIG_VARIABLES, which the Bicep checks compare with the app settings. When it is set,
 * the metrics are exported there (src/metrics/metricsExport.ts) with the app's identity; a value
 * that cannot work turns the metrics off with a reason, and the scans go on.
 */
import { InvalidSetting } from './invalidSetting.js';
import { keyValueList } from '../util/keyValueList.js';
import { settingText } from './settings.js';

export const TELEMETRY_CONNECTION_SETTING = 'APPLICATIONINSIGHTS_CONNECTION_STRING';

const EXAMPLE = 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The connection string when it is set and usable; undefined when unset. Throws InvalidSetting
 * naming the part that is wrong (the value itself is not repeated: it is long, and says nothing
 * the part's name does not).
 */
export function readTelemetryConnectionString(env: Record<string, string | undefined>): string | undefined {
  const value = settingText(env[TELEMETRY_CONNECTION_SETTING]);
  if (value === undefined) return undefined;
  const given = keyValueList(value);
  const key = given.get('instrumentationkey');
  if (!key || !GUID.test(key)) throw new InvalidSetting([{ message: 'needs InstrumentationKey=<the resource\'s GUID>', example: EXAMPLE }]);
  const endpoint = given.get('ingestionendpoint');
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    // The identity's token goes there: only over TLS.
    if (url?.protocol !== 'https:') throw new InvalidSetting([{ message: 'IngestionEndpoint must be an https:// URL (the identity\'s token is sent there)', example: EXAMPLE }]);
  }
  return value;
}

/** One line saying why the metrics are off, for the logs. */
export function describeTelemetryProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `${TELEMETRY_CONNECTION_SETTING} ${message}; metrics are off (e.g. ${EXAMPLE})`;
}
