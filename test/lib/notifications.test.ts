import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { conditionsHold, resolveTemplateValue } from '../support/iam-condition';
import { EXAMPLE_CONFIG, synthGuard } from './synth';

// Synthesizes stacks: seconds each, more on a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

describe('Notifications', () => {
  let template: Template;
  beforeAll(() => {
    template = synthGuard({
      ...EXAMPLE_CONFIG,
      notifications: { emails: ['dba@example.com', 'sre@example.com'], smsNumbers: ['+14155550100'] },
    }).template;
  });

  it('encrypts the topics with customer managed keys that rotate', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('TopicKey'), 'Arn'] },
    });
  });

  it('refuses publishes that are not over TLS', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 'sns:Publish', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('subscribes every email address to both topics and every phone number from the config', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 6);
    for (const topic of ['NotificationsTopic', 'NotificationsPagingTopic']) {
      for (const email of ['dba@example.com', 'sre@example.com']) {
        template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: email, TopicArn: { Ref: Match.stringLikeRegexp(topic) } });
      }
    }
    // On the alert topic a phone takes only checker messages marked "page"; on the paging topic, everything.
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sms',
      Endpoint: '+14155550100',
      FilterPolicy: { replguard_sms: ['page'] },
      TopicArn: { Ref: Match.stringLikeRegexp('NotificationsTopic') },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sms',
      Endpoint: '+14155550100',
      FilterPolicy: Match.absent(),
      TopicArn: { Ref: Match.stringLikeRegexp('NotificationsPagingTopic') },
    });
  });

  it('encrypts the paging topic with a key of its own: one disabled key cannot silence both paths', () => {
    const keyOf = (topic: RegExp) => {
      const [found] = Object.entries(template.findResources('AWS::SNS::Topic')).filter(([id]) => topic.test(id));
      return (found![1] as { Properties: { KmsMasterKeyId: { 'Fn::GetAtt': [string, string] } } }).Properties.KmsMasterKeyId['Fn::GetAtt'][0];
    };
    template.resourceCountIs('AWS::KMS::Key', 2);
    const alertKey = keyOf(/NotificationsTopic[0-9A-F]/);
    const pagingKey = keyOf(/NotificationsPagingTopic[0-9A-F]/);
    expect(alertKey).toMatch(/TopicKey/);
    expect(pagingKey).toMatch(/PagingKey/);
    expect(Object.keys(template.findResources('AWS::KMS::Key')).sort()).toEqual([alertKey, pagingKey].sort());
    for (const topic of Object.values(template.findResources('AWS::SNS::Topic')) as { Properties: Record<string, unknown> }[]) {
      expect(topic.Properties.DisplayName).toBeUndefined();
    }
  });
});

/**
 * Who may publish: the synthesized topic and key policies, judged by the IAM condition evaluator
 * (test/support/iam-condition) against the request context CloudWatch sends for an alarm.
 */
describe('Notifications accept only this deployment\'s alarms', () => {
  const PSEUDO = { 'AWS::Partition': 'aws', 'AWS::Region': 'eu-west-1', 'AWS::AccountId': '123456789012' };
  const ACCOUNT = '123456789012';
  const alarmArn = (name: string, account = ACCOUNT) => `arn:aws:cloudwatch:eu-west-1:${account}:alarm:${name}`;
  type Statement = { Effect: string; Principal?: { Service?: string }; Action: string | string[]; Condition?: Record<string, unknown> };
  let template: Template;
  beforeAll(() => {
    template = synthGuard().template;
  });

  /** The CloudWatch statements of the policy of one topic, or of one topic's key. */
  const cloudwatchStatements = (kind: 'topic' | 'key', topic: RegExp): Statement[] => {
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic')).filter((id) => topic.test(id));
    let statements: Statement[];
    if (kind === 'topic') {
      const policy = Object.values(template.findResources('AWS::SNS::TopicPolicy')).find((p) =>
        JSON.stringify((p as { Properties: { Topics: unknown } }).Properties.Topics).includes(topicId!),
      ) as { Properties: { PolicyDocument: { Statement: Statement[] } } };
      statements = policy.Properties.PolicyDocument.Statement;
    } else {
      const keyId = (template.toJSON().Resources[topicId!].Properties.KmsMasterKeyId as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
      statements = template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement;
    }
    const found = statements.filter((st) => st.Principal?.Service === 'cloudwatch.amazonaws.com');
    expect(found, `${kind} ${topic}`).toHaveLength(1);
    // Only the conditions: Resource names the topic itself, which exists only once deployed.
    return found.map((st) => ({ ...st, Condition: resolveTemplateValue(st.Condition, PSEUDO) as Record<string, unknown> }));
  };

  /**
   * Whether CloudWatch may publish this alarm's notification: topic policy and key policy both allow
   * it. The KMS call is judged on the account alone: no AWS page documents `aws:SourceArn` on
   * CloudWatch's KMS requests, and a key policy that needs it would drop every page.
   */
  const accepts = (topic: RegExp, sourceArn: string, sourceAccount = ACCOUNT) => {
    const contexts = { topic: { 'aws:SourceArn': sourceArn, 'aws:SourceAccount': sourceAccount }, key: { 'aws:SourceAccount': sourceAccount } };
    return (['topic', 'key'] as const).every((kind) =>
      cloudwatchStatements(kind, topic).some((st) => st.Effect === 'Allow' && conditionsHold(st.Condition, contexts[kind])),
    );
  };
  const PAGING = /NotificationsPagingTopic[0-9A-F]/;
  const ALERT = /NotificationsTopic[0-9A-F]/;

  it('lets this deployment\'s paging alarms publish to the paging topic, and only those', () => {
    expect(accepts(PAGING, alarmArn('Guard-HeartbeatMissing'))).toBe(true);
    expect(accepts(PAGING, alarmArn('Guard-CheckerErrors'))).toBe(true);
    expect(accepts(PAGING, alarmArn('Guard-AlertDeliveryFailures'))).toBe(true);
    // A fleet alarm of this deployment does not page.
    expect(accepts(PAGING, alarmArn('Guard-UnhealthyReplicas'))).toBe(false);
  });

  it('lets this deployment\'s other alarms publish to the alert topic', () => {
    expect(accepts(ALERT, alarmArn('Guard-UnhealthyReplicas'))).toBe(true);
    expect(accepts(ALERT, alarmArn('Guard-PagingDeliveryFailures'))).toBe(true);
    expect(accepts(ALERT, alarmArn('Guard-HeartbeatMissing'))).toBe(false);
  });

  it('refuses another team\'s alarm in the same account, one whose name only starts like ours, and other accounts', () => {
    for (const topic of [PAGING, ALERT]) {
      expect(accepts(topic, alarmArn('payments-HighCPU'))).toBe(false);
      expect(accepts(topic, alarmArn('Guard-staging-HeartbeatMissing'))).toBe(false);
      expect(accepts(topic, alarmArn('Guard-HeartbeatMissing', '999999999999'), '999999999999')).toBe(false);
      expect(accepts(topic, alarmArn('Guard-HeartbeatMissing').replace('eu-west-1', 'us-east-1'))).toBe(false);
    }
  });
});
