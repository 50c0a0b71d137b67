/**
 * Boundaries of the instance-level parity rules, table by table: which replica kinds are sized,
 * equal values, missing fields, and the evidence each finding carries.
 */
import { describe, expect, it } from 'vitest';
import type { DbCluster, DbInstance } from '../../../../lambdas/core/fleet/model';
import { cluster, clusterArn, fleet, instance, instanceArn, replica } from '../../../support/fleet';
import { drift, NO_BASELINE, only } from './helpers';

const REGION = 'us-east-1';
const DR = 'us-west-2';

const codes = (findings: readonly { code: string }[]) => findings.map((f) => f.code);

function pair(source: Partial<DbInstance>, replicaFields: Partial<DbInstance>) {
  return fleet({ [REGION]: { dbInstances: [instance('src', source), replica('ro', 'src', replicaFields)] } });
}

const run = (snapshot: ReturnType<typeof pair>) => drift(snapshot, NO_BASELINE);

/** A Multi-AZ DB cluster (RDS MySQL) or an Aurora cluster with its members described. */
function clusterFleet(engine: string, writer: Partial<DbInstance>, reader: Partial<DbInstance>, fields: Partial<DbCluster> = {}) {
  const member = (id: string, extra: Partial<DbInstance>) => instance(id, { Engine: engine, DBClusterIdentifier: 'c', ...extra });
  return fleet({
    [REGION]: {
      dbInstances: [member('c-1', writer), member('c-2', reader)],
      dbClusters: [cluster('c', { 'c-1': true, 'c-2': false }, { Engine: engine, EngineVersion: '8.0.39', ...fields })],
    },
  });
}

describe('REPLICA_UNDERSIZED boundaries', () => {
  it.each<[string, Partial<DbInstance>, Partial<DbInstance>]>([
    ['equal storage', { AllocatedStorage: 500 }, { AllocatedStorage: 500 }],
    ['equal provisioned IOPS', { Iops: 3000 }, { Iops: 3000 }],
    ['more provisioned IOPS on the replica', { Iops: 3000 }, { Iops: 6000 }],
    ['a source without provisioned IOPS', { Iops: 0 }, {}],
    ['a replica whose storage is not reported', { AllocatedStorage: 500 }, { AllocatedStorage: undefined }],
    ['a replica whose class is not reported', { DBInstanceClass: 'db.r6g.2xlarge' }, { DBInstanceClass: undefined }],
  ])('stays quiet for %s', (_, source, replicaFields) => {
    // Act
    const findings = run(pair(source, replicaFields));

    // Assess: no parameter groups were read, so only that is said.
    expect(codes(findings)).toEqual(['CHECK_DEGRADED']);
  });

  it('carries the storage and IOPS of both sides in its evidence', () => {
    const findings = only(
      run(pair({ DBInstanceClass: 'db.r6g.xlarge', AllocatedStorage: 500, Iops: 12000 }, { AllocatedStorage: 200, Iops: 1000 })),
      'REPLICA_UNDERSIZED',
    );

    expect(findings).toHaveLength(1);
    expect(findings[0]!.evidence).toMatchObject({
      replicaClass: 'db.r6g.large',
      sourceClass: 'db.r6g.xlarge',
      source: 'src',
      sourceRegion: REGION,
      replicaStorageGiB: 200,
      sourceStorageGiB: 500,
      replicaIops: 1000,
      sourceIops: 12000,
    });
    expect(findings[0]!.evidence.reasons).toHaveLength(3);
  });

  it('says nothing of storage for an Aurora reader, whose storage is the cluster volume', () => {
    const findings = only(
      run(clusterFleet('aurora-mysql', { DBInstanceClass: 'db.r6g.2xlarge', AllocatedStorage: 100 }, { DBInstanceClass: 'db.r6g.large', AllocatedStorage: 1 })),
      'REPLICA_UNDERSIZED',
    );
    const sameClass = run(clusterFleet('aurora-mysql', { AllocatedStorage: 100, Iops: 3000 }, { AllocatedStorage: 1 }));

    expect(findings).toHaveLength(1);
    expect(findings[0]!.evidence.reasons).toHaveLength(1);
    expect(findings[0]!.evidence).not.toHaveProperty('replicaStorageGiB');
    expect(only(sameClass, 'REPLICA_UNDERSIZED')).toEqual([]);
  });

  it('does not size the reader of a Multi-AZ DB cluster against its writer', () => {
    const findings = run(clusterFleet('mysql', { DBInstanceClass: 'db.r6g.2xlarge' }, { DBInstanceClass: 'db.r6g.large' }));

    expect(codes(findings)).toEqual(['CHECK_DEGRADED']);
  });

  it('says nothing for a replica whose source is in a region not read', () => {
    // The source is in another region this run did not read: neither size nor version can be compared.
    const snapshot = fleet({
      [DR]: { dbInstances: [replica('dr', instanceArn(REGION, 'src'), { DBInstanceClass: 'db.t3.micro', EngineVersion: '5.7.44' })] },
    });

    expect(codes(drift(snapshot, NO_BASELINE))).toEqual(['CHECK_DEGRADED']);
  });
});

