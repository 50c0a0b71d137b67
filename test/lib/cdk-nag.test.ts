import { Validations, type App } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { EXAMPLE_CONFIG, synthGuard } from './synth';

// Synthesizes stacks: seconds each, more on a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

/** Every acknowledgement in the tree, with where it was made. */
function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.entries(m.data as Record<string, string>).map(([id, reason]) => ({ path: c.node.path, id, reason }))),
  );
}

describe('cdk-nag AwsSolutions', () => {
  // The default configuration, synthesized once for the tests that read it.
  let defaultApp: App;
  beforeAll(() => {
    defaultApp = synthGuard().app;
  });

  it('finds nothing unacknowledged in the stack', () => {
    // Prepare: the full feature set, so every resource the stack can create is checked.
    const { app } = synthGuard({
      ...EXAMPLE_CONFIG,
      metrics: { perReplica: true },
      dr: { requireReplicatedBackups: true },
      accounts: [{ id: '111122223333' }],
      organization: { ouIds: ['ou-ab12-cdefgh12'] },
    });
    const checks = new AwsSolutionsChecks(app);

    // Act
    const report = checks.validateScope(app);

    // Assess
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('passes as a synth-time validation plugin too', () => {
    const app = defaultApp;
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

    expect(() => app.synth({ force: true })).not.toThrow();
  });

  it('acknowledges only exact findings, each next to its resource and with a reason', () => {
    const acks = acknowledgements(defaultApp);

    // CDK stores unprefixed ids as annotation acknowledgements; cdk-nag matches them without the prefix.
    const ids = acks.map((a) => a.id.replace(/^Annotation::/i, ''));
    expect(ids.filter((id) => !id.includes('Resource::arn:')).sort()).toEqual([
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-SQS3',
    ]);
    // Every scoped wildcard names one resource type in this account (and region, where ARNs have one).
    for (const id of ids.filter((i) => i.includes('Resource::arn:'))) {
      expect(id).toMatch(
        /^AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:(rds:(us-east-1|us-west-2|):123456789012:(db|cluster|pg|cluster-pg|global-cluster|auto-backup):\*|logs:eu-west-1:123456789012:log-group:sns\/eu-west-1\/123456789012\/DirectPublishToPhoneNumber\*)\]$/,
      );
    }
    // "*" is acknowledged only on the policy that holds the two CloudWatch actions, not on the role.
    expect(acks.filter((a) => a.id.endsWith('[Resource::*]')).map((a) => a.path)).toEqual(['Guard/ReplicationGuard/Checker/MetricsPolicy']);
    for (const ack of acks) {
      expect(ack.path, ack.id).not.toBe('Guard');
      expect(ack.reason.length, ack.id).toBeGreaterThan(60);
    }
  });

  it('fails synth when a wildcard grant is added to the checker role', () => {
    // Prepare: the stack as deployed, plus one new grant on "*".
    const { app, stack } = synthGuard();
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    const role = stack.guard.checker.role!;
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));

    // Act + Assess: the finding is on the role's own policy, where "*" is not acknowledged.
    expect(() => app.synth({ force: true })).toThrow(/Checker\/Role\/DefaultPolicy\/Resource[\s\S]*AwsSolutions-IAM5\[Resource::\*\]/);
  });
});
