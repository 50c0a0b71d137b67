import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConfigError, type Config } from '../lambdas/core/config';
import { METRIC_DIMENSIONS, METRIC_NAMES } from '../lambdas/core/outputs/metrics';

export interface GuardAlarmsProps {
  readonly config: Config;
  /** The alert topic: fleet alarms and dead letters (email; phones only take checker news there). */
  readonly topic: sns.ITopic;
  /**
   * The paging topic, with its own key: the alarms that say replication is not being watched or
   * alerts are not arriving (email and SMS without a filter).
   */
  readonly pagingTopic: sns.ITopic;
  /**
   * The account's monthly SMS spend limit in USD (SNS `MonthlySpendLimit`): the SmsSpend alarm
   * fires at 80% of it, before SNS stops sending SMS. Only with SMS numbers in the config.
   * @default 1 (the limit of a new account)
   */
  readonly smsMonthlySpendLimitUsd?: number;
  readonly checker: lambda.IFunction;
  /** Checks that failed every retry, or that EventBridge could not deliver. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * Alarm names are `<prefix>-<alarm>`: the name is what an alarm's email subject and SMS show,
   * so it must say what fired, and which deployment.
   */
  readonly namePrefix: string;
}

/** New accounts may spend 1 USD a month on SMS (SNS MonthlySpendLimit). */
export const DEFAULT_SMS_SPEND_LIMIT_USD = 1;
/** Share of the SMS spend limit at which the SmsSpend alarm fires. */
export const SMS_SPEND_ALARM_SHARE = 0.8;

/** Alarm periods stay at or under a day: graphs and alarms share the period. */
const MAX_PERIOD_SECONDS = 86_400;
/** Period × EvaluationPeriods may reach 7 days, but only 1 day for periods under an hour (PutMetricAlarm). */
const MAX_RANGE_SECONDS = 604_800;
const MAX_RANGE_SHORT_PERIOD_SECONDS = 86_400;

function periodMinutes(minutes: number): Duration {
  return Duration.minutes(Math.min(minutes, MAX_PERIOD_SECONDS / 60));
}

/** The longest evaluation range CloudWatch accepts for this period. */
export function maxEvaluationRangeSeconds(periodSeconds: number): number {
  return periodSeconds < 3_600 ? MAX_RANGE_SHORT_PERIOD_SECONDS : MAX_RANGE_SECONDS;
}

/**
 * Period and number of periods that cover `checks` runs of a schedule of `rateMinutes`, within
 * CloudWatch's evaluation range. A schedule longer than a day gets daily periods, as many as
 * cover the runs; the window must still be longer than one run, or the alarm would fire between
 * two healthy runs.
 */
export function checksWindow(rateMinutes: number, checks: number): { period: Duration; periods: number } {
  const period = periodMinutes(rateMinutes);
  const periodSeconds = period.toSeconds();
  const wanted = Math.ceil((checks * rateMinutes * 60) / periodSeconds);
  const periods = Math.max(1, Math.min(wanted, Math.floor(maxEvaluationRangeSeconds(periodSeconds) / periodSeconds)));
  if (periods * periodSeconds <= rateMinutes * 60) {
    throw new ConfigError(
      `Invalid config:\n  schedule.checkRateMinutes: must be under ${MAX_RANGE_SECONDS / 60} minutes (7 days): a CloudWatch alarm looks back at most 7 days, so "the checker stopped" could not be told from a healthy schedule (got ${rateMinutes}).`,
    );
  }
  return { period, periods };
}

/**
 * The alarms, each to one topic (see `paging` and `alerting`). They back up the checker's own notifications with
 * CloudWatch's view: the fleet metrics, and the checker watching itself (heartbeat, errors,
 * dead letters). The fleet alarms count what the checker counts (its thresholds, overrides and
 * suppressions), so an alarm never pages for what the config says may happen.
 */
