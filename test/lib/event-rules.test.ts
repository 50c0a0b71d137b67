/**
 * The EventBridge rules of the synthesized template against AWS's documented sample events
 * (test/fixtures/aws/events, sources in its README), matched with EventBridge's documented
 * pattern semantics (test/support/event-pattern). Each event must start exactly the check it
 * is meant to start, and unrelated RDS events none.
 */
import { readFileSync } from 'node:fs';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { triggerOf, type CheckerEvent } from '../../lambdas/checker/trigger';
import { eventPatternMatches } from '../support/event-pattern';
import { EXAMPLE_CONFIG, synthGuard } from './synth';

// Synthesizes stacks: seconds each, more on a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../fixtures/aws/events/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;

type Rule = { Properties: { Description?: string; EventPattern?: Record<string, unknown> } };

/** Logical ids of the rules whose pattern matches the event. */
function matchingRules(template: Template, event: Record<string, unknown>): string[] {
  return Object.entries(template.findResources('AWS::Events::Rule') as Record<string, Rule>)
    .filter(([, rule]) => rule.Properties.EventPattern && eventPatternMatches(rule.Properties.EventPattern, event))
    .map(([id]) => id.replace(/Triggers|[0-9A-F]{8}$/g, ''))
    .map((id) => id.replace(/^ReplicationGuard/, ''));
}

describe('EventBridge rules against documented sample events', () => {
  let template: Template;
  beforeAll(() => {
    template = synthGuard(EXAMPLE_CONFIG).template;
  });

  it.each([
    ['rds-db-instance-event-0045', 'ReplicationEvents', 'health'],
    ['rds-db-instance-event-0057', 'ReplicationEvents', 'health'],
    ['rds-db-cluster-event-0071', 'ClusterEvents', 'health'],
    ['rds-db-cluster-event-0150', 'ClusterEvents', 'health'],
    ['rds-db-parameter-group-event', 'ParameterGroupEvents', 'drift'],
    ['cloudtrail-modify-db-parameter-group', 'DriftApiCalls', 'drift'],
  ])('%s starts one check: rule %s, scope %s', (name, rule, scope) => {
    const event = fixture(name);

    expect(matchingRules(template, event)).toEqual([rule]);
    // What the rule delivers, the checker understands.
    expect(triggerOf(event as unknown as CheckerEvent).scope).toBe(scope);
  });

  it.each([
    'rds-db-instance-event', // Multi-AZ failover of an instance: not a replication event
    'rds-db-cluster-event', // cluster patched
    'rds-db-security-group-event',
    'rds-db-snapshot-event',
    'rds-db-cluster-snapshot-event',
  ])('%s starts no check', (name) => {
    expect(matchingRules(template, fixture(name))).toEqual([]);
  });
});
