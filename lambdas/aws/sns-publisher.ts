/** Publishes a run's notification: one SNS message with per-protocol text. */
import { PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import { messageAttributes, snsMessage, type Notification } from '../core/outputs/notify';

export interface NotificationPublisher {
  /** Returns the SNS message id. */
  publish(notification: Notification): Promise<string | undefined>;
}

/** The Publish request of a notification: what SNS matches the subscriptions' filter policies against. */
export function publishInput(notification: Notification, topicArn: string): PublishCommandInput {
  return {
    TopicArn: topicArn,
    Subject: notification.subject,
    MessageStructure: 'json',
    Message: snsMessage(notification),
    MessageAttributes: Object.fromEntries(
      Object.entries(messageAttributes(notification)).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
    ),
  };
}

export class SnsNotificationPublisher implements NotificationPublisher {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(notification: Notification): Promise<string | undefined> {
    const result = await this.client.send(new PublishCommand(publishInput(notification, this.topicArn)));
    return result.MessageId;
  }
}
