/**
 * An in-process OpenTelemetry SDK for one test file: a MeterProvider installed as the global one
 * (where src/metrics records), whose reader exports to sdk-metrics' InMemoryMetricExporter with
 * delta temporality, as the Azure Monitor exporter asks for. `take()` flushes and answers the
 * points recorded since the previous `take()`, flattened.
 */
import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, DataPointType, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll } from 'vitest';

export interface Point {
  name: string;
  /** The value; for a histogram, the sum. */
  value: number;
  /** 1, or a histogram's count. */
  count: number;
  attributes: Record<string, unknown>;
}

export interface InMemoryMetrics {
  take(): Promise<Point[]>;
}

export function useInMemoryMetrics(): InMemoryMetrics {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.DELTA);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({ readers: [reader] });
  beforeAll(() => {
    metrics.disable();
    if (!metrics.setGlobalMeterProvider(provider)) throw new Error('could not install the in-memory meter provider');
  });
  afterAll(async () => {
    metrics.disable();
    await provider.shutdown();
  });
  return {
    async take() {
      await reader.forceFlush();
      const points = exporter.getMetrics().flatMap((resource) =>
        resource.scopeMetrics.flatMap((scope) =>
          scope.metrics.flatMap((metric) =>
            metric.dataPoints.map((p): Point => {
              const histogram = metric.dataPointType === DataPointType.HISTOGRAM ? (p.value as { sum?: number; count: number }) : undefined;
              return { name: metric.descriptor.name, value: histogram ? (histogram.sum ?? 0) : (p.value as number), count: histogram ? histogram.count : 1, attributes: { ...p.attributes } };
            }),
          ),
        ),
      );
      exporter.reset();
      return points;
    },
  };
}

/** The points named `name`. */
export function named(points: readonly Point[], name: string): Point[] {
  return points.filter((p) => p.name === name);
}
