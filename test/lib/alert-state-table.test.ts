import { beforeAll, describe, it, vi } from 'vitest';
import type { Template } from 'aws-cdk-lib/assertions';
import { synthGuard } from './synth';

// Synthesizes stacks: seconds each, more on a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

describe('AlertStateTable', () => {
  let template: Template;
  beforeAll(() => {
    template = synthGuard().template;
  });

  it('is on demand, with point-in-time recovery and a TTL for resolved alerts', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
    });
  });

  it('survives a stack deletion by default', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});
