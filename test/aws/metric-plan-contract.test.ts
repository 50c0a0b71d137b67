/**
 * The planner-to-reader contract, per engine family: the live reader (real SDK clients over the
 * local endpoint) requests exactly the series the rules read, and what CloudWatch serves for them
 * reaches the rules: when the served values change, the finding changes. A series dropped from
 * the plan, or read under other dimensions than the rules look up, fails here.
 */
import { describe, expect, it, vi } from 'vitest';
import { LiveFleetReader, type LiveReaderOptions } from '../../lambdas/aws/live-reader';
import { parseConfig, type ConfigInput } from '../../lambdas/core/config';
import { evaluate } from '../../lambdas/core/rules/evaluate';
import type { Finding, FindingCode, Severity } from '../../lambdas/core/findings';
import { seriesName } from '../../lambdas/core/fleet/metric-plan';
import type { DbCluster, DbInstance, GlobalCluster } from '../../lambdas/core/fleet/model';
import { parseSnapshot } from '../../lambdas/core/fleet/snapshot';
import { sawtooth } from '../support/curves';
import { cluster, clusterArn, globalCluster, instance, instanceArn, NOW, replica } from '../support/fleet';
import { queriesOf, localAwsEndpoints } from '../support/live-aws-fleet';
import { cloudwatchResponse, rdsResponse, type RecordedRequest } from '../support/local-aws-endpoint';
import { dbClustersXml, dbInstancesXml, globalClustersXml } from '../support/rds-xml';

// Real SDK clients against local servers (or many mocked calls).
vi.setConfig({ testTimeout: 30_000, hookTimeout: 30_000 });

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;
const NOW_MS = Date.parse(NOW);

interface RegionFleet {
  readonly instances?: readonly DbInstance[];
  readonly clusters?: readonly DbCluster[];
  readonly globals?: readonly GlobalCluster[];
}

/** Served datapoints (one a minute, ending at NOW) by `region Series{dims}`; unlisted series have none. */
type Served = Readonly<Record<string, readonly number[]>>;

interface Expected {
  readonly code: FindingCode;
  readonly resource: string;
  /** Undefined: no finding of this code on this resource. */
  readonly severity?: Severity;
  readonly evidence?: Readonly<Record<string, unknown>>;
}

interface ContractCase {
  readonly family: string;
  readonly fleet: Readonly<Record<string, RegionFleet>>;
  readonly config?: ConfigInput;
  /** Every series the reader must request, and no other. */
  readonly requested: readonly string[];
  /** The same fleet served different values: each must change what the rules say. */
  readonly variants: readonly { readonly served: Served; readonly expect: readonly Expected[] }[];
}

const key = (region: string, metricName: string, dimensions: Record<string, string>) => `${region} ${seriesName({ metricName, dimensions })}`;
const five = (value: number) => [value, value, value, value, value];

const pg = (id: string, fields: Partial<DbInstance> = {}) => instance(id, { Engine: 'postgres', EngineVersion: '16.4', ...fields });
const member = (id: string, clusterId: string, engine: string) => instance(id, { Engine: engine, DBClusterIdentifier: clusterId });

