import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { alarmCount } from '../../lambdas/core/cost';
import { config } from '../support/findings';
import { EXAMPLE_CONFIG, synthGuard } from './synth';

type Alarm = { Properties: Record<string, unknown> & { AlarmActions?: unknown[]; OKActions?: unknown[] } };
const alarmOn = (template: Template, metricName: string): Alarm => {
  const found = (Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Alarm[]).filter(
    (a) => a.Properties.MetricName === metricName,
  );
  expect(found, metricName).toHaveLength(1);
  return found[0]!;
};

describe('GuardAlarms', () => {
  let template: Template;
  beforeAll(() => {
    template = synthGuard({ ...EXAMPLE_CONFIG, lag: { criticalSeconds: 120, warningSeconds: 20 } }).template;
  });

  it('creates the alarms the cost estimate counts, all notifying the alert topic', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', alarmCount(config(EXAMPLE_CONFIG)));
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Alarm[]) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/Topic/) }]);
    }
  });

  it('names each alarm after the deployment and what fired: the name is what the alarm email and SMS show', () => {
    const names = (Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Alarm[]).map((a) => a.Properties.AlarmName);

    expect(new Set(names)).toEqual(
      new Set([
        'Guard-CheckerErrors',
        'Guard-DeadLetters',
        'Guard-DriftFindings',
        'Guard-DrNotReady',
        'Guard-HeartbeatMissing',
        'Guard-ReplicaLagCritical',
        'Guard-UnhealthyReplicas',
      ]),
    );
  });

  it('alarms on any unhealthy replica, keeping its state while no data comes', () => {
    expect(alarmOn(template, 'UnhealthyReplicas').Properties).toMatchObject({
      Namespace: 'ReplicationGuard',
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'ignore',
    });
  });

  it('alarms on replicas over their own critical lag threshold, as the checker judged them', () => {
    const alarm = alarmOn(template, 'ReplicasOverCriticalLag');

    expect(alarm.Properties).toMatchObject({
      Namespace: 'ReplicationGuard',
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'ignore',
    });
    expect(alarm.Properties.AlarmDescription).toContain('120 s, or the lagOverride that matches');
    // The raw fleet maximum ignores overrides and suppressions: graphed, never alarmed on.
    expect((Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Alarm[]).filter((a) => a.Properties.MetricName === 'MaxReplicaLagSeconds')).toEqual([]);
  });

  it('alarms on checks that ended in the dead-letter queue', () => {
    expect(alarmOn(template, 'ApproximateNumberOfMessagesVisible').Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetterQueue/), 'QueueName'] } }],
    });
  });

  it('alarms when the health check stops reporting: missing data is breaching', () => {
    const heartbeat = alarmOn(template, 'Heartbeat');
    expect(heartbeat.Properties).toMatchObject({
      Dimensions: [{ Name: 'Scope', Value: 'health' }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: 3,
      TreatMissingData: 'breaching',
    });
    // Recovery is news too: the checker cannot announce it itself.
    expect(heartbeat.Properties.OKActions).toHaveLength(1);
  });

  it('alarms on checker errors, treating no invocations as no errors', () => {
    expect(alarmOn(template, 'Errors').Properties).toMatchObject({
      Namespace: 'AWS/Lambda',
      Statistic: 'Sum',
      Threshold: 0,
      TreatMissingData: 'notBreaching',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: expect.stringMatching(/CheckerFunction/) } }],
    });
  });

  it('alarms on DR not ready and on drift', () => {
    expect(alarmOn(template, 'DrNotReadyPrimaries').Properties).toMatchObject({ Threshold: 0, EvaluationPeriods: 3, TreatMissingData: 'ignore' });
    expect(alarmOn(template, 'DriftFindings').Properties).toMatchObject({ Threshold: 0, Period: 900, TreatMissingData: 'ignore' });
  });
});

describe('GuardAlarms with slow schedules', () => {
  it('keeps every alarm inside the one-day evaluation range', () => {
    const { template } = synthGuard({ ...EXAMPLE_CONFIG, schedule: { checkRateMinutes: 720, driftRateMinutes: 2880 } });

    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Alarm[]) {
      const { Period, EvaluationPeriods } = alarm.Properties as { Period: number; EvaluationPeriods: number };
      expect(Period * EvaluationPeriods).toBeLessThanOrEqual(86_400);
    }
    expect(alarmOn(template, 'DriftFindings').Properties.Period).toBe(86_400);
  });
});
