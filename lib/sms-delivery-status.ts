import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { iamNagArn } from './nag-names';

/** Share of successful SMS deliveries SNS logs (failures are always logged). */
export const SMS_SUCCESS_SAMPLING_PERCENT = 100;

/**
 * The role SNS needs to write SMS delivery-status logs (price, carrier response, failure reason
 * per message) to CloudWatch Logs. SNS reads it from the account-level SMS attributes
 * (`SetSMSAttributes`: `DeliveryStatusIAMRole`, `DeliveryStatusSuccessSamplingRate`), which
 * CloudFormation has no resource for and which belong to the whole account, not to one stack: the
 * stack creates the role and `setSmsAttributesCommand` is the one-off command that switches the
 * logs on (docs/deploy.md). Topic-level `DeliveryStatusLogging` does not cover SMS.
 */
export class SmsDeliveryStatusRole extends Construct {
  readonly role: iam.Role;
  /** The log groups SNS writes to: `sns/<region>/<account>/DirectPublishToPhoneNumber` and its `/Failure` twin. */
  readonly logGroupArnPattern: string;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);
    this.logGroupArnPattern = `arn:${partition}:logs:${region}:${account}:log-group:sns/${region}/${account}/DirectPublishToPhoneNumber*`;
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('sns.amazonaws.com'),
      description: 'Lets SNS write SMS delivery-status logs for this account and region (Replication Guard)',
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        sid: 'SmsDeliveryStatusLogs',
        actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:PutMetricFilter', 'logs:PutRetentionPolicy'],
        resources: [this.logGroupArnPattern],
      }),
    );
    Validations.of(this.role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${iamNagArn(this.logGroupArnPattern, this)}]`,
      reason:
        'SNS names its SMS delivery-status log groups itself (DirectPublishToPhoneNumber and DirectPublishToPhoneNumber/Failure) ' +
        'and writes streams inside them: the wildcard covers those two groups and their streams in this account and region only.',
    });
  }

  /** The command that points the account's SMS delivery-status logging at this role. */
  setSmsAttributesCommand(): string {
    return `aws sns set-sms-attributes --region ${Stack.of(this).region} --attributes DeliveryStatusIAMRole=${this.role.roleArn},DeliveryStatusSuccessSamplingRate=${SMS_SUCCESS_SAMPLING_PERCENT}`;
  }
}
