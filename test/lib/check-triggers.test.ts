import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { EXAMPLE_CONFIG, synthGuard } from './synth';

// Synthesizes stacks: seconds each, more on a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

type Rule = { Properties: { ScheduleExpression?: string; EventPattern?: Record<string, unknown>; Targets: { Input?: string; InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate?: string }; DeadLetterConfig?: unknown; RetryPolicy?: unknown }[] } };

const rules = (template: Template) => Object.values(template.findResources('AWS::Events::Rule')) as Rule[];
const scheduled = (template: Template, expression: string) => rules(template).find((r) => r.Properties.ScheduleExpression === expression);

describe('CheckTriggers', () => {
  let template: Template;
  beforeAll(() => {
    template = synthGuard({ ...EXAMPLE_CONFIG, schedule: { checkRateMinutes: 2, driftRateMinutes: 30 } }).template;
  });

  it('schedules the health check at the configured rate', () => {
    const rule = scheduled(template, 'rate(2 minutes)');
    expect(rule).toBeDefined();
    // The event's time goes in: what the run reads (status, lag or everything) is decided by it.
    const transformer = rule!.Properties.Targets[0]!.InputTransformer!;
    expect(transformer.InputPathsMap).toEqual({ time: '$.time' });
    expect(transformer.InputTemplate).toBe('{"scope":"health","time":<time>}');
  });

  it('schedules the drift check at its own rate', () => {
    const rule = scheduled(template, 'rate(30 minutes)');
    expect(rule).toBeDefined();
    expect(JSON.parse(rule!.Properties.Targets[0]!.Input!)).toEqual({ scope: 'drift' });
  });

  it('runs a health check at once on replication error, resumed, streaming terminated and stopped events', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.rds'],
        'detail-type': ['RDS DB Instance Event'],
        detail: { EventID: ['RDS-EVENT-0045', 'RDS-EVENT-0046', 'RDS-EVENT-0057', 'RDS-EVENT-0062'] },
      },
    });
  });

  it('runs a health check at once on cluster failover, stop/start and global failover events', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.rds'],
        'detail-type': ['RDS DB Cluster Event'],
        detail: { EventID: Match.arrayWith(['RDS-EVENT-0069', 'RDS-EVENT-0071', 'RDS-EVENT-0073', 'RDS-EVENT-0150', 'RDS-EVENT-0151', 'RDS-EVENT-0185']) },
      },
    });
  });

  it('runs a drift check at once on parameter group events and on modifying API calls', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.rds'], 'detail-type': ['RDS DB Parameter Group Event'], detail: { EventID: ['RDS-EVENT-0037'] } },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.rds'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['rds.amazonaws.com'],
          eventName: [
            'ModifyDBParameterGroup',
            'ModifyDBClusterParameterGroup',
            'ResetDBParameterGroup',
            'ResetDBClusterParameterGroup',
            'ModifyDBInstance',
            'ModifyDBCluster',
          ],
        },
      },
    });
  });

  it('sends events that cannot be delivered to the dead-letter queue', () => {
    for (const rule of rules(template)) {
      expect(rule.Properties.Targets[0]).toMatchObject({ DeadLetterConfig: { Arn: expect.anything() }, RetryPolicy: { MaximumRetryAttempts: 2 } });
    }
    template.resourceCountIs('AWS::Lambda::Permission', 6);
  });
});

describe('CheckTriggers without drift', () => {
  it('creates no drift schedule or drift rules', () => {
    const { template } = synthGuard({ ...EXAMPLE_CONFIG, drift: { enabled: false } });

    template.resourceCountIs('AWS::Events::Rule', 3);
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    expect(JSON.stringify(template.findResources('AWS::Events::Rule'))).not.toContain('RDS DB Parameter Group Event');
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ 'detail-type': ['RDS DB Instance Event'] }) });
  });
});