const CASES: readonly ContractCase[] = [
  {
    family: 'RDS PostgreSQL read replica: slot lag of the source',
    fleet: {
      'us-east-1': { instances: [pg('users', { ReadReplicaDBInstanceIdentifiers: ['users-ro'] }), replica('users-ro', 'users', { Engine: 'postgres', EngineVersion: '16.4' })] },
    },
    requested: [
      'us-east-1 OldestReplicationSlotLag{DBInstanceIdentifier=users-ro}',
      'us-east-1 OldestReplicationSlotLag{DBInstanceIdentifier=users}',
      'us-east-1 ReplicaLag{DBInstanceIdentifier=users-ro}',
      'us-east-1 TransactionLogsGeneration{DBInstanceIdentifier=users}',
    ],
    variants: [
      {
        served: { 'us-east-1 OldestReplicationSlotLag{DBInstanceIdentifier=users}': five(6 * GiB), 'us-east-1 ReplicaLag{DBInstanceIdentifier=users-ro}': five(1) },
        expect: [{ code: 'REPLICATION_SLOT_LAG_HIGH', resource: 'users', severity: 'warning', evidence: { bytes: 6 * GiB, thresholdBytes: 5 * GiB, datapointsOver: 5 } }],
      },
      {
        served: { 'us-east-1 OldestReplicationSlotLag{DBInstanceIdentifier=users}': five(25 * GiB), 'us-east-1 ReplicaLag{DBInstanceIdentifier=users-ro}': five(1) },
        expect: [{ code: 'REPLICATION_SLOT_LAG_HIGH', resource: 'users', severity: 'critical', evidence: { bytes: 25 * GiB, thresholdBytes: 20 * GiB } }],
      },
      {
        served: { 'us-east-1 OldestReplicationSlotLag{DBInstanceIdentifier=users}': five(1 * MiB), 'us-east-1 ReplicaLag{DBInstanceIdentifier=users-ro}': five(1) },
        expect: [{ code: 'REPLICATION_SLOT_LAG_HIGH', resource: 'users' }],
      },
    ],
  },
  {
    family: 'RDS PostgreSQL read replica: the idle-source rule reads the source WAL rate and slot lag',
    fleet: {
      'us-east-1': { instances: [pg('users', { ReadReplicaDBInstanceIdentifiers: ['users-ro'] }), replica('users-ro', 'users', { Engine: 'postgres', EngineVersion: '16.4' })] },
    },
    requested: [
      'us-east-1 OldestReplicationSlotLag{DBInstanceIdentifier=users-ro}',
      'us-east-1 OldestReplicationSlotLag{DBInstanceIdentifier=users}',
      'us-east-1 ReplicaLag{DBInstanceIdentifier=users-ro}',
      'us-east-1 TransactionLogsGeneration{DBInstanceIdentifier=users}',
    ],
    variants: [
      {
        // An idle source: the sawtooth is explained and pages nobody.
        served: {
          'us-east-1 ReplicaLag{DBInstanceIdentifier=users-ro}': sawtooth({ phaseSeconds: 130 }),
          'us-east-1 TransactionLogsGeneration{DBInstanceIdentifier=users}': Array.from({ length: 15 }, () => 0),
          'us-east-1 OldestReplicationSlotLag{DBInstanceIdentifier=users}': Array.from({ length: 15 }, () => 64 * MiB),
        },
        expect: [
          {
            code: 'REPLICA_LAG_HIGH',
            resource: 'users-ro',
            severity: 'info',
            evidence: { idleExplanation: 'applied', sourceWalBytesPerSecond: 0, sourceSlotLagBytes: 64 * MiB },
          },
        ],
      },
      {
        // The same curve with the source writing 5 MiB/s of WAL: real lag, it pages.
        served: {
          'us-east-1 ReplicaLag{DBInstanceIdentifier=users-ro}': sawtooth({ phaseSeconds: 130 }),
          'us-east-1 TransactionLogsGeneration{DBInstanceIdentifier=users}': Array.from({ length: 15 }, () => 5 * MiB),
          'us-east-1 OldestReplicationSlotLag{DBInstanceIdentifier=users}': Array.from({ length: 15 }, () => 64 * MiB),
        },
        expect: [
          {
            code: 'REPLICA_LAG_HIGH',
            resource: 'users-ro',
            severity: 'warning',
            evidence: { idleExplanation: 'not applied', sourceWalBytesPerSecond: 5 * MiB },
          },
        ],
      },
      {
        // The same curve with WAL held for a slot: not idle either.
        served: {
          'us-east-1 ReplicaLag{DBInstanceIdentifier=users-ro}': sawtooth({ phaseSeconds: 130 }),
          'us-east-1 TransactionLogsGeneration{DBInstanceIdentifier=users}': Array.from({ length: 15 }, () => 0),
          'us-east-1 OldestReplicationSlotLag{DBInstanceIdentifier=users}': Array.from({ length: 15 }, () => 512 * MiB),
        },
        expect: [
          {
            code: 'REPLICA_LAG_HIGH',
            resource: 'users-ro',
            severity: 'warning',
            evidence: { idleExplanation: 'not applied', sourceSlotLagBytes: 512 * MiB },
          },
        ],
      },
    ],
  },
  {
    family: 'Aurora MySQL reader (AuroraReplicaLag, milliseconds)',
    fleet: {
      'us-east-1': {
        instances: [member('shop-1', 'shop', 'aurora-mysql'), member('shop-2', 'shop', 'aurora-mysql')],
        clusters: [cluster('shop', { 'shop-1': true, 'shop-2': false })],
      },
    },
    requested: ['us-east-1 AuroraReplicaLag{DBInstanceIdentifier=shop-2}'],
    variants: [
      {
        served: { 'us-east-1 AuroraReplicaLag{DBInstanceIdentifier=shop-2}': five(400_000) },
        expect: [{ code: 'REPLICA_LAG_HIGH', resource: 'shop-2', severity: 'critical', evidence: { metric: 'AuroraReplicaLag', lagSeconds: 400 } }],
      },
      {
        served: { 'us-east-1 AuroraReplicaLag{DBInstanceIdentifier=shop-2}': five(45_000) },
        expect: [{ code: 'REPLICA_LAG_HIGH', resource: 'shop-2', severity: 'warning', evidence: { lagSeconds: 45 } }],
      },
      {
        served: { 'us-east-1 AuroraReplicaLag{DBInstanceIdentifier=shop-2}': five(20) },
        expect: [{ code: 'REPLICA_LAG_HIGH', resource: 'shop-2' }],
      },
    ],
  },
  {
    family: 'Aurora MySQL binlog replica cluster (AuroraBinlogReplicaLag, Role=WRITER first)',
    fleet: {
      'us-east-1': {
        instances: [instance('legacy'), member('legacy-aurora-1', 'legacy-aurora', 'aurora-mysql')],
        clusters: [cluster('legacy-aurora', { 'legacy-aurora-1': true }, { ReplicationSourceIdentifier: instanceArn('us-east-1', 'legacy') })],
      },
    },
    // The cluster-only series is asked for only when the writer's came back empty (a later variant).
    requested: ['us-east-1 AuroraBinlogReplicaLag{DBClusterIdentifier=legacy-aurora,Role=WRITER}'],
    variants: [
      {
        served: {
          'us-east-1 AuroraBinlogReplicaLag{DBClusterIdentifier=legacy-aurora,Role=WRITER}': five(400),
          'us-east-1 AuroraBinlogReplicaLag{DBClusterIdentifier=legacy-aurora}': five(45),
        },
        expect: [
          {
            code: 'REPLICA_LAG_HIGH',
            resource: 'legacy-aurora',
            severity: 'critical',
            evidence: { series: 'AuroraBinlogReplicaLag{DBClusterIdentifier=legacy-aurora,Role=WRITER}', lagSeconds: 400 },
          },
        ],
      },
      {
        // No Role=WRITER series (older engine versions): the cluster-only series is the fallback.
        served: { 'us-east-1 AuroraBinlogReplicaLag{DBClusterIdentifier=legacy-aurora}': five(45) },
        expect: [
          {
            code: 'REPLICA_LAG_HIGH',
            resource: 'legacy-aurora',
            severity: 'warning',
            evidence: { series: 'AuroraBinlogReplicaLag{DBClusterIdentifier=legacy-aurora}', lagSeconds: 45 },
          },
        ],
      },
      {
        served: { 'us-east-1 AuroraBinlogReplicaLag{DBClusterIdentifier=legacy-aurora,Role=WRITER}': five(-1) },
        expect: [{ code: 'REPLICATION_BROKEN', resource: 'legacy-aurora', severity: 'critical', evidence: { minusOneDatapoints: 5, evaluatedDatapoints: 5 } }],
      },
    ],
  },
  {
    family: 'Aurora Global Database secondary (ProgressLag, ReplicationLag, RPOLag)',
    fleet: {
      'us-east-1': {
        instances: [member('orders-1', 'orders', 'aurora-postgresql')],
        clusters: [cluster('orders', { 'orders-1': true }, { Engine: 'aurora-postgresql', GlobalClusterIdentifier: 'orders-global' })],
        globals: [globalCluster('orders-global', clusterArn('us-east-1', 'orders'), [clusterArn('us-west-2', 'orders-west')])],
      },
      'us-west-2': {
        instances: [member('orders-west-1', 'orders-west', 'aurora-postgresql')],
        clusters: [cluster('orders-west', { 'orders-west-1': false }, { Engine: 'aurora-postgresql', GlobalClusterIdentifier: 'orders-global' })],
        globals: [globalCluster('orders-global', clusterArn('us-east-1', 'orders'), [clusterArn('us-west-2', 'orders-west')])],
      },
    },
    config: { dr: { identifiers: ['orders'] } },
    // The preferred lag and RPO series; the others only for a secondary whose preferred ones were empty.
    requested: [
      'us-west-2 AuroraGlobalDBProgressLag{DBClusterIdentifier=orders-west,SourceRegion=us-east-1}',
      'us-west-2 AuroraGlobalDBRPOLag{DBClusterIdentifier=orders-west,SourceRegion=us-east-1}',
      'us-west-2 AuroraReplicaLag{DBInstanceIdentifier=orders-west-1}',
    ],
    variants: [
      {
        served: {
          'us-west-2 AuroraGlobalDBProgressLag{DBClusterIdentifier=orders-west,SourceRegion=us-east-1}': five(400_000),
          'us-west-2 AuroraGlobalDBReplicationLag{DBClusterIdentifier=orders-west,SourceRegion=us-east-1}': five(45_000),
          'us-west-2 AuroraGlobalDBRPOLag{DBClusterIdentifier=orders-west,SourceRegion=us-east-1}': five(90_000),
          'us-west-2 AuroraReplicaLag{DBInstanceIdentifier=orders-west-1}': five(10),
        },
        expect: [
          // The RPO finding carries the critical lag (read from ProgressLag) instead of a second alert.
          { code: 'REPLICA_LAG_HIGH', resource: 'orders-west' },
          {
            code: 'RPO_EXCEEDED',
            resource: 'orders-west',
            severity: 'critical',
            evidence: { metric: 'AuroraGlobalDBRPOLag', lagSeconds: 90, rpoSeconds: 60, overCriticalLag: true },
          },
        ],
      },
      {
        // An engine version without ProgressLag and RPOLag, published without SourceRegion.
        served: {
          'us-west-2 AuroraGlobalDBReplicationLag{DBClusterIdentifier=orders-west}': five(45_000),
          'us-west-2 AuroraReplicaLag{DBInstanceIdentifier=orders-west-1}': five(10),
        },
        expect: [
          {
            code: 'REPLICA_LAG_HIGH',
            resource: 'orders-west',
            severity: 'warning',
            evidence: { series: 'AuroraGlobalDBReplicationLag{DBClusterIdentifier=orders-west}', lagSeconds: 45 },
          },
          { code: 'RPO_EXCEEDED', resource: 'orders-west' },
        ],
      },
      {
        served: {
          'us-west-2 AuroraGlobalDBProgressLag{DBClusterIdentifier=orders-west,SourceRegion=us-east-1}': five(1_000),
          'us-west-2 AuroraGlobalDBRPOLag{DBClusterIdentifier=orders-west,SourceRegion=us-east-1}': five(75_000),
          'us-west-2 AuroraReplicaLag{DBInstanceIdentifier=orders-west-1}': five(10),
        },
        expect: [
          { code: 'REPLICA_LAG_HIGH', resource: 'orders-west' },
          { code: 'RPO_EXCEEDED', resource: 'orders-west', severity: 'critical', evidence: { metric: 'AuroraGlobalDBRPOLag', lagSeconds: 75 } },
        ],
      },
    ],
  },
  {
    family: 'Multi-AZ DB cluster readers (ReplicaLag per reader instance)',
    fleet: {
      'us-east-1': {
        instances: [member('ledger-1', 'ledger', 'mysql'), member('ledger-2', 'ledger', 'mysql'), member('ledger-3', 'ledger', 'mysql')],
        clusters: [cluster('ledger', { 'ledger-1': true, 'ledger-2': false, 'ledger-3': false }, { Engine: 'mysql', EngineVersion: '8.0.39' })],
      },
    },
    requested: ['us-east-1 ReplicaLag{DBInstanceIdentifier=ledger-2}', 'us-east-1 ReplicaLag{DBInstanceIdentifier=ledger-3}'],
    variants: [
      {
        served: { 'us-east-1 ReplicaLag{DBInstanceIdentifier=ledger-2}': five(400), 'us-east-1 ReplicaLag{DBInstanceIdentifier=ledger-3}': five(1) },
        expect: [
          { code: 'REPLICA_LAG_HIGH', resource: 'ledger-2', severity: 'critical', evidence: { lagSeconds: 400 } },
          { code: 'REPLICA_LAG_HIGH', resource: 'ledger-3' },
        ],
      },
      {
        served: { 'us-east-1 ReplicaLag{DBInstanceIdentifier=ledger-2}': five(1), 'us-east-1 ReplicaLag{DBInstanceIdentifier=ledger-3}': five(45) },
        expect: [
          { code: 'REPLICA_LAG_HIGH', resource: 'ledger-2' },
          { code: 'REPLICA_LAG_HIGH', resource: 'ledger-3', severity: 'warning', evidence: { lagSeconds: 45 } },
        ],
      },
    ],
  },
  {
    family: 'Multi-AZ DB cluster read replica (ReplicaLag of its writer instance)',
    fleet: {
      'us-east-1': {
        instances: [
          instance('billing', { ReadReplicaDBClusterIdentifiers: [clusterArn('us-east-1', 'billing-maz')] }),
          member('billing-maz-1', 'billing-maz', 'mysql'),
          member('billing-maz-2', 'billing-maz', 'mysql'),
        ],
        clusters: [
          cluster('billing-maz', { 'billing-maz-1': true, 'billing-maz-2': false }, {
            Engine: 'mysql',
            EngineVersion: '8.0.39',
            ReplicationSourceIdentifier: instanceArn('us-east-1', 'billing'),
          }),
        ],
      },
    },
    requested: ['us-east-1 ReplicaLag{DBInstanceIdentifier=billing-maz-1}', 'us-east-1 ReplicaLag{DBInstanceIdentifier=billing-maz-2}'],
    variants: [
      {
        served: { 'us-east-1 ReplicaLag{DBInstanceIdentifier=billing-maz-1}': five(400), 'us-east-1 ReplicaLag{DBInstanceIdentifier=billing-maz-2}': five(1) },
        expect: [
          {
            code: 'REPLICA_LAG_HIGH',
            resource: 'billing-maz',
            severity: 'critical',
            evidence: { series: 'ReplicaLag{DBInstanceIdentifier=billing-maz-1}', lagSeconds: 400 },
          },
        ],
      },
      {
        served: { 'us-east-1 ReplicaLag{DBInstanceIdentifier=billing-maz-1}': five(-1), 'us-east-1 ReplicaLag{DBInstanceIdentifier=billing-maz-2}': five(1) },
        expect: [
          { code: 'REPLICATION_BROKEN', resource: 'billing-maz', severity: 'critical', evidence: { minusOneDatapoints: 5 } },
          { code: 'REPLICA_LAG_HIGH', resource: 'billing-maz' },
        ],
      },
    ],
  },
];

