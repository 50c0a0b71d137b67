import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ReplicationGuard, type ReplicationGuardProps } from './replication-guard';

export type ReplicationGuardStackProps = StackProps & ReplicationGuardProps;

/** The deployable stack: one ReplicationGuard and the outputs an operator needs. */
export class ReplicationGuardStack extends Stack {
  readonly guard: ReplicationGuard;

  constructor(scope: Construct, id: string, props: ReplicationGuardStackProps) {
    super(scope, id, props);
    this.guard = new ReplicationGuard(this, 'ReplicationGuard', props);
    new CfnOutput(this, 'AlertTopicArn', { value: this.guard.topic.topicArn, description: 'SNS topic of all alerts (email: everything; SMS: checker news at smsMinSeverity)' });
    new CfnOutput(this, 'PagingTopicArn', {
      value: this.guard.pagingTopic.topicArn,
      description: 'SNS topic of the alarms that page (own KMS key): heartbeat missing, checker errors, failed deliveries, SMS spend',
    });
    new CfnOutput(this, 'SmsDeliveryStatusLoggingCommand', {
      value: this.guard.smsDeliveryStatusCommand(),
      description: 'Run once per account and region to log SMS delivery status (account-wide SNS setting, see docs/deploy.md)',
    });
    new CfnOutput(this, 'DashboardUrl', { value: this.guard.dashboardUrl(), description: 'CloudWatch dashboard' });
    new CfnOutput(this, 'CheckerRoleArn', {
      value: this.guard.checkerRole.roleArn,
      description: 'Role the member roles trust: the TrustedRoleArns parameter of the standalone member role template (docs/organization.md)',
    });
    if (this.guard.fanOut) {
      new CfnOutput(this, 'ReaderRoleArn', {
        value: this.guard.fanOut.readerRole.roleArn,
        description: 'Role of the fan-out shard readers: also in TrustedRoleArns of the standalone member role template',
      });
    }
    new CfnOutput(this, 'CheckerFunctionName', { value: this.guard.checker.functionName, description: 'Checker Lambda' });
    new CfnOutput(this, 'DeadLetterQueueUrl', {
      value: this.guard.deadLetterQueue.queueUrl,
      description: 'Check invocations that failed every retry',
    });
  }
}
