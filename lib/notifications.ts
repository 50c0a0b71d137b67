import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { SMS_ATTRIBUTE, SMS_PAGE } from '../lambdas/core/outputs/notify';

export interface NotificationsProps {
  /** Email addresses subscribed to both topics (each confirms once per topic by email). */
  readonly emails: readonly string[];
  /** E.164 phone numbers subscribed by SMS. */
  readonly smsNumbers: readonly string[];
  /**
   * What happens to the topic keys when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Two topics, each with its own customer managed key (rotated yearly), HTTPS-only:
 *
 * - the alert topic: the checker's notifications and the fleet alarms. Email gets all of it;
 *   phones only checker messages marked `replguard_sms = page` (news at or above smsMinSeverity).
 * - the paging topic: the alarms that say replication is not being watched or that alerts are
 *   not arriving (checker stopped or failing, deliveries failing, SMS spend near its limit).
 *   Email and phones subscribe without a filter: alarm notifications carry no message attributes.
 *
 * Two keys, so that one disabled or deleted key cannot silence both paths: if the alert topic's
 * key goes, the checker cannot publish and stops reporting, and HeartbeatMissing still pages
 * through the paging topic's key. CloudWatch can publish only to topics whose key policy lets
 * it in, which rules out the AWS managed key `alias/aws/sns`; each key and topic policy admits
 * exactly this deployment's alarms (`allowAlarms`), not every alarm in the account.
 */
export class Notifications extends Construct {
  readonly topic: sns.Topic;
  /** Alarms that page: email and SMS without a filter. */
  readonly pagingTopic: sns.Topic;
  /** The alert topic's key. */
  readonly key: kms.Key;
  /** The paging topic's own key. */
  readonly pagingKey: kms.Key;

  constructor(scope: Construct, id: string, props: NotificationsProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.key = new kms.Key(this, 'TopicKey', { description: 'Replication Guard alert topic', enableKeyRotation: true, removalPolicy });
    this.pagingKey = new kms.Key(this, 'PagingKey', {
      description: 'Replication Guard paging topic (kept apart from the alert topic key)',
      enableKeyRotation: true,
      removalPolicy,
    });

    // No display name: SNS prefixes it to every SMS, which would eat into the 140 bytes.
    this.topic = new sns.Topic(this, 'Topic', { masterKey: this.key, enforceSSL: true });
    this.pagingTopic = new sns.Topic(this, 'PagingTopic', { masterKey: this.pagingKey, enforceSSL: true });

    for (const email of props.emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
      this.pagingTopic.addSubscription(new subscriptions.EmailSubscription(email));
    }
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

  /**
   * Lets exactly these alarms (by name, in this account and region) publish to the topic, and
   * CloudWatch in this account use its key. Without the key statement an encrypted topic silently
   * drops every alarm notification. The key is scoped by account only: AWS's SNS guide documents no
   * `aws:SourceArn` on CloudWatch's KMS calls, and a key condition that fails drops every page;
   * the topic policy already decides which alarms may publish.
   * Exact ARNs built from the names, not the alarms' GetAtt: the key policy cannot depend on the
   * alarms, which depend on the topic, which depends on the key.
   */
  allowAlarms(topic: sns.Topic, alarmNames: readonly string[]): void {
    const key = topic === this.pagingTopic ? this.pagingKey : this.key;
    const { account, region, partition } = Stack.of(this);
    const alarmArns = [...alarmNames].sort().map((name) => `arn:${partition}:cloudwatch:${region}:${account}:alarm:${name}`);
    const sameAccount = { StringEquals: { 'aws:SourceAccount': account } };
    const conditions = { ...sameAccount, ArnEquals: { 'aws:SourceArn': alarmArns } };
    const cloudwatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    topic.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'CloudWatchAlarmsPublish', principals: [cloudwatch], actions: ['sns:Publish'], resources: [topic.topicArn], conditions }),
    );
    key.addToResourcePolicy(
      new iam.PolicyStatement({ sid: 'CloudWatchAlarmsUseKey', principals: [cloudwatch], actions: ['kms:Decrypt', 'kms:GenerateDataKey*'], resources: ['*'], conditions: sameAccount }),
    );
  }
}
