/**
 * The instruments of METRICS, made from the global OpenTelemetry meter. Code that records
 * metrics calls the OpenTelemetry API, and only the entry points install an SDK (metricsExport.ts:
 * the Azure Monitor exporter; tests: an in-memory reader): that is how OpenTelemetry is meant to
 * be used, and it keeps the recording calls out of every function signature. Without an SDK the
 * API's meter does nothing, at the cost of a function call.
 *
 * Instruments are made once per meter: the SDK's meter when one is installed (a later one gets
 * its own), else the API's no-op meter.
 */
import { metrics, type Counter, type Gauge, type Histogram, type Meter } from '@opentelemetry/api';
import { METRICS, type MetricKey } from './metricNames.js';

export const METER_NAME = 'acr-aks-sync';

type Instrument<K extends MetricKey> = (typeof METRICS)[K]['kind'] extends 'counter' ? Counter : (typeof METRICS)[K]['kind'] extends 'gauge' ? Gauge : Histogram;
export type Instruments = { [K in MetricKey]: Instrument<K> };

const made = new WeakMap<Meter, Instruments>();

function make(meter: Meter): Instruments {
  const entries = Object.entries(METRICS).map(([key, m]) => {
    const options = { unit: m.unit, description: m.description };
    if (m.kind === 'counter') return [key, meter.createCounter(m.name, options)];
    if (m.kind === 'gauge') return [key, meter.createGauge(m.name, options)];
    return [key, meter.createHistogram(m.name, options)];
  });
  return Object.fromEntries(entries) as Instruments;
}

/** The instruments of the meter installed now. */
export function instruments(): Instruments {
  const meter = metrics.getMeter(METER_NAME);
  let found = made.get(meter);
  if (!found) {
    found = make(meter);
    made.set(meter, found);
  }
  return found;
}
