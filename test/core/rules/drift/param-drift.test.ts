import { describe, expect, it } from 'vitest';
import { findingKey } from '../../../../lambdas/core/findings';
import type { DbInstance, Parameter } from '../../../../lambdas/core/fleet/model';
import { cluster, clusterArn, fleet, globalCluster, instance, replica } from '../../../support/fleet';
import { baselineOf, drift, group, only, param } from './helpers';

const REGION = 'us-east-1';

function withGroup(id: string, groupName: string, fields: Partial<DbInstance> = {}): DbInstance {
  return instance(id, { DBParameterGroups: [{ DBParameterGroupName: groupName, ParameterApplyStatus: 'in-sync' }], ...fields });
}

function withReplicaGroup(id: string, source: string, groupName: string, fields: Partial<DbInstance> = {}): DbInstance {
  return replica(id, source, { DBParameterGroups: [{ DBParameterGroupName: groupName, ParameterApplyStatus: 'in-sync' }], ...fields });
}

/** A MySQL source with one replica; the source's group is what the tests vary. */
function mysqlPair(sourceParams: Parameter[], engine: 'mysql' | 'mariadb' = 'mysql') {
  const version = engine === 'mysql' ? '8.0.39' : '10.11.9';
  return fleet({
    [REGION]: {
      dbInstances: [
        withGroup('orders', 'orders-source', { Engine: engine, EngineVersion: version }),
        withReplicaGroup('orders-ro', 'orders', 'orders-replica', { Engine: engine, EngineVersion: version }),
      ],
      dbParameters: {
        'orders-source': sourceParams,
        'orders-replica': group({ binlog_format: 'ROW', read_only: '{TrueIfReplica}' }),
      },
    },
  });
}

describe('PARAM_DRIFT against the default baseline', () => {
  it('names the parameter, the database, the actual and the expected value', () => {
    // Prepare
    const snapshot = mysqlPair(group({ binlog_format: 'MIXED', sync_binlog: '1', innodb_flush_log_at_trx_commit: '1' }));

    // Act
    const findings = only(drift(snapshot), 'PARAM_DRIFT');

    // Assess
    expect(findings).toHaveLength(1);
    const [f] = findings;
    expect(f).toMatchObject({ severity: 'warning', region: REGION, resource: 'orders' });
    expect(f!.message).toContain('binlog_format on orders (us-east-1) is MIXED (set in orders-source)');
    expect(f!.message).toContain('the baseline expects ROW');
    expect(f!.evidence).toMatchObject({ parameter: 'binlog_format', expected: 'ROW', actual: 'MIXED', parameterGroup: 'orders-source', comparable: true });
    expect(f!.hint).toContain('orders-source');
    expect(f!.runbook).toBe('docs/runbook.md#param_drift');
  });

  it('does not report a value that differs only in case', () => {
    const snapshot = mysqlPair(group({ binlog_format: 'row', sync_binlog: 'ON', innodb_flush_log_at_trx_commit: '1' }));

    expect(only(drift(snapshot), 'PARAM_DRIFT')).toEqual([]);
  });

  it('reads a parameter absent from the group as the engine default', () => {
    // MySQL 8.0's binlog_format default on RDS is MIXED; sync_binlog and the flush setting default to 1.
    const snapshot = mysqlPair([param('max_connections', '500')]);

    const findings = only(drift(snapshot), 'PARAM_DRIFT');

    expect(findings.map((f) => f.evidence.parameter)).toEqual(['binlog_format']);
    expect(findings[0]!.message).toContain('not set in orders-source, engine default');
    expect(findings[0]!.evidence).toMatchObject({ origin: 'engine-default', actual: 'MIXED' });
  });

  it('treats a listed parameter without a value as absent', () => {
    const snapshot = mysqlPair([param('binlog_format', undefined, { Source: 'engine-default' })]);

    const findings = only(drift(snapshot), 'PARAM_DRIFT');

    expect(findings[0]!.evidence).toMatchObject({ parameter: 'binlog_format', origin: 'engine-default', actual: 'MIXED' });
  });

  it('reports an unknown engine default as not comparable, never as a pass', () => {
    // MariaDB's sync_binlog default is not in the shipped table.
    const snapshot = mysqlPair(group({ binlog_format: 'ROW', innodb_flush_log_at_trx_commit: '1' }), 'mariadb');

    const findings = only(drift(snapshot), 'PARAM_DRIFT');

    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'info', resource: 'orders' });
    expect(findings[0]!.evidence).toMatchObject({ parameter: 'sync_binlog', comparable: false, actual: null });
    expect(findings[0]!.message).toContain('Cannot verify sync_binlog');
  });
});

