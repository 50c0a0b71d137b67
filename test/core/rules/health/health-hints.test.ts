/**
 * Where a finding sends the responder first, by kind, engine and status. Asserted on one term
 * of each hint that only the right hint carries, not on its wording.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../lambdas/core/config';
import { evaluate } from '../../../../lambdas/core/rules/evaluate';
import type { FleetSnapshot } from '../../../../lambdas/core/fleet/model';
import { cluster, clusterArn, fleet, instance, instanceArn, lag, replica, series } from '../../../support/fleet';

const check = (snapshot: FleetSnapshot) => evaluate(snapshot, { config: parseConfig({}), scope: 'health' });

/** RDS read replica `db-ro` of `db`, both of `engine`. */
const instancePair = (engine: string, values: readonly number[], replicaStatus = 'available') =>
  fleet({
    'us-east-1': {
      dbInstances: [instance('db', { Engine: engine }), replica('db-ro', 'db', { Engine: engine, DBInstanceStatus: replicaStatus })],
      metrics: [lag('db-ro', values)],
    },
  });

/** Aurora cluster `db` in us-east-1 with reader `db-2` whose AuroraReplicaLag is `ms`. */
const auroraReader = (ms: readonly number[]) =>
  fleet({
    'us-east-1': {
      dbClusters: [cluster('db', { 'db-1': true, 'db-2': false })],
      dbInstances: ['db-1', 'db-2'].map((id) => instance(id, { Engine: 'aurora-mysql', DBClusterIdentifier: 'db' })),
      metrics: [series('AuroraReplicaLag', { DBInstanceIdentifier: 'db-2' }, ms)],
    },
  });

/** Aurora global database: writer cluster `g-us`, secondary `db-ro` in eu-west-1 with `ms` of lag. */
const globalSecondary = (ms: readonly number[]) => {
  const global = {
    GlobalClusterIdentifier: 'g',
    Engine: 'aurora-postgresql',
    GlobalClusterMembers: [
      { DBClusterArn: clusterArn('us-east-1', 'g-us'), IsWriter: true, Readers: [clusterArn('eu-west-1', 'db-ro')] },
      { DBClusterArn: clusterArn('eu-west-1', 'db-ro'), IsWriter: false, SynchronizationStatus: 'connected' },
    ],
  };
  return fleet({
    'us-east-1': {
      dbClusters: [cluster('g-us', { 'g-us-1': true }, { Engine: 'aurora-postgresql', GlobalClusterIdentifier: 'g' })],
      dbInstances: [instance('g-us-1', { Engine: 'aurora-postgresql', DBClusterIdentifier: 'g-us' })],
      globalClusters: [global],
    },
    'eu-west-1': {
      dbClusters: [cluster('db-ro', { 'db-ro-1': false }, { Engine: 'aurora-postgresql', GlobalClusterIdentifier: 'g' })],
      dbInstances: [instance('db-ro-1', { Engine: 'aurora-postgresql', DBClusterIdentifier: 'db-ro' })],
      globalClusters: [global],
      metrics: [series('AuroraGlobalDBReplicationLag', { DBClusterIdentifier: 'db-ro', SourceRegion: 'us-east-1' }, ms)],
    },
  });
};

/** Aurora MySQL cluster `db-ro` replicating by binlog from RDS MySQL `db`. */
const binlogCluster = (values: readonly number[]) =>
  fleet({
    'us-east-1': {
      dbInstances: [instance('db', { DBInstanceArn: instanceArn('us-east-1', 'db') })],
      dbClusters: [cluster('db-ro', { 'db-ro-1': true }, { ReplicationSourceIdentifier: instanceArn('us-east-1', 'db') })],
      metrics: [series('AuroraBinlogReplicaLag', { DBClusterIdentifier: 'db-ro', Role: 'WRITER' }, values)],
    },
  });