export class GuardAlarms extends Construct {
  readonly unhealthyReplicas: cloudwatch.Alarm;
  readonly replicaLagCritical: cloudwatch.Alarm;
  readonly heartbeatMissing: cloudwatch.Alarm;
  readonly checkerErrors: cloudwatch.Alarm;
  readonly deadLetters: cloudwatch.Alarm;
  readonly drNotReady: cloudwatch.Alarm;
  readonly driftFindings?: cloudwatch.Alarm;
  /** The alert topic failed deliveries (email or SMS). */
  readonly alertDeliveryFailures: cloudwatch.Alarm;
  /** The paging topic failed deliveries (email or SMS). */
  readonly pagingDeliveryFailures: cloudwatch.Alarm;
  /** Month-to-date SMS spend near the account's limit (only with SMS numbers). */
  readonly smsSpend?: cloudwatch.Alarm;
  readonly all: readonly cloudwatch.Alarm[];
  /** The alarms that notify the paging topic (and only it). */
  readonly paging: readonly cloudwatch.Alarm[];
  /** The alarms that notify the alert topic. */
  readonly alerting: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: GuardAlarmsProps) {
    super(scope, id);
    const { config } = props;
    const namespace = config.metrics.namespace;
    const runbook = config.runbookBaseUrl;
    const healthPeriod = periodMinutes(config.schedule.checkRateMinutes);
    // Three missed health checks in a row: one late run is not worth a page.
    const threeChecks = checksWindow(config.schedule.checkRateMinutes, 3);
    const metric = (metricName: string, period: Duration, statistic: string, dimensionsMap?: Record<string, string>) =>
      new cloudwatch.Metric({ namespace, metricName, period, statistic, ...(dimensionsMap ? { dimensionsMap } : {}) });
    const alarmName = (id: string) => `${props.namePrefix}-${id}`;

    this.unhealthyReplicas = new cloudwatch.Alarm(this, 'UnhealthyReplicas', {
      alarmName: alarmName('UnhealthyReplicas'),
      alarmDescription:
        `Replicas not healthy (lagging, broken or unknown) in the last health check; replicas whose problem is suppressed in the config are not counted. The checker's email names them; runbook: ${runbook}. ` +
        'Missing data keeps the last state: the heartbeat alarm owns "the checker stopped".',
      metric: metric(METRIC_NAMES.unhealthyReplicas, healthPeriod, 'Maximum'),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });

    // The checker's own verdict (REPLICA_LAG_HIGH critical): each replica against its own threshold
    // (lagOverrides), sustained M of N, suppressions applied. A fleet-wide max against one global
    // threshold would page for every replica an override or a suppression says may lag.
    this.replicaLagCritical = new cloudwatch.Alarm(this, 'ReplicaLagCritical', {
      alarmName: alarmName('ReplicaLagCritical'),
      alarmDescription:
        `Replicas over their critical lag threshold (lag.criticalSeconds = ${config.lag.criticalSeconds} s, or the lagOverride that matches) in ${config.lag.datapointsToAlarm} of ${config.lag.evaluationPeriods} datapoints. ` +
        `The checker's email names them; runbook: ${runbook}. Missing data keeps the last state: unknown is not healthy.`,
      metric: metric(METRIC_NAMES.replicasOverCriticalLag, healthPeriod, 'Maximum'),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });

    this.heartbeatMissing = new cloudwatch.Alarm(this, 'HeartbeatMissing', {
      alarmName: alarmName('HeartbeatMissing'),
      alarmDescription:
        'The health check stopped reporting: replication is NOT being watched. Check the checker function\'s logs and dead-letter queue. ' +
        'Missing data is breaching: the monitor watches itself.',
      metric: metric(METRIC_NAMES.heartbeat, threeChecks.period, 'Sum', { [METRIC_DIMENSIONS.scope]: 'health' }),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: threeChecks.periods,
      datapointsToAlarm: threeChecks.periods,
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });

    this.checkerErrors = new cloudwatch.Alarm(this, 'CheckerErrors', {
      alarmName: alarmName('CheckerErrors'),
      alarmDescription:
        'The checker function failed (an output such as metrics, alert states or SNS failed, or the run crashed). See its logs. ' +
        'Missing data is not breaching: no invocation is no error, and the heartbeat alarm covers silence.',
      metric: props.checker.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    // Errors only count invocations that ran; a check EventBridge could not deliver, or that Lambda
    // kept queued past its maximum age (throttled by the account's concurrency), shows only here.
    // New arrivals, not the queue depth: on depth the alarm stays in ALARM after the first dead
    // letter and every later one arrives unannounced.
    this.deadLetters = new cloudwatch.Alarm(this, 'DeadLetters', {
      alarmName: alarmName('DeadLetters'),
      alarmDescription:
        'New checks landed in the checker\'s dead-letter queue in the last 5 minutes: they failed every retry, expired in the queue or could not be delivered. ' +
        'Read the messages (they carry the error) and fix the cause. The alarm fires again for every later arrival and clears by itself; the queue keeps messages 14 days. Missing data is not breaching: an idle queue reports nothing.',
      metric: props.deadLetterQueue.metricNumberOfMessagesSent({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const drPeriods = threeChecks.periods;
    this.drNotReady = new cloudwatch.Alarm(this, 'DrNotReady', {
      alarmName: alarmName('DrNotReady'),
      alarmDescription:
        `Primaries that need DR have no ready replica in another region (or readiness is unknown) for 3 health checks in a row (at most 7 days). Runbook: ${runbook}. ` +
        'Missing data keeps the last state: the heartbeat alarm owns "the checker stopped".',
      metric: metric(METRIC_NAMES.drNotReadyPrimaries, threeChecks.period, 'Maximum'),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: drPeriods,
      datapointsToAlarm: drPeriods,
      treatMissingData: cloudwatch.TreatMissingData.IGNORE,
    });

    if (config.drift.enabled) {
      this.driftFindings = new cloudwatch.Alarm(this, 'DriftFindings', {
        alarmName: alarmName('DriftFindings'),
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

    // Each topic's failed deliveries are reported through the other topic: a path cannot be
    // trusted to announce its own failure.
    const deliveryFailures = (id: string, topic: sns.ITopic, which: string, via: string) =>
      new cloudwatch.Alarm(this, id, {
        alarmName: alarmName(id),
        alarmDescription:
          `SNS failed to deliver messages of the ${which} topic (email or SMS) in the last 5 minutes: people may not have received alerts. ` +
          `This alarm arrives through the ${via} topic. Check the subscriptions (unconfirmed or bouncing email, SMS sandbox, opted-out numbers, spend limit) and the SMS delivery-status logs. Missing data is not breaching: no delivery, no failure.`,
        metric: topic.metricNumberOfNotificationsFailed({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    this.alertDeliveryFailures = deliveryFailures('AlertDeliveryFailures', props.topic, 'alert', 'paging');
    this.pagingDeliveryFailures = deliveryFailures('PagingDeliveryFailures', props.pagingTopic, 'paging', 'alert');

    if (config.notifications.smsNumbers.length > 0) {
      const limit = props.smsMonthlySpendLimitUsd ?? DEFAULT_SMS_SPEND_LIMIT_USD;
      if (!(limit > 0) || !Number.isFinite(limit)) {
        throw new ConfigError(`Invalid config:\n  smsMonthlySpendLimitUsd: must be a positive number of US dollars, the account's SNS MonthlySpendLimit (got ${limit}).`);
      }
      const threshold = Math.round(limit * SMS_SPEND_ALARM_SHARE * 100) / 100;
      this.smsSpend = new cloudwatch.Alarm(this, 'SmsSpend', {
        alarmName: alarmName('SmsSpend'),
        alarmDescription:
          `SMS spend this month reached ${threshold} USD, ${SMS_SPEND_ALARM_SHARE * 100}% of the account's SMS spend limit (${limit} USD): once the limit is reached SNS stops sending SMS, pages included, until the month ends. ` +
          'Raise the limit (Service Quotas case, then SNS > Text messaging > Spend limit); see docs/deploy.md. Missing data is not breaching: no SMS sent this month.',
        metric: new cloudwatch.Metric({ namespace: 'AWS/SNS', metricName: 'SMSMonthToDateSpentUSD', period: Duration.minutes(5), statistic: 'Maximum' }),
        threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    // Only "replication is not being watched" and "alerts are not arriving" page: the fleet alarms
    // repeat findings the checker already pages for by name (at smsMinSeverity), and
    // UnhealthyReplicas fires on warnings too. The paging topic has its own key and email
    // subscriptions, so these reach people even when the alert topic or its key fails.
    this.paging = [this.heartbeatMissing, this.checkerErrors, this.alertDeliveryFailures, ...(this.smsSpend ? [this.smsSpend] : [])];
    this.alerting = [
      this.unhealthyReplicas,
      this.replicaLagCritical,
      this.deadLetters,
      this.drNotReady,
      ...(this.driftFindings ? [this.driftFindings] : []),
      this.pagingDeliveryFailures,
    ];
    this.all = [
      this.unhealthyReplicas,
      this.replicaLagCritical,
      this.heartbeatMissing,
      this.checkerErrors,
      this.deadLetters,
      this.drNotReady,
      ...(this.driftFindings ? [this.driftFindings] : []),
      this.alertDeliveryFailures,
      this.pagingDeliveryFailures,
      ...(this.smsSpend ? [this.smsSpend] : []),
    ];
    const alert = new actions.SnsAction(props.topic);
    for (const alarm of this.alerting) alarm.addAlarmAction(alert);
    const page = new actions.SnsAction(props.pagingTopic);
    for (const alarm of this.paging) alarm.addAlarmAction(page);
    // The checker cannot say it recovered itself: tell people (and phones) when it is back.
    for (const alarm of [this.heartbeatMissing, this.checkerErrors]) alarm.addOkAction(page);
  }

  /** Names of the alarms that publish to each topic: the topic policies admit exactly these. */
  names(which: 'alerting' | 'paging'): string[] {
    return (which === 'paging' ? this.paging : this.alerting).map((alarm) => (alarm.node.defaultChild as cloudwatch.CfnAlarm).alarmName!);
  }
}