describe('PARAM_DRIFT with a custom baseline', () => {
  it('treats gtid-mode and gtid_mode as one parameter', () => {
    const baseline = baselineOf([{ parameter: 'gtid-mode', expect: 'ON', severity: 'critical', reason: 'GTIDs on.', engine: 'mysql' }]);

    const good = drift(mysqlPair(group({ gtid_mode: 'on' })), baseline);
    const bad = only(drift(mysqlPair(group({ gtid_mode: 'OFF_PERMISSIVE' })), baseline), 'PARAM_DRIFT');

    expect(only(good, 'PARAM_DRIFT').filter((f) => f.resource === 'orders')).toEqual([]);
    expect(bad.find((f) => f.resource === 'orders')!.evidence).toMatchObject({ parameter: 'gtid_mode', parameterName: 'gtid_mode', actual: 'OFF_PERMISSIVE' });
    expect(bad.find((f) => f.resource === 'orders')!.severity).toBe('critical');
  });

  it('evaluates a formula in a shared group once per database, with that database\'s class', () => {
    // Prepare: three databases share one group whose max_connections is a memory formula.
    const baseline = baselineOf([{ parameter: 'max_connections', expect: { min: 1000 }, severity: 'warning', reason: 'Room for the pool.', engine: 'mysql' }]);
    const snapshot = fleet({
      [REGION]: {
        dbInstances: [
          withGroup('big', 'shared', { DBInstanceClass: 'db.r6g.4xlarge' }),
          withGroup('tiny', 'shared', { DBInstanceClass: 'db.t3.micro' }),
          withGroup('middling', 'shared', { DBInstanceClass: 'db.r6g.large' }),
        ],
        dbParameters: { shared: group({ max_connections: '{DBInstanceClassMemory/12582880}' }) },
      },
    });

    // Act
    const findings = only(drift(snapshot, baseline), 'PARAM_DRIFT');

    // Assess: 128 GiB clears 1000 whatever RDS reserves; 1 GiB never does; 16 GiB cannot be decided.
    expect(findings.map((f) => [f.resource, f.severity, f.evidence.comparable])).toEqual([
      ['middling', 'info', false],
      ['tiny', 'warning', true],
    ]);
    expect(findings[1]!.message).toContain('{DBInstanceClassMemory/12582880}');
  });

  it('applies an entry only to the engine, version, identifier, tags and role it names', () => {
    const entry = { parameter: 'max_allowed_packet', expect: { min: 67108864 }, severity: 'warning' as const, reason: 'Big rows.' };
    const snapshot = fleet({
      [REGION]: {
        dbInstances: [
          withGroup('orders-a', 'small-packets', { TagList: [{ Key: 'env', Value: 'prod' }] }),
          withGroup('orders-b', 'small-packets', { TagList: [{ Key: 'env', Value: 'dev' }] }),
          withGroup('orders-old', 'small-packets', { EngineVersion: '8.0.28', TagList: [{ Key: 'env', Value: 'prod' }] }),
          withGroup('billing', 'small-packets', { TagList: [{ Key: 'env', Value: 'prod' }] }),
          withGroup('pg', 'small-packets', { Engine: 'postgres', EngineVersion: '16.4', TagList: [{ Key: 'env', Value: 'prod' }] }),
        ],
        dbParameters: { 'small-packets': group({ max_allowed_packet: '4194304' }) },
      },
    });
    const baseline = baselineOf([{ ...entry, engine: 'mysql', engineVersion: '>=8.0.30', identifier: 'orders-*', tags: { env: 'prod' } }]);

    const findings = only(drift(snapshot, baseline), 'PARAM_DRIFT');

    expect(findings.map((f) => f.resource)).toEqual(['orders-a']);
    const byRole = only(drift(snapshot, baselineOf([{ ...entry, engine: 'mysql', role: 'replica' }])), 'PARAM_DRIFT');
    expect(byRole).toEqual([]);
  });

  it('lets the last matching entry for a parameter win', () => {
    const baseline = baselineOf([
      { parameter: 'max_allowed_packet', expect: { min: 67108864 }, severity: 'warning', reason: 'General rule.', engine: 'mysql' },
      { parameter: 'max_allowed_packet', expect: { min: 1048576 }, severity: 'warning', reason: 'Legacy app.', engine: 'mysql', identifier: 'legacy' },
    ]);
    const snapshot = fleet({
      [REGION]: {
        dbInstances: [withGroup('legacy', 'g'), withGroup('modern', 'g')],
        dbParameters: { g: group({ max_allowed_packet: '4194304' }) },
      },
    });

    const findings = only(drift(snapshot, baseline), 'PARAM_DRIFT');

    expect(findings.map((f) => f.resource)).toEqual(['modern']);
  });

  it('keeps one alert per parameter on the same database', () => {
    const baseline = baselineOf([
      { parameter: 'binlog_format', expect: 'ROW', severity: 'warning', reason: 'Row.', engine: 'mysql' },
      { parameter: 'sync_binlog', expect: 1, severity: 'warning', reason: 'Sync.', engine: 'mysql' },
    ]);
    const findings = only(drift(mysqlPair(group({ binlog_format: 'STATEMENT', sync_binlog: '0' })), baseline), 'PARAM_DRIFT').filter(
      (f) => f.resource === 'orders',
    );

    expect(new Set(findings.map(findingKey)).size).toBe(2);
  });
});

