/** Publishes a run's notification: one SNS message with per-protocol text. */
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SMS_SKIP_ATTRIBUTE, SMS_SKIP_VALUE, snsMessage, type Notification } from '../core/notify';

export interface NotificationPublisher {
  /** Returns the SNS message id. */
  publish(notification: Notification): Promise<string | undefined>;
}

export class SnsNotificationPublisher implements NotificationPublisher {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
  ) {}

  async publish(notification: Notification): Promise<string | undefined> {
    const result = await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: notification.subject,
        MessageStructure: 'json',
        Message: snsMessage(notification),
        // The SMS subscriptions only take messages without this attribute.
        ...(notification.sendSms
          ? {}
          : { MessageAttributes: { [SMS_SKIP_ATTRIBUTE]: { DataType: 'String', StringValue: SMS_SKIP_VALUE } } }),
      }),
    );
    return result.MessageId;
  }
}
