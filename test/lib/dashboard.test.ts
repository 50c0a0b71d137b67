import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { searchSchemaName } from '../../lib/dashboard';
import { EXAMPLE_CONFIG, synthGuard } from './synth';

// Synthesizes stacks: seconds each, more on a loaded machine.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

interface Widget {
  readonly type: string;
  readonly properties: Record<string, unknown> & { metrics?: unknown[][]; region?: string; title?: string; markdown?: string; alarms?: unknown[] };
}

/** The dashboard body with the stack's tokens left as markers. */
function widgets(template: Template): Widget[] {
  const dashboard = Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0] as {
    Properties: { DashboardBody: string | { 'Fn::Join': [string, unknown[]] } };
  };
  const body = dashboard.Properties.DashboardBody;
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return (JSON.parse(text) as { widgets: Widget[] }).widgets;
}

const expressions = (w: Widget) =>
  (w.properties.metrics ?? []).map((m) => (m[0] as { expression?: string; region?: string } | undefined)).filter((m) => m?.expression);

describe('GuardDashboard', () => {
  let template: Template;
  let all: Widget[];
  beforeAll(() => {
    template = synthGuard(EXAMPLE_CONFIG).template;
    all = widgets(template);
  });

  it('is named after the stack', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Guard-ReplicationGuard' });
  });

  it('draws per-replica lag with one SEARCH per region and lag metric, so new replicas appear without a redeploy', () => {
    for (const region of ['us-east-1', 'us-west-2']) {
      const inRegion = all.filter((w) => w.properties.region === region);
      const searches = inRegion.flatMap(expressions);
      expect(searches.map((s) => s!.expression)).toEqual([
        `SEARCH('{AWS/RDS,DBInstanceIdentifier} MetricName="ReplicaLag"', 'Maximum', 60)`,
        `SEARCH('{AWS/RDS,DBClusterIdentifier} MetricName="AuroraBinlogReplicaLag"', 'Maximum', 60)`,
        `SEARCH('{AWS/RDS,DBClusterIdentifier} MetricName="RDSToAuroraPostgreSQLReplicaLag"', 'Maximum', 60)`,
        `SEARCH('{AWS/RDS,DBInstanceIdentifier} MetricName="AuroraReplicaLag"', 'Maximum', 60)`,
        `SEARCH('{AWS/RDS,DBClusterIdentifier,SourceRegion} MetricName="AuroraGlobalDBReplicationLag"', 'Maximum', 60)`,
        `SEARCH('{AWS/RDS,DBClusterIdentifier,SourceRegion} MetricName="AuroraGlobalDBRPOLag"', 'Maximum', 60)`,
      ]);
      expect(searches.every((s) => s!.region === region)).toBe(true);
    }
  });

  it('starts every lag axis below -1, so a replica reporting -1 (replication not running) stays in sight', () => {
    const lagGraphs = all.filter((w) => w.type === 'metric' && /lag/i.test(w.properties.title ?? ''));
    expect(lagGraphs.length).toBeGreaterThanOrEqual(5);
    for (const graph of lagGraphs) {
      const left = (graph.properties.yAxis as { left: { min: number } }).left;
      expect(left.min, graph.properties.title).toBeLessThan(-1);
    }
    const seconds = lagGraphs.filter((w) => /\(s\)/.test(w.properties.title!));
    for (const graph of seconds) {
      const lines = (graph.properties.annotations as { horizontal: { value: number }[] }).horizontal.map((a) => a.value);
      expect(lines, graph.properties.title).toContain(-1);
    }
  });

  it('links the runbook and shows every alarm', () => {
    const text = all.find((w) => w.type === 'text')!;
    expect(text.properties.markdown).toContain('(https://runbook.example/docs/runbook.md)');
    const alarms = all.find((w) => w.type === 'alarm')!;
    // Fleet, checker, dead letters, DR, drift, both topics' failed deliveries, SMS spend.
    expect(alarms.properties.alarms).toHaveLength(10);
  });

  it('says how to produce the review report', () => {
    const text = all.find((w) => w.type === 'text')!;
    expect(text.properties.markdown).toContain('`replguard report --out review.html`');
  });

  it('shows fleet counts, worst lag, DR readiness, drift and the checker itself', () => {
    const body = JSON.stringify(all);
    for (const metric of ['ReplicasMonitored', 'UnhealthyReplicas', 'MaxReplicaLagSeconds', 'Findings', 'DrReadyPrimaries', 'DrNotReadyPrimaries', 'DriftFindings', 'Heartbeat', 'CheckDurationMs']) {
      expect(body, metric).toContain(`"${metric}"`);
    }
    expect(all.map((w) => w.properties.title)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^DR readiness/), expect.stringMatching(/^Drift findings/), 'Checker']),
    );
  });
});