describe('ENGINE_VERSION_MISMATCH boundaries', () => {
  it.each<[string, Partial<DbInstance>, Partial<DbInstance>]>([
    ['a replica whose version is not reported', { EngineVersion: '8.0.39' }, { EngineVersion: undefined }],
    ['a source whose version is not reported', { EngineVersion: undefined }, { EngineVersion: '8.0.35' }],
  ])('stays quiet for %s', (_, source, replicaFields) => {
    expect(codes(run(pair(source, replicaFields)))).toEqual(['CHECK_DEGRADED']);
  });

  it('carries both versions and whether a major version is between them', () => {
    const [minor] = only(run(pair({ EngineVersion: '8.0.39' }, { EngineVersion: '8.0.35' })), 'ENGINE_VERSION_MISMATCH');
    const [major] = only(run(pair({ EngineVersion: '8.0.39' }, { EngineVersion: '5.7.44' })), 'ENGINE_VERSION_MISMATCH');

    expect(minor!.evidence).toEqual({ replicaVersion: '8.0.35', sourceVersion: '8.0.39', majorBehind: false, source: 'src', sourceRegion: REGION });
    expect(major!.evidence).toMatchObject({ replicaVersion: '5.7.44', sourceVersion: '8.0.39', majorBehind: true });
  });
});

describe('SOURCE_BACKUPS_DISABLED boundaries', () => {
  it('does not make an Aurora writer instance the source of its own readers', () => {
    // The members report the cluster's settings; the cluster keeps its own retention.
    const snapshot = clusterFleet('aurora-mysql', { BackupRetentionPeriod: 0 }, { BackupRetentionPeriod: 0 }, { BackupRetentionPeriod: 1 });

    expect(only(drift(snapshot, NO_BASELINE), 'SOURCE_BACKUPS_DISABLED')).toEqual([]);
  });

  it.each(['aurora-mysql', 'mysql'])('does not count the readers of a %s cluster as replicas it feeds', (engine) => {
    const snapshot = clusterFleet(engine, {}, {}, { BackupRetentionPeriod: 0 });

    expect(only(drift(snapshot, NO_BASELINE), 'SOURCE_BACKUPS_DISABLED')).toEqual([]);
  });

  it('does not count the readers of a cluster without a writer (a global secondary) as replicas it feeds', () => {
    const snapshot = fleet({
      [REGION]: {
        dbInstances: ['c-1', 'c-2'].map((id) => instance(id, { Engine: 'aurora-mysql', DBClusterIdentifier: 'c' })),
        dbClusters: [cluster('c', { 'c-1': false, 'c-2': false }, { BackupRetentionPeriod: 0 })],
      },
    });

    expect(only(drift(snapshot, NO_BASELINE), 'SOURCE_BACKUPS_DISABLED')).toEqual([]);
  });

  it('lists the described replicas of an instance by name, not by region', () => {
    const snapshot = fleet({
      [REGION]: { dbInstances: [instance('src', { BackupRetentionPeriod: 0 }), replica('b-ro', 'src')] },
      [DR]: { dbInstances: [replica('a-dr', instanceArn(REGION, 'src'))] },
    });

    expect(only(drift(snapshot, NO_BASELINE), 'SOURCE_BACKUPS_DISABLED').map((f) => f.evidence.replicas)).toEqual([['a-dr', 'b-ro']]);
  });

  it('flags a cluster without backups that feeds replica clusters, listing them by name', () => {
    // Prepare: replicas in two regions, so the topology's order (by region) is not the order of names.
    const snapshot = fleet({
      [REGION]: {
        dbClusters: [
          cluster('shop', {}, { BackupRetentionPeriod: 0 }),
          cluster('z-bi', {}, { ReplicationSourceIdentifier: clusterArn(REGION, 'shop') }),
        ],
      },
      [DR]: { dbClusters: [cluster('a-dr', {}, { ReplicationSourceIdentifier: clusterArn(REGION, 'shop') })] },
    });

    // Act
    const findings = only(drift(snapshot, NO_BASELINE), 'SOURCE_BACKUPS_DISABLED');

    // Assess
    expect(findings.map((f) => [f.resource, f.severity])).toEqual([['shop', 'critical']]);
    expect(findings[0]!.evidence).toEqual({ backupRetentionPeriod: 0, replicas: ['a-dr', 'z-bi'] });
  });

  it('lists an instance\'s replicas by name, those described and those only listed, clusters too', () => {
    const snapshot = fleet({
      [REGION]: {
        dbInstances: [
          instance('src', {
            BackupRetentionPeriod: 0,
            ReadReplicaDBInstanceIdentifiers: ['zz', instanceArn('eu-west-1', 'mm')],
            ReadReplicaDBClusterIdentifiers: [clusterArn('eu-west-1', 'aa-aurora')],
          }),
          replica('zz', 'src'),
        ],
      },
    });

    const findings = only(drift(snapshot, NO_BASELINE), 'SOURCE_BACKUPS_DISABLED');

    expect(findings.map((f) => f.evidence.replicas)).toEqual([['aa-aurora', 'mm', 'zz']]);
  });
});
