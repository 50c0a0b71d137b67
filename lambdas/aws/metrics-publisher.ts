/** Sends a check's metrics to CloudWatch, at most 1,000 per PutMetricData call. */
import { PutMetricDataCommand, type CloudWatchClient, type StandardUnit } from '@aws-sdk/client-cloudwatch';
import { MAX_METRICS_PER_PUT, batchMetrics, type MetricDatumLike } from '../core/outputs/metrics';

export interface MetricsPublisher {
  /** Returns the number of PutMetricData calls made. */
  publish(namespace: string, datums: readonly MetricDatumLike[]): Promise<number>;
}

export class CloudWatchMetricsPublisher implements MetricsPublisher {
  constructor(
    private readonly client: CloudWatchClient,
    private readonly batchSize: number = MAX_METRICS_PER_PUT,
  ) {}

  async publish(namespace: string, datums: readonly MetricDatumLike[]): Promise<number> {
    const batches = batchMetrics(datums, Math.min(this.batchSize, MAX_METRICS_PER_PUT));
    // Sequential: a handful of calls at most, and a throttled account is not made worse.
    for (const batch of batches) {
      await this.client.send(
        new PutMetricDataCommand({
          Namespace: namespace,
          MetricData: batch.map((d) => ({
            MetricName: d.MetricName,
            Value: d.Value,
            Unit: d.Unit as StandardUnit,
            Timestamp: new Date(d.Timestamp),
            ...(d.Dimensions ? { Dimensions: d.Dimensions.map((x) => ({ Name: x.Name, Value: x.Value })) } : {}),
          })),
        }),
      );
    }
    return batches.length;
  }
}
