/// <reference types="aws-sdk-client-mock-vitest/extend" />
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { toHaveReceivedCommandTimes, toHaveReceivedCommandWith } from 'aws-sdk-client-mock-vitest';
import { beforeEach, describe, expect, it } from 'vitest';
import { SnsNotificationPublisher } from '../../lambdas/aws/sns-publisher';
import { SMS_ATTRIBUTE, type Notification } from '../../lambdas/core/outputs/notify';

expect.extend({ toHaveReceivedCommandTimes, toHaveReceivedCommandWith });

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:alerts';
const notification = (sendSms: boolean): Notification => ({
  subject: '[Replication Guard] CRITICAL: 1 new (open: 1 critical)',
  email: 'email body',
  sms: 'ReplGuard CRIT: 1 new.',
  default: 'email body',
  sendSms,
});

describe('SnsNotificationPublisher', () => {
  const sns = mockClient(SNSClient);
  beforeEach(() => sns.reset());

  it('publishes one JSON-structured message with a text per protocol', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1' });

    const id = await new SnsNotificationPublisher(new SNSClient({ region: 'us-east-1' }), TOPIC).publish(notification(true));

    expect(id).toBe('m-1');
    expect(sns).toHaveReceivedCommandTimes(PublishCommand, 1);
    const input = sns.commandCalls(PublishCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ TopicArn: TOPIC, MessageStructure: 'json', Subject: notification(true).subject });
    expect(JSON.parse(input.Message!)).toEqual({ default: 'email body', email: 'email body', sms: 'ReplGuard CRIT: 1 new.' });
    expect(input.MessageAttributes).toEqual({ [SMS_ATTRIBUTE]: { DataType: 'String', StringValue: 'page' } });
  });

  it('marks news below smsMinSeverity quiet, never leaving the attribute out', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });

    await new SnsNotificationPublisher(new SNSClient({ region: 'us-east-1' }), TOPIC).publish(notification(false));

    expect(sns).toHaveReceivedCommandWith(PublishCommand, {
      MessageAttributes: { [SMS_ATTRIBUTE]: { DataType: 'String', StringValue: 'quiet' } },
    });
  });
});
