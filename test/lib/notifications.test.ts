import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
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

  it('encrypts the topic with a customer managed key that rotates', () => {
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

  it('lets CloudWatch alarms of this account publish and use the key', () => {
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: Match.objectLike({ StringEquals: { 'aws:SourceAccount': '123456789012' } }),
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          }),
        ]),
      },
    });
  });

  it('subscribes every email address and phone number from the config', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 4);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'dba@example.com' });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'sre@example.com' });
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

  it('encrypts the paging topic with the same key and lets CloudWatch alarms publish to it', () => {
    template.resourceCountIs('AWS::SNS::Topic', 2);
    for (const topic of Object.values(template.findResources('AWS::SNS::Topic')) as { Properties: Record<string, unknown> }[]) {
      expect(topic.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/TopicKey/), 'Arn'] });
      expect(topic.Properties.DisplayName).toBeUndefined();
    }
    const policies = Object.values(template.findResources('AWS::SNS::TopicPolicy')) as { Properties: { PolicyDocument: { Statement: { Sid?: string }[] } } }[];
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement.map((s) => s.Sid)).toContain('CloudWatchAlarmsPublish');
    }
  });

});
