import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { SMS_ATTRIBUTE, SMS_PAGE } from '../lambdas/core/notify';

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
 * Two topics, both encrypted with one customer managed key (rotated yearly) and HTTPS-only:
 *
 * - the alert topic: the checker's notifications and every alarm. Email gets all of it; phones
 *   only checker messages marked `replguard_sms = page` (news at or above smsMinSeverity).
 * - the paging topic: only the alarms that must wake someone (the checker stopped or fails).
 *   Phones subscribe without a filter, because alarm notifications carry no message attributes
 *   and SNS gives an attribute-less message to no filtered subscription.
 *
 * CloudWatch alarms publish to both, so the key and the topic policies let the CloudWatch
 * service in this account use them.
 */
export class Notifications extends Construct {
  readonly topic: sns.Topic;
  /** Alarms that page: SMS without a filter. */
  readonly pagingTopic: sns.Topic;
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
    const topic = (id: string) => {
      const created = new sns.Topic(this, id, { masterKey: this.key, enforceSSL: true });
      created.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CloudWatchAlarmsPublish',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['sns:Publish'],
          resources: [created.topicArn],
          conditions: {
            StringEquals: { 'aws:SourceAccount': account },
            ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
          },
        }),
      );
      return created;
    };
    this.topic = topic('Topic');
    this.pagingTopic = topic('PagingTopic');

    for (const email of props.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    for (const number of props.smsNumbers) {
      this.topic.addSubscription(
        new subscriptions.SmsSubscription(number, {
          // Positive match: every checker message carries the attribute, "page" or "quiet".
          filterPolicy: { [SMS_ATTRIBUTE]: sns.SubscriptionFilter.stringFilter({ allowlist: [SMS_PAGE] }) },
        }),
      );
      this.pagingTopic.addSubscription(new subscriptions.SmsSubscription(number));
    }
  }
}
