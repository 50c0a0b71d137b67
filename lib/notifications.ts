import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { SMS_SKIP_ATTRIBUTE } from '../lambdas/core/notify';

export interface NotificationsProps {
  /** Email addresses subscribed to the topic (each confirms once by email). */
  readonly emails: readonly string[];
  /** E.164 phone numbers subscribed by SMS. */
  readonly smsNumbers: readonly string[];
  /**
   * What happens to the topic key when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The alert topic: encrypted with a customer managed key (rotated yearly), HTTPS-only, with the
 * email and SMS subscriptions from the config. CloudWatch alarms publish to it too, so the key
 * and the topic policy let the CloudWatch service in this account use them.
 */
export class Notifications extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);
    this.key = new kms.Key(this, 'TopicKey', {
      description: 'Replication Guard alert topic',
      enableKeyRotation: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Without this an encrypted topic silently drops every alarm notification.
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsUseKey',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': account } },
      }),
    );

    // No display name: SNS prefixes it to every SMS, which would eat into the 140 bytes.
    this.topic = new sns.Topic(this, 'Topic', { masterKey: this.key, enforceSSL: true });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
        },
      }),
    );

    for (const email of props.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    for (const number of props.smsNumbers) {
      this.topic.addSubscription(
        new subscriptions.SmsSubscription(number, {
          // The checker marks runs whose news is below smsMinSeverity; alarms carry no attributes and still page.
          filterPolicy: { [SMS_SKIP_ATTRIBUTE]: sns.SubscriptionFilter.notExistsFilter() },
        }),
      );
    }
  }
}