function route(fleet: ContractCase['fleet'], served: Served) {
  return (request: RecordedRequest) => {
    const region = fleet[request.region] ?? {};
    switch (request.operation) {
      case 'DescribeDBInstances':
        return rdsResponse('DescribeDBInstances', dbInstancesXml(region.instances ?? []));
      case 'DescribeDBClusters':
        return rdsResponse('DescribeDBClusters', dbClustersXml(region.clusters ?? []));
      case 'DescribeGlobalClusters':
        return rdsResponse('DescribeGlobalClusters', globalClustersXml(region.globals ?? []));
      case 'GetMetricData':
        return cloudwatchResponse({
          MetricDataResults: queriesOf(request).map((q) => {
            const dims = Object.fromEntries(q.MetricStat.Metric.Dimensions.map((d) => [d.Name, d.Value]));
            const values = served[key(request.region, q.MetricStat.Metric.MetricName, dims)] ?? [];
            return {
              Id: q.Id,
              Label: q.MetricStat.Metric.MetricName,
              Timestamps: values.map((_, i) => (NOW_MS - (values.length - 1 - i) * 60_000) / 1000),
              Values: values,
              StatusCode: 'Complete',
            };
          }),
          Messages: [],
        });
      default:
        return { status: 400, body: `unexpected ${request.operation}` };
    }
  };
}

