import { Validations, type App } from 'aws-cdk-lib';
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
    const { app } = synthGuard({ ...EXAMPLE_CONFIG, metrics: { perReplica: true }, dr: { requireReplicatedBackups: true } });
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
    expect(acks.map((a) => a.id.replace(/^Annotation::/i, '')).sort()).toEqual([
      'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-SQS3',
    ]);
    for (const ack of acks) {
      expect(ack.path, ack.id).not.toBe('Guard');
      expect(ack.reason.length, ack.id).toBeGreaterThan(60);
    }
  });
});
