/**
 * Who gets paged, decided on the real artefacts: the SNS subscriptions of the synthesized
 * template, evaluated with SNS's documented filter semantics (test/support/sns-filter-policy)
 * against the attributes the checker really publishes (the publisher's own request builder on
 * notifications built by the lifecycle and notify code) and against CloudWatch alarm
 * notifications, which carry no message attributes.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { publishInput } from '../../lambdas/aws/sns-publisher';
import { planTransitions, type AlertState } from '../../lambdas/core/outputs/alert-lifecycle';
import type { Config } from '../../lambdas/core/config';
import type { Severity } from '../../lambdas/core/findings';
import { buildNotification } from '../../lambdas/core/outputs/notify';
import { ENV_NAMES } from '../../lambdas/checker/env';
import { finding } from '../support/findings';
import { snsFilterAccepts, type FilterPolicyScope, type PublishedAttributes } from '../support/sns-filter-policy';
import { EXAMPLE_CONFIG, synthGuard } from './synth';
import { NOW_DATE } from '../support/fleet';

// Synthesizes stacks: seconds each, more on a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const EMAIL = 'dba-oncall@example.com';
const PHONES = ['+14155550100', '+14155550199'];
/** What a CloudWatch alarm notification carries. */
const NO_ATTRIBUTES: PublishedAttributes = {};

type Ref = { Ref: string };
interface Subscription {
  readonly Protocol: string;
  readonly Endpoint: string;
  readonly TopicArn: Ref;
  readonly FilterPolicy?: Record<string, unknown>;
  readonly FilterPolicyScope?: FilterPolicyScope;
}

class Deployment {
  readonly config: Config;
  private readonly template: Template;

  constructor(input: typeof EXAMPLE_CONFIG) {
    const { stack, template } = synthGuard(input);
    this.config = stack.guard.config;
    this.template = template;
  }

  private subscriptions(): Subscription[] {
    return Object.values(this.template.findResources('AWS::SNS::Subscription')).map((r) => (r as { Properties: Subscription }).Properties);
  }

  /** The endpoints a message to these topics reaches, once per delivery. */
  deliveries(topics: readonly string[], attributes: PublishedAttributes): string[] {
    return this.subscriptions()
      .filter((s) => topics.includes(s.TopicArn.Ref))
      .filter((s) => snsFilterAccepts(s.FilterPolicy, attributes, s.FilterPolicyScope ?? 'MessageAttributes'))
      .map((s) => `${s.Protocol}:${s.Endpoint}`)
      .sort();
  }