const endpoints = localAwsEndpoints();

async function readAndEvaluate(c: ContractCase, served: Served, options: Partial<LiveReaderOptions> = {}) {
  const endpoint = await endpoints.start(route(c.fleet, served));
  const reader = new LiveFleetReader({
    regions: Object.keys(c.fleet),
    now: () => new Date(NOW),
    endpoint: endpoint.url,
    retry: { sleep: async () => {} },
    ...options,
  });
  const snapshot = await reader.read();
  const requested = endpoint.requests
    .filter((r) => r.operation === 'GetMetricData')
    .flatMap((r) =>
      queriesOf(r).map((q) => key(r.region, q.MetricStat.Metric.MetricName, Object.fromEntries(q.MetricStat.Metric.Dimensions.map((d) => [d.Name, d.Value])))),
    )
    .sort();
  const report = evaluate(parseSnapshot(JSON.parse(JSON.stringify(snapshot)), 'live read'), { config: parseConfig(c.config ?? {}) });
  return { snapshot, requested, findings: report.findings };
}

const pick = (findings: readonly Finding[], e: Expected) => findings.filter((f) => f.code === e.code && f.resource === e.resource);

describe('planner-to-reader contract through the real SDK clients', () => {
  describe.each(CASES)('$family', (c) => {
    it('requests exactly the series the rules read, in the regions they are read in', async () => {
      const { requested, snapshot } = await readAndEvaluate(c, c.variants[0]!.served);

      expect(requested).toEqual([...c.requested].sort());
      for (const data of Object.values(snapshot.regions)) expect(data.errors).toBeUndefined();
    });

    it.each(c.variants.map((v, i) => ({ ...v, n: i + 1 })))('variant $n: the served values reach the rules', async ({ served, expect: expected }) => {
      const { findings } = await readAndEvaluate(c, served);

      for (const e of expected) {
        const found = pick(findings, e);
        if (e.severity === undefined) {
          expect(found, `${e.code} on ${e.resource}`).toEqual([]);
          continue;
        }
        expect(found, `${e.code} on ${e.resource}`).toHaveLength(1);
        expect(found[0]!.severity).toBe(e.severity);
        expect(found[0]!.evidence).toMatchObject(e.evidence ?? {});
      }
    });
  });

});