describe('PARAM_DRIFT on Aurora', () => {
  const flushEntry = [
    { parameter: 'innodb_flush_log_at_trx_commit', expect: 1, severity: 'warning' as const, reason: 'Durable commits.', engine: 'aurora-mysql' as const },
  ];

  function aurora(clusterParams: Parameter[], instanceParams: Record<string, Parameter[]>) {
    const member = (id: string): DbInstance =>
      instance(id, {
        Engine: 'aurora-mysql',
        EngineVersion: '8.0.mysql_aurora.3.07.1',
        DBClusterIdentifier: 'shop',
        DBParameterGroups: [{ DBParameterGroupName: `${id}-params`, ParameterApplyStatus: 'in-sync' }],
      });
    return fleet({
      [REGION]: {
        dbInstances: [member('shop-1'), member('shop-2')],
        dbClusters: [cluster('shop', { 'shop-1': true, 'shop-2': false }, { DBClusterParameterGroup: 'shop-cluster' })],
        dbParameters: { 'shop-1-params': instanceParams['shop-1'] ?? [], 'shop-2-params': instanceParams['shop-2'] ?? [] },
        dbClusterParameters: { 'shop-cluster': clusterParams },
      },
    });
  }

  it('reports a cluster-group value once, on the cluster, naming its members', () => {
    const findings = only(drift(aurora(group({ innodb_flush_log_at_trx_commit: '2' }), {}), baselineOf(flushEntry)), 'PARAM_DRIFT');

    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ resource: 'shop' });
    expect(findings[0]!.message).toContain('on cluster shop');
    expect(findings[0]!.evidence).toMatchObject({ origin: 'cluster-group', parameterGroup: 'shop-cluster', members: ['shop-1', 'shop-2'] });
    expect(findings[0]!.hint).toContain('modify-db-cluster-parameter-group');
  });

  it('lets a user-set instance value override the cluster group, but not an instance default', () => {
    // shop-1 overrides the cluster's 2 with 1; shop-2 lists only the engine default 1, which the cluster's 2 overrides.
    const snapshot = aurora(group({ innodb_flush_log_at_trx_commit: '2' }), {
      'shop-1': [param('innodb_flush_log_at_trx_commit', '1')],
      'shop-2': [param('innodb_flush_log_at_trx_commit', '1', { Source: 'engine-default' })],
    });

    const findings = only(drift(snapshot, baselineOf(flushEntry)), 'PARAM_DRIFT');

    expect(findings.map((f) => f.resource)).toEqual(['shop-2']);
    expect(findings[0]!.evidence).toMatchObject({ origin: 'cluster-group', actual: '2' });
  });

  it('checks a binlog source cluster against the default baseline through its writer', () => {
    // Prepare: shop feeds a binlog replica cluster, so its writer is a source.
    const snapshot = aurora(group({ binlog_format: 'MIXED' }), {});
    const region = snapshot.regions[REGION]!;
    const withReplica = fleet({
      [REGION]: {
        ...region,
        dbClusters: [
          ...(region.dbClusters ?? []),
          cluster('shop-bi', {}, { DBClusterParameterGroup: 'shop-cluster', ReplicationSourceIdentifier: clusterArn(REGION, 'shop') }),
        ],
      },
    });

    const findings = only(drift(withReplica), 'PARAM_DRIFT');

    expect(findings.map((f) => [f.resource, f.evidence.parameter])).toEqual([['shop-1', 'binlog_format']]);
  });
});

