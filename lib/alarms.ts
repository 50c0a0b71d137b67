import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { Config } from '../lambdas/core/config';
import { METRIC_DIMENSIONS, METRIC_NAMES } from '../lambdas/core/metrics';

export interface GuardAlarmsProps {
  readonly config: Config;
  readonly topic: sns.ITopic;
  readonly checker: lambda.IFunction;
}

/** Alarm evaluation ranges are limited to one day. */
const MAX_RANGE_SECONDS = 86_400;

function periodMinutes(minutes: number): Duration {
  return Duration.minutes(Math.min(minutes, MAX_RANGE_SECONDS / 60));
}

/** N periods of `period`, never past the one-day evaluation range. */
function periodsWithin(period: Duration, wanted: number): number {
  return Math.max(1, Math.min(wanted, Math.floor(MAX_RANGE_SECONDS / period.toSeconds())));
}

/**
 * The alarms, all to the alert topic. They back up the checker's own notifications with
 * CloudWatch's view: the fleet metrics, and the checker watching itself (heartbeat, errors).
 */
export class GuardAlarms extends Construct {
  readonly unhealthyReplicas: cloudwatch.Alarm;
  readonly maxReplicaLag: cloudwatch.Alarm;
  readonly heartbeatMissing: cloudwatch.Alarm;
  readonly checkerErrors: cloudwatch.Alarm;
  readonly drNotReady: cloudwatch.Alarm;
  readonly driftFindings?: cloudwatch.Alarm;
  readonly all: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: GuardAlarmsProps) {
    super(scope, id);
    const { config } = props;
    const namespace = config.metrics.namespace;
    const runbook = config.runbookBaseUrl;
    const healthPeriod = periodMinutes(config.schedule.checkRateMinutes);
    const metric = (metricName: string, period: Duration, statistic: string, dimensionsMap?: Record<string, string>) =>
      new cloudwatch.Metric({ namespace, metricName, period, statistic, ...(dimensionsMap ? { dimensionsMap } : {}) });

    this.unhealthyReplicas = new cloudwatch.Alarm(this, 'UnhealthyReplicas', {
      alarmDescription:
        `Replicas not healthy (lagging, broken or unknown) in the last health check. The checker's email names them; runbook: ${runbook}. ` +
        'Missing data keeps the last state: the heartbeat alarm owns "the checker stopped".',
      metric: metric(METRIC_NAMES.unhealthyReplicas, healthPeriod, 'Maximum'),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });

    // The same M-of-N as the lag rule, so the alarm and the findings agree on "sustained".
    const lagPeriods = periodsWithin(healthPeriod, config.lag.evaluationPeriods);
    this.maxReplicaLag = new cloudwatch.Alarm(this, 'MaxReplicaLag', {
      alarmDescription:
        `Worst replica lag above the critical threshold (${config.lag.criticalSeconds} s) in ${config.lag.datapointsToAlarm} of ${config.lag.evaluationPeriods} checks. ` +
        `Per-replica overrides are applied by the checker, not here. Runbook: ${runbook}. ` +
        'Missing data (no replica lag known) keeps the last state: unknown is not healthy.',
      metric: metric(METRIC_NAMES.maxReplicaLagSeconds, healthPeriod, 'Maximum'),
      threshold: config.lag.criticalSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: lagPeriods,
      datapointsToAlarm: Math.min(config.lag.datapointsToAlarm, lagPeriods),
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });

    // Three missed health checks in a row: one late run is not worth a page.
    const heartbeatPeriods = periodsWithin(healthPeriod, 3);
    this.heartbeatMissing = new cloudwatch.Alarm(this, 'HeartbeatMissing', {
      alarmDescription:
        'The health check stopped reporting: replication is NOT being watched. Check the checker function\'s logs and dead-letter queue. ' +
        'Missing data is breaching: the monitor watches itself.',
      metric: metric(METRIC_NAMES.heartbeat, healthPeriod, 'Sum', { [METRIC_DIMENSIONS.scope]: 'health' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: heartbeatPeriods,
      datapointsToAlarm: heartbeatPeriods,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    this.checkerErrors = new cloudwatch.Alarm(this, 'CheckerErrors', {
      alarmDescription:
        'The checker function failed (an output such as metrics, alert states or SNS failed, or the run crashed). See its logs. ' +
        'Missing data is not breaching: no invocation is no error, and the heartbeat alarm covers silence.',
      metric: props.checker.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const drPeriods = periodsWithin(healthPeriod, 3);
    this.drNotReady = new cloudwatch.Alarm(this, 'DrNotReady', {
      alarmDescription:
        `Primaries that need DR have no ready replica in another region (or readiness is unknown) for ${drPeriods} checks in a row. Runbook: ${runbook}. ` +
        'Missing data keeps the last state: the heartbeat alarm owns "the checker stopped".',
      metric: metric(METRIC_NAMES.drNotReadyPrimaries, healthPeriod, 'Maximum'),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: drPeriods,
      datapointsToAlarm: drPeriods,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });

    if (config.drift.enabled) {
      this.driftFindings = new cloudwatch.Alarm(this, 'DriftFindings', {
        alarmDescription:
          `Parameter or configuration drift found by the drift check. The checker's email names each parameter; runbook: ${runbook}. ` +
          'Missing data keeps the last state: the drift check reports only every few minutes, and an unreadable fleet is not drift-free.',
        metric: metric(METRIC_NAMES.driftFindings, periodMinutes(config.schedule.driftRateMinutes), 'Maximum'),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.IGNORE,
      });
    }

    this.all = [
      this.unhealthyReplicas,
      this.maxReplicaLag,
      this.heartbeatMissing,
      this.checkerErrors,
      this.drNotReady,
      ...(this.driftFindings ? [this.driftFindings] : []),
    ];
    const action = new actions.SnsAction(props.topic);
    for (const alarm of this.all) alarm.addAlarmAction(action);
    // The checker cannot say it recovered itself: tell people when it is back.
    this.heartbeatMissing.addOkAction(action);
    this.checkerErrors.addOkAction(action);
  }
}