describe('what a read asks of CloudWatch beyond the plan', () => {
  const caseOf = (family: string) => CASES.find((c) => c.family.startsWith(family))!;
  const wal = 'us-east-1 TransactionLogsGeneration{DBInstanceIdentifier=users}';

  it("asks for a lagging PostgreSQL source's WAL rate only when the replica's lag is over walAboveSeconds", async () => {
    // Prepare: the replica is 30 s behind.
    const c = caseOf('RDS PostgreSQL read replica: the idle-source');
    const served = { 'us-east-1 ReplicaLag{DBInstanceIdentifier=users-ro}': five(30) };

    // Act
    const under = await readAndEvaluate(c, served, { walAboveSeconds: 60 });
    const over = await readAndEvaluate(c, served, { walAboveSeconds: 10 });

    // Assess: the WAL rate is a billed series, asked for only when lag could raise a finding.
    expect(under.requested).not.toContain(wal);
    expect(over.requested).toContain(wal);
  });

  it('a read without metrics (the drift read) sends no GetMetricData, not even the fallbacks of replicas that have them', async () => {
    // Prepare: a binlog replica cluster, whose writer series has a cluster-only fallback.
    const c = caseOf('Aurora MySQL binlog replica cluster');

    // Act
    const { requested } = await readAndEvaluate(c, {}, { includeMetrics: false });

    // Assess
    expect(requested).toEqual([]);
  });
});
