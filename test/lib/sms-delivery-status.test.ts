import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReplicationGuardStack } from '../../lib/replication-guard-stack';
import { EXAMPLE_CONFIG, synthGuard } from './synth';

describe('SMS delivery-status logging', () => {
  let template: Template;
  let stack: ReplicationGuardStack;
  beforeAll(() => {
    ({ template, stack } = synthGuard(EXAMPLE_CONFIG));
  });

  it('gives SNS a role that can write only its SMS delivery-status log groups in this account and region', () => {
    const [roleId, role] = Object.entries(template.findResources('AWS::IAM::Role')).find(([, r]) =>
      JSON.stringify(r).includes('sns.amazonaws.com'),
    )!;
    expect((role as { Properties: { AssumeRolePolicyDocument: unknown } }).Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'sns.amazonaws.com' } }],
    });
    const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p).includes(roleId)) as {
      Properties: { PolicyDocument: { Statement: { Action: string[]; Resource: unknown }[] } };
    };
    const [statement] = policy.Properties.PolicyDocument.Statement;
    expect(statement!.Action).toEqual(['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:PutMetricFilter', 'logs:PutRetentionPolicy']);
    expect(flattenCfnReference(statement!.Resource)).toBe(
      'arn:<AWS::Partition>:logs:eu-west-1:123456789012:log-group:sns/eu-west-1/123456789012/DirectPublishToPhoneNumber*',
    );
  });

  it('outputs the one-off command that switches the account\'s SMS delivery-status logging on with that role', () => {
    const output = template.findOutputs('SmsDeliveryStatusLoggingCommand').SmsDeliveryStatusLoggingCommand as { Value: unknown };
    const command = flattenCfnReference(output.Value);

    expect(command).toMatch(
      /^aws sns set-sms-attributes --region eu-west-1 --attributes DeliveryStatusIAMRole=<ReplicationGuardSmsDeliveryStatusRole[0-9A-F]+\.Arn>,DeliveryStatusSuccessSamplingRate=100$/,
    );
    expect(stack.guard.smsDeliveryStatusRole.roleArn).toBeDefined();
  });
});

describe('SMS spend alarm', () => {
  it('follows a raised spend limit and is left out without phone numbers', () => {
    const raised = synthGuard(EXAMPLE_CONFIG, { props: { smsMonthlySpendLimitUsd: 50 } }).template;
    const noPhones = synthGuard({ ...EXAMPLE_CONFIG, notifications: { emails: ['dba@example.com'] } }).template;

    expect(raised.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'Guard-SmsSpend', Threshold: 40 } })).not.toEqual({});
    expect(noPhones.findResources('AWS::CloudWatch::Alarm', { Properties: { AlarmName: 'Guard-SmsSpend' } })).toEqual({});
  });

  it('refuses a spend limit that is not a positive amount, naming it', () => {
    expect(() => synthGuard(EXAMPLE_CONFIG, { props: { smsMonthlySpendLimitUsd: 0 } })).toThrow(/smsMonthlySpendLimitUsd: must be a positive number/);
  });
});