describe('GuardDashboard with per-replica metrics', () => {
  it('adds a SEARCH over the checker\'s own per-replica lag', () => {
    const { template } = synthGuard({ ...EXAMPLE_CONFIG, metrics: { perReplica: true, namespace: 'Acme/Replication' } });

    const searches = widgets(template).flatMap(expressions).map((s) => s!.expression);
    expect(searches).toContain(`SEARCH('{Acme/Replication,Region,ReplicaId} MetricName="ReplicaLagSeconds"', 'Maximum', 60)`);
  });

  it('quotes a namespace with characters other than letters, digits and /', () => {
    const { template } = synthGuard({ ...EXAMPLE_CONFIG, metrics: { perReplica: true, namespace: 'acme-prod.replication_guard' } });

    const searches = widgets(template).flatMap(expressions).map((s) => s!.expression);
    expect(searches).toContain(`SEARCH('{"acme-prod.replication_guard",Region,ReplicaId} MetricName="ReplicaLagSeconds"', 'Maximum', 60)`);
  });
});

describe('searchSchemaName', () => {
  it('leaves letters, digits and / bare, as AWS writes AWS/EC2', () => {
    expect(searchSchemaName('AWS/RDS')).toBe('AWS/RDS');
    expect(searchSchemaName('DBInstanceIdentifier')).toBe('DBInstanceIdentifier');
  });

  it('double-quotes anything else, escaping quote and backslash', () => {
    for (const name of ['My Namespace', 'Dimension@Name', 'a-b', 'a.b', 'a:b', 'a#b', 'a_b']) {
      expect(searchSchemaName(name)).toBe(`"${name}"`);
    }
    expect(searchSchemaName('say "hi"\\')).toBe('"say \\"hi\\"\\\\"');
  });
});

describe('GuardDashboard over several accounts', () => {
  it('shows each account through a SEARCH over AccountId, so accounts added later appear without a redeploy', () => {
    // Act
    const all = widgets(synthGuard({ ...EXAMPLE_CONFIG, organization: { ouIds: ['r-ab12'] }, metrics: { perReplica: true } }).template);

    // Assess
    const byTitle = (title: string) => all.find((w) => w.properties.title === title);
    expect(expressions(byTitle('Unhealthy replicas by account')!)).toEqual([
      expect.objectContaining({ expression: `SEARCH('{ReplicationGuard,AccountId} MetricName="UnhealthyReplicas"', 'Maximum', 60)` }),
    ]);
    expect(expressions(byTitle('Replicas over their critical lag by account')!)[0]?.expression).toBe(
      `SEARCH('{ReplicationGuard,AccountId} MetricName="ReplicasOverCriticalLag"', 'Maximum', 60)`,
    );
    expect(expressions(byTitle('Lag per replica and account as the checker saw it (s)')!)[0]?.expression).toBe(
      `SEARCH('{ReplicationGuard,AccountId,Region,ReplicaId} MetricName="ReplicaLagSeconds"', 'Maximum', 60)`,
    );
  });

  it('has no account widgets when only the deploying account is read', () => {
    const all = widgets(synthGuard(EXAMPLE_CONFIG).template);

    expect(all.filter((w) => /by account/.test(String(w.properties.title)))).toEqual([]);
  });
});