describe('roles', () => {
  it('does not make the writer of an Aurora global database a binlog source', () => {
    // Global secondaries replicate at the storage layer: binlog_format OFF is right for this writer.
    const member = (id: string, clusterId: string) =>
      instance(id, {
        Engine: 'aurora-mysql',
        EngineVersion: '8.0.mysql_aurora.3.07.1',
        DBClusterIdentifier: clusterId,
        DBParameterGroups: [{ DBParameterGroupName: 'inst', ParameterApplyStatus: 'in-sync' }],
      });
    const snapshot = fleet({
      [REGION]: {
        dbInstances: [member('ledger-a', 'ledger')],
        dbClusters: [cluster('ledger', { 'ledger-a': true }, { DBClusterParameterGroup: 'cl', GlobalClusterIdentifier: 'g' })],
        globalClusters: [globalCluster('g', clusterArn(REGION, 'ledger'), [clusterArn('eu-west-1', 'ledger-eu')], { Engine: 'aurora-mysql' })],
        dbParameters: { inst: [] },
        dbClusterParameters: { cl: group({ binlog_format: 'OFF' }) },
      },
    });

    expect(only(drift(snapshot), 'PARAM_DRIFT')).toEqual([]);
  });
});

describe('parameter drift needs parameter data', () => {
  it('makes no parameter guesses for a region read without parameter groups', () => {
    const snapshot = mysqlPair([]);
    const { dbParameters: _dropped, ...region } = snapshot.regions[REGION]!;

    const findings = drift(fleet({ [REGION]: region }));

    expect(findings.filter((f) => f.code.startsWith('PARAM_DRIFT'))).toEqual([]);
    // ...but says once that the parameter rules were skipped there.
    expect(findings.filter((f) => f.code === 'CHECK_DEGRADED')).toEqual([
      expect.objectContaining({ severity: 'info', region: REGION, resource: 'rds:DescribeDBParameters' }),
    ]);
  });

  it('reports a group missing from the data once, naming the databases left unchecked', () => {
    const snapshot = fleet({
      [REGION]: {
        dbInstances: [withGroup('a', 'lost-group'), withGroup('b', 'lost-group'), withGroup('c', 'present')],
        dbParameters: { present: group({ binlog_format: 'ROW' }) },
      },
    });

    const findings = drift(snapshot);

    const degraded = only(findings, 'CHECK_DEGRADED');
    expect(degraded).toHaveLength(1);
    expect(degraded[0]).toMatchObject({ severity: 'warning', resource: 'lost-group' });
    expect(degraded[0]!.evidence).toMatchObject({ operation: 'rds:DescribeDBParameters', databases: ['a', 'b'] });
    expect(only(findings, 'PARAM_DRIFT').map((f) => f.resource)).not.toContain('a');
  });
});
