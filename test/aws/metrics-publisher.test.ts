/// <reference types="aws-sdk-client-mock-vitest/extend" />
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { toHaveReceivedCommandTimes, toHaveReceivedCommandWith } from 'aws-sdk-client-mock-vitest';
import { beforeEach, describe, expect, it } from 'vitest';
import { CloudWatchMetricsPublisher } from '../../lambdas/aws/metrics-publisher';
import type { MetricDatumLike } from '../../lambdas/core/outputs/metrics';

expect.extend({ toHaveReceivedCommandTimes, toHaveReceivedCommandWith });

const datum = (i: number): MetricDatumLike => ({
  MetricName: 'ReplicaLagSeconds',
  Dimensions: [
    { Name: 'Region', Value: 'us-east-1' },
    { Name: 'ReplicaId', Value: `replica-${i}` },
  ],
  Value: i,
  Unit: 'Seconds',
  Timestamp: '2026-11-24T10:00:00.000Z',
});

describe('CloudWatchMetricsPublisher', () => {
  const cw = mockClient(CloudWatchClient);
  beforeEach(() => cw.reset());

  it('sends at most 1,000 metrics per PutMetricData call, all of them, in the namespace', async () => {
    // Prepare
    cw.on(PutMetricDataCommand).resolves({});
    const datums = Array.from({ length: 2_001 }, (_, i) => datum(i));

    // Act
    const calls = await new CloudWatchMetricsPublisher(new CloudWatchClient({ region: 'us-east-1' })).publish('ReplicationGuard', datums);

    // Assess
    expect(calls).toBe(3);
    expect(cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 3);
    const sent = cw.commandCalls(PutMetricDataCommand).map((c) => c.args[0].input);
    expect(sent.map((input) => input.MetricData!.length)).toEqual([1000, 1000, 1]);
    expect(sent.every((input) => input.Namespace === 'ReplicationGuard')).toBe(true);
    expect(sent[2]!.MetricData![0]).toEqual({
      MetricName: 'ReplicaLagSeconds',
      Dimensions: [
        { Name: 'Region', Value: 'us-east-1' },
        { Name: 'ReplicaId', Value: 'replica-2000' },
      ],
      Value: 2000,
      Unit: 'Seconds',
      Timestamp: new Date('2026-11-24T10:00:00.000Z'),
    });
  });

  it('makes no call when there is nothing to send', async () => {
    const calls = await new CloudWatchMetricsPublisher(new CloudWatchClient({ region: 'us-east-1' })).publish('ReplicationGuard', []);

    expect(calls).toBe(0);
    expect(cw).toHaveReceivedCommandTimes(PutMetricDataCommand, 0);
  });
});