  /** The topic the checker publishes to, as its environment names it. */
  checkerTopic(): string {
    const fn = Object.values(this.template.findResources('AWS::Lambda::Function')).find(
      (f) => (f as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties.Environment?.Variables?.[ENV_NAMES.topicArn],
    ) as { Properties: { Environment: { Variables: Record<string, Ref> } } };
    return fn.Properties.Environment.Variables[ENV_NAMES.topicArn]!.Ref;
  }

  alarmTopics(alarmSuffix: string, kind: 'AlarmActions' | 'OKActions'): string[] {
    const alarm = Object.values(this.template.findResources('AWS::CloudWatch::Alarm')).find(
      (a) => (a as { Properties: { AlarmName: string } }).Properties.AlarmName === `Guard-${alarmSuffix}`,
    ) as { Properties: Record<string, Ref[] | undefined> } | undefined;
    expect(alarm, alarmSuffix).toBeDefined();
    return (alarm!.Properties[kind] ?? []).map((r) => r.Ref);
  }

  /** Who receives the checker's message for a run whose news is one finding opening (or resolving) at `severity`. */
  checkerNews(severity: Severity, kind: 'opened' | 'resolved' = 'opened'): string[] {
    const f = finding({ code: 'REPLICATION_BROKEN', severity, resource: 'orders-ro-west', region: 'us-west-2' });
    const lifecycle = (findings: typeof f[], previous: AlertState[], now: Date) =>
      planTransitions({ scope: 'health', previous, findings, now, reminderHours: 4, minSeverity: this.config.notifications.minSeverity });
    let plan = lifecycle([f], [], NOW_DATE);
    if (kind === 'resolved') {
      const open = plan.transitions.map(({ next: { unsent: _u, ...state } }) => state);
      plan = lifecycle([], open, new Date(NOW_DATE.getTime() + 60_000));
    }
    const notification = buildNotification({
      scope: 'health',
      transitions: plan.transitions,
      open: plan.open,
      checkedAt: NOW_DATE.toISOString(),
      runbookBaseUrl: this.config.runbookBaseUrl,
      smsMinSeverity: this.config.notifications.smsMinSeverity,
      reminderHours: this.config.notifications.reminderHours,
    });
    if (!notification) return [];
    const request = publishInput(notification, 'arn:aws:sns:eu-west-1:123456789012:alerts');
    return this.deliveries([this.checkerTopic()], request.MessageAttributes as PublishedAttributes);
  }

  alarm(alarmSuffix: string, kind: 'AlarmActions' | 'OKActions' = 'AlarmActions'): string[] {
    return this.deliveries(this.alarmTopics(alarmSuffix, kind), NO_ATTRIBUTES);
  }
}

const email = [`email:${EMAIL}`];
const phones = PHONES.map((p) => `sms:${p}`);
const everyone = [...email, ...phones].sort();

describe('Who gets paged (smsMinSeverity critical, the default)', () => {
  let deployment: Deployment;
  beforeAll(() => {
    deployment = new Deployment({
      ...EXAMPLE_CONFIG,
      notifications: { emails: [EMAIL], smsNumbers: PHONES, minSeverity: 'info' },
    });
  });

  it('critical news reaches the inbox and every phone, once each', () => {
    expect(deployment.checkerNews('critical')).toEqual(everyone);
  });

  it('warning and info news reach the inbox only', () => {
    expect(deployment.checkerNews('warning')).toEqual(email);
    expect(deployment.checkerNews('info')).toEqual(email);
  });

  it('the resolution of a critical alert reaches the phones that were paged for it', () => {
    expect(deployment.checkerNews('critical', 'resolved')).toEqual(everyone);
    expect(deployment.checkerNews('warning', 'resolved')).toEqual(email);
  });

  it('the dead-man\'s switch pages: HeartbeatMissing reaches every phone and the inbox, going off and coming back', () => {
    expect(deployment.alarm('HeartbeatMissing')).toEqual(everyone);
    expect(deployment.alarm('HeartbeatMissing', 'OKActions')).toEqual(everyone);
  });

  it('CheckerErrors pages, going off and coming back', () => {
    expect(deployment.alarm('CheckerErrors')).toEqual(everyone);
    expect(deployment.alarm('CheckerErrors', 'OKActions')).toEqual(everyone);
  });

  it('the fleet alarms and DeadLetters reach the inbox only: the checker pages for the same findings by name', () => {
    for (const name of ['UnhealthyReplicas', 'ReplicaLagCritical', 'DrNotReady', 'DriftFindings', 'DeadLetters']) {
      expect(deployment.alarm(name), name).toEqual(email);
    }
  });

  it('failed alert deliveries and SMS spend near the limit page everyone, once each', () => {
    expect(deployment.alarm('AlertDeliveryFailures')).toEqual(everyone);
    expect(deployment.alarm('SmsSpend')).toEqual(everyone);
  });

  it('failed paging deliveries reach the inbox through the alert topic', () => {
    expect(deployment.alarm('PagingDeliveryFailures')).toEqual(email);
  });
});

describe('Who gets paged (smsMinSeverity warning)', () => {
  let deployment: Deployment;
  beforeAll(() => {
    deployment = new Deployment({
      ...EXAMPLE_CONFIG,
      notifications: { emails: [EMAIL], smsNumbers: PHONES, minSeverity: 'info', smsMinSeverity: 'warning' },
    });
  });

  it('pages for warning news too, never for info', () => {
    expect(deployment.checkerNews('critical')).toEqual(everyone);
    expect(deployment.checkerNews('warning')).toEqual(everyone);
    expect(deployment.checkerNews('info')).toEqual(email);
  });
});