/** Aurora PostgreSQL cluster `db-ro` replicating from RDS PostgreSQL `db`. */
const auroraFromPostgres = (values: readonly number[]) =>
  fleet({
    'us-east-1': {
      dbInstances: [instance('db', { Engine: 'postgres' })],
      dbClusters: [cluster('db-ro', { 'db-ro-1': true }, { Engine: 'aurora-postgresql', ReplicationSourceIdentifier: instanceArn('us-east-1', 'db') })],
      metrics: [series('RDSToAuroraPostgreSQLReplicaLag', { DBClusterIdentifier: 'db-ro' }, values)],
    },
  });

const only = (snapshot: FleetSnapshot, code: string) => {
  const found = check(snapshot).findings.filter((f) => f.code === code);
  expect(found).toHaveLength(1);
  return found[0]!;
};

describe('the hint of REPLICA_LAG_HIGH', () => {
  it.each([
    ['an Aurora global secondary', globalSecondary([400_000, 400_000, 400_000]), 'db-ro', 'primary cluster'],
    ['an Aurora reader', auroraReader([400_000, 400_000, 400_000]), 'db-2', 'scale the reader'],
    ['an RDS for PostgreSQL replica', instancePair('postgres', [400, 400, 400]), 'db-ro', 'max_standby_streaming_delay'],
    ['an Aurora PostgreSQL cluster replicating from RDS PostgreSQL', auroraFromPostgres([400, 400, 400]), 'db-ro', 'max_standby_streaming_delay'],
    ['an RDS for MySQL replica', instancePair('mysql', [400, 400, 400]), 'db-ro', 'replica_parallel_workers'],
    ['an RDS for MariaDB replica', instancePair('mariadb', [400, 400, 400]), 'db-ro', 'replica_parallel_workers'],
    ['an Aurora MySQL binlog replica cluster', binlogCluster([400, 400, 400]), 'db-ro', 'replica_parallel_workers'],
    ['an RDS for Oracle replica', instancePair('oracle-ee', [400, 400, 400]), 'db-ro', 'storage throughput'],
  ])('for %s names its usual cause', (_, snapshot, resource, term) => {
    // Act
    const lagging = only(snapshot, 'REPLICA_LAG_HIGH');

    // Assess
    expect(`${lagging.severity}:${lagging.resource}`).toBe(`critical:${resource}`);
    expect(lagging.hint).toContain(term);
  });
});

describe('the hint of REPLICATION_BROKEN', () => {
  it.each([
    ['a MySQL replica reporting -1', instancePair('mysql', [-1, -1, -1]), 'SHOW REPLICA STATUS'],
    ['an Aurora MySQL binlog replica cluster reporting -1', binlogCluster([-1, -1, -1]), 'SHOW REPLICA STATUS'],
    ['a PostgreSQL replica reporting -1', instancePair('postgres', [-1, -1, -1]), 'pg_stat_wal_receiver'],
    ['an Oracle replica reporting -1', instancePair('oracle-ee', [-1, -1, -1]), 'RDS events'],
    ['a replica whose storage is full', instancePair('mysql', [1, 1, 1], 'storage-full'), 'allocated storage'],
    ['a replica with parameters it cannot start with', instancePair('mysql', [1, 1, 1], 'incompatible-parameters'), 'parameter group'],
    ['a failed replica', instancePair('mysql', [1, 1, 1], 'failed'), 'back to available'],
  ])('for %s says where to look', (_, snapshot, term) => {
    // Act
    const broken = only(snapshot, 'REPLICATION_BROKEN');

    // Assess
    expect(broken.severity).toBe('critical');
    expect(broken.hint).toContain(term);
  });

  it.each([
    ['stopped', 'Start the cluster'],
    ['starting', 'once the cluster is available'],
  ])('for a cluster that is %s says what to do', (status, term) => {
    // Prepare
    const snapshot = fleet({
      'us-east-1': {
        dbClusters: [cluster('db', { 'db-1': true, 'db-2': false }, { Status: status })],
        dbInstances: ['db-1', 'db-2'].map((id) => instance(id, { Engine: 'aurora-mysql', DBClusterIdentifier: 'db', DBInstanceStatus: status })),
      },
    });

    // Act
    const broken = only(snapshot, 'REPLICATION_BROKEN');

    // Assess
    expect(`${broken.severity}:${broken.resource}`).toBe('info:db');
    expect(broken.hint).toContain(term);
  });
});
