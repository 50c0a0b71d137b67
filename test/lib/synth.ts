/** Synthesizes a ReplicationGuard stack for the stack tests (once per test file: bundling takes a second). */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { ConfigInput } from '../../lambdas/core/config';
import { ReplicationGuardStack, type ReplicationGuardStackProps } from '../../lib/replication-guard-stack';

export const EXAMPLE_CONFIG: ConfigInput = {
  regions: ['us-east-1', 'us-west-2'],
  runbookBaseUrl: 'https://runbook.example/docs/runbook.md',
  notifications: { emails: ['dba-oncall@example.com'], smsNumbers: ['+14155550100'] },
};

export interface SynthOptions {
  /** Really bundle the handler with esbuild (slower); otherwise bundling is skipped. */
  readonly bundle?: boolean;
  readonly props?: Partial<ReplicationGuardStackProps>;
}

export function synthGuard(config: ConfigInput = EXAMPLE_CONFIG, options: SynthOptions = {}) {
  const app = new App({ context: options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] } });
  const stack = new ReplicationGuardStack(app, 'Guard', {
    config,
    env: { account: '123456789012', region: 'eu-west-1' },
    ...options.props,
  });
  return { app, stack, template: Template.fromStack(stack) };
}

/** Every IAM statement of every policy in the template. */
export function policyStatements(template: Template): Record<string, unknown>[] {
  return Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
    (policy) => (policy as { Properties: { PolicyDocument: { Statement: Record<string, unknown>[] } } }).Properties.PolicyDocument.Statement,
  );
}
