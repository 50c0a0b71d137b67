import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { alarmCount } from '../../lambdas/core/outputs/cost';
import { alarmNotifications, replayAlarm, type AlarmDefinition } from '../support/alarm-evaluation';
import { config } from '../support/findings';
import { EXAMPLE_CONFIG, synthGuard } from './synth';

// Synthesizes stacks: seconds each, more on a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

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

  it('creates the alarms the cost estimate counts, each notifying exactly one topic', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', alarmCount(config(EXAMPLE_CONFIG)));
    for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Alarm[]) {
      expect(alarm.Properties.AlarmActions, String(alarm.Properties.AlarmName)).toHaveLength(1);
    }
  });

  it('sends "not watched" and "alerts not arriving" to the paging topic only, the rest to the alert topic', () => {
    const to = (topic: RegExp) =>
      (Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Alarm[])
        .filter((a) => (a.Properties.AlarmActions ?? []).some((r) => topic.test(JSON.stringify(r))))
        .map((a) => a.Properties.AlarmName)
        .sort();
    expect(to(/NotificationsPagingTopic/)).toEqual(['Guard-AlertDeliveryFailures', 'Guard-CheckerErrors', 'Guard-HeartbeatMissing', 'Guard-SmsSpend']);
    expect(to(/NotificationsTopic[0-9A-F]/)).toEqual([
      'Guard-DeadLetters',
      'Guard-DrNotReady',
      'Guard-DriftFindings',
      'Guard-PagingDeliveryFailures',
      'Guard-ReplicaLagCritical',
      'Guard-UnhealthyReplicas',
    ]);
    // The checker cannot announce its own recovery: the paging alarms say when it is back.
    for (const metric of ['Heartbeat', 'Errors']) {
      expect(JSON.stringify(alarmOn(template, metric).Properties.OKActions)).toMatch(/^\[\{"Ref":"ReplicationGuardNotificationsPagingTopic[0-9A-F]+"\}\]$/);
    }
  });

  it('reports each topic\'s failed deliveries through the other topic', () => {
    const failures = (Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Alarm[]).filter(
      (a) => a.Properties.MetricName === 'NumberOfNotificationsFailed',
    );
    expect(failures).toHaveLength(2);
    for (const alarm of failures) {
      expect(alarm.Properties).toMatchObject({ Namespace: 'AWS/SNS', Statistic: 'Sum', Period: 300, Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
      const watched = JSON.stringify((alarm.Properties.Dimensions as unknown[])[0]);
      const notified = JSON.stringify(alarm.Properties.AlarmActions);
      expect(watched).toMatch(/TopicName/);
      // Watching the paging topic means notifying the alert topic, and the other way round.
      expect(watched.includes('PagingTopic')).toBe(!notified.includes('PagingTopic'));
    }
  });

  it('warns at 80% of the account\'s SMS spend limit, 1 USD unless told otherwise', () => {
    expect(alarmOn(template, 'SMSMonthToDateSpentUSD').Properties).toMatchObject({
      AlarmName: 'Guard-SmsSpend',
      Namespace: 'AWS/SNS',
      Statistic: 'Maximum',
      Threshold: 0.8,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    expect(alarmOn(template, 'SMSMonthToDateSpentUSD').Properties.Dimensions).toBeUndefined();
  });

  it('names each alarm after the deployment and what fired: the name is what the alarm email and SMS show', () => {
    const names = (Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Alarm[]).map((a) => a.Properties.AlarmName);

    expect(new Set(names)).toEqual(
      new Set([
        'Guard-AlertDeliveryFailures',
        'Guard-CheckerErrors',
        'Guard-DeadLetters',
        'Guard-DriftFindings',
        'Guard-DrNotReady',
        'Guard-HeartbeatMissing',
        'Guard-PagingDeliveryFailures',
        'Guard-ReplicaLagCritical',
        'Guard-SmsSpend',
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

  it('alarms on every new arrival in the dead-letter queue, not on its depth', () => {
    // On depth (messages visible) the alarm stayed in ALARM after the first dead letter, and
    // later ones raised nothing. Messages sent per period go back to 0 once arrivals stop.
    expect(template.findResources('AWS::CloudWatch::Alarm', { Properties: { MetricName: 'ApproximateNumberOfMessagesVisible' } })).toEqual({});
    expect(alarmOn(template, 'NumberOfMessagesSent').Properties).toMatchObject({
      AlarmName: 'Guard-DeadLetters',
      Namespace: 'AWS/SQS',
      Statistic: 'Sum',
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [expect.stringMatching(/DeadLetterQueue/), 'QueueName'] } }],
    });
  });

  it('notifies for a second batch of dead letters an hour after the first, with no purge in between', () => {
    // Prepare: 5-minute periods; dead letters arrive in period 1 and period 13, nobody purges.
    const arrivals = Array.from({ length: 18 }, (_, i) => (i === 1 ? 3 : i === 13 ? 1 : 0));
    const sent = arrivals.map((n) => n || undefined);
    let depth = 0;
    const visible = arrivals.map((n) => (depth += n));
    const deadLetters = alarmOn(template, 'NumberOfMessagesSent').Properties as unknown as AlarmDefinition;

    // Act
    const now = alarmNotifications(replayAlarm(deadLetters, sent));
    const onDepth = alarmNotifications(replayAlarm({ ...deadLetters, ComparisonOperator: 'GreaterThanThreshold', Threshold: 0 }, visible));

    // Assess: the arrival alarm fires twice; the depth alarm it replaces fired once and stayed in ALARM.
    expect(now).toBe(2);
    expect(onDepth).toBe(1);
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
    // Recovery is news too, by email and on the phone: the checker cannot announce it itself.
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
  const rangeOk = (alarm: Alarm) => {
    const { Period, EvaluationPeriods } = alarm.Properties as { Period: number; EvaluationPeriods: number };
    // PutMetricAlarm: Period x EvaluationPeriods at most 7 days, at most 1 day for periods under an hour.
    return Period * EvaluationPeriods <= (Period < 3_600 ? 86_400 : 604_800);
  };

  it('keeps every alarm inside CloudWatch\'s evaluation range', () => {
    for (const checkRateMinutes of [1, 30, 59, 60, 720, 1440, 2880, 9000]) {
      const { template } = synthGuard({ ...EXAMPLE_CONFIG, schedule: { checkRateMinutes, driftRateMinutes: 2880 } });
      for (const alarm of Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Alarm[]) {
        expect(rangeOk(alarm), `${checkRateMinutes} min: ${alarm.Properties.AlarmName}`).toBe(true);
      }
    }
  });

  it('waits for three missed checks of a 12-hour schedule before paging (1.5 days, past the short-period 1-day limit)', () => {
    const { template } = synthGuard({ ...EXAMPLE_CONFIG, schedule: { checkRateMinutes: 720 } });

    expect(alarmOn(template, 'Heartbeat').Properties).toMatchObject({ Period: 43_200, EvaluationPeriods: 3, DatapointsToAlarm: 3 });
  });

  it('never pages between two healthy runs of a schedule longer than a day', () => {
    const { template } = synthGuard({ ...EXAMPLE_CONFIG, schedule: { checkRateMinutes: 2880 } });
    const { Period, EvaluationPeriods, DatapointsToAlarm } = alarmOn(template, 'Heartbeat').Properties as Record<string, number>;

    // Daily periods, and a window of three missed runs: a run every 2 days leaves at most one empty day.
    expect(Period).toBe(86_400);
    expect(EvaluationPeriods).toBe(6);
    expect(DatapointsToAlarm).toBe(6);
    expect(Period! * EvaluationPeriods!).toBeGreaterThan(2880 * 60);
  });

  it('refuses a schedule the 7-day range cannot tell from a stopped checker, naming the key', () => {
    expect(() => synthGuard({ ...EXAMPLE_CONFIG, schedule: { checkRateMinutes: 10_080 } })).toThrow(/schedule\.checkRateMinutes: must be a whole number between 1 and 10,079 minutes \(got 10080\)/);
  });
});
