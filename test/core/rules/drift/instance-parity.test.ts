import { describe, expect, it } from 'vitest';
import type { DbInstance } from '../../../../lambdas/core/fleet/model';
import { cluster, clusterArn, fleet, instance, instanceArn, replica } from '../../../support/fleet';
import { drift, NO_BASELINE, only } from './helpers';

const REGION = 'us-east-1';

/** No parameter groups at all: these rules read only the instance descriptions. */
function pair(source: Partial<DbInstance>, replicaFields: Partial<DbInstance>) {
  return fleet({ [REGION]: { dbInstances: [instance('src', source), replica('ro', 'src', replicaFields)] } });
}

const run = (snapshot: ReturnType<typeof pair>) => drift(snapshot, NO_BASELINE);

describe('REPLICA_UNDERSIZED', () => {
  it('flags a smaller class in the same family', () => {
    // Act
    const findings = only(run(pair({ DBInstanceClass: 'db.r6g.2xlarge' }, { DBInstanceClass: 'db.r6g.large' })), 'REPLICA_UNDERSIZED');

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', resource: 'ro' });
    expect(findings[0]!.message).toContain("class db.r6g.large is smaller than the source's db.r6g.2xlarge");
    expect(findings[0]!.evidence).toMatchObject({ replicaClass: 'db.r6g.large', sourceClass: 'db.r6g.2xlarge' });
  });

  it('compares memory and vCPUs across families', () => {
    const findings = only(run(pair({ DBInstanceClass: 'db.r6g.xlarge' }, { DBInstanceClass: 'db.m6g.xlarge' })), 'REPLICA_UNDERSIZED');

    expect(findings[0]!.message).toContain("db.m6g.xlarge (4 vCPU, 16 GiB) vs db.r6g.xlarge (4 vCPU, 32 GiB)");
    expect(only(run(pair({ DBInstanceClass: 'db.m6g.xlarge' }, { DBInstanceClass: 'db.r6g.xlarge' })), 'REPLICA_UNDERSIZED')).toEqual([]);
  });

  it('flags less storage and fewer provisioned IOPS', () => {
    const findings = only(
      run(pair({ AllocatedStorage: 500, Iops: 12000, StorageType: 'io1' }, { AllocatedStorage: 200, StorageType: 'gp2' })),
      'REPLICA_UNDERSIZED',
    );

    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain("storage 200 GiB is less than the source's 500 GiB");
    expect(findings[0]!.message).toContain("provisioned IOPS none is below the source's 12000");
  });

  it('stays quiet for a replica as large as or larger than its source', () => {
    expect(only(run(pair({}, {})), 'REPLICA_UNDERSIZED')).toEqual([]);
    expect(only(run(pair({ DBInstanceClass: 'db.r6g.large' }, { DBInstanceClass: 'db.r6g.2xlarge', AllocatedStorage: 400 })), 'REPLICA_UNDERSIZED')).toEqual([]);
  });

  it('is info for an Aurora reader smaller than its writer', () => {
    const member = (id: string, cls: string) =>
      instance(id, { Engine: 'aurora-mysql', EngineVersion: '8.0.mysql_aurora.3.07.1', DBInstanceClass: cls, DBClusterIdentifier: 'shop' });
    const snapshot = fleet({
      [REGION]: {
        dbInstances: [member('shop-1', 'db.r6g.2xlarge'), member('shop-2', 'db.r6g.large')],
        dbClusters: [cluster('shop', { 'shop-1': true, 'shop-2': false })],
      },
    });

    const findings = only(drift(snapshot, NO_BASELINE), 'REPLICA_UNDERSIZED');

    expect(findings.map((f) => [f.resource, f.severity])).toEqual([['shop-2', 'info']]);
    expect(findings[0]!.message).toContain("smaller than the writer's db.r6g.2xlarge");
  });
});

describe('ENGINE_VERSION_MISMATCH', () => {
  it('is a warning for a replica a minor version behind, comparing versions numerically', () => {
    // 8.0.9 is older than 8.0.39 although "8.0.9" > "8.0.39" as text.
    const findings = only(run(pair({ EngineVersion: '8.0.39' }, { EngineVersion: '8.0.9' })), 'ENGINE_VERSION_MISMATCH');

    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'warning', resource: 'ro' });
    expect(findings[0]!.message).toContain('runs mysql 8.0.9, older than its source src (us-east-1) on 8.0.39');
  });

  it('is critical for a replica a major version behind', () => {
    const mysql = only(run(pair({ EngineVersion: '8.0.39' }, { EngineVersion: '5.7.44' })), 'ENGINE_VERSION_MISMATCH');
    const postgres = only(
      run(pair({ Engine: 'postgres', EngineVersion: '16.4' }, { Engine: 'postgres', EngineVersion: '15.8' })),
      'ENGINE_VERSION_MISMATCH',
    );

    expect(mysql.map((f) => f.severity)).toEqual(['critical']);
    expect(postgres.map((f) => f.severity)).toEqual(['critical']);
  });

  it('stays quiet for a replica on the same or a newer version', () => {
    expect(only(run(pair({ EngineVersion: '8.0.39' }, { EngineVersion: '8.0.39' })), 'ENGINE_VERSION_MISMATCH')).toEqual([]);
    expect(only(run(pair({ EngineVersion: '8.0.35' }, { EngineVersion: '8.0.39' })), 'ENGINE_VERSION_MISMATCH')).toEqual([]);
  });

  it('compares Aurora MySQL versions by their Aurora release, and not across engines', () => {
    const auroraCluster = (id: string, version: string, fields = {}) => cluster(id, {}, { EngineVersion: version, ...fields });
    const snapshot = fleet({
      [REGION]: {
        dbClusters: [
          auroraCluster('shop', '8.0.mysql_aurora.3.07.1'),
          auroraCluster('shop-bi', '8.0.mysql_aurora.3.05.2', { ReplicationSourceIdentifier: clusterArn(REGION, 'shop') }),
        ],
        dbInstances: [instance('legacy', { EngineVersion: '8.0.39' })],
      },
      'eu-west-1': {
        dbClusters: [auroraCluster('legacy-aurora', '8.0.mysql_aurora.3.04.0', { ReplicationSourceIdentifier: instanceArn(REGION, 'legacy') })],
      },
    });

    const findings = only(drift(snapshot, NO_BASELINE), 'ENGINE_VERSION_MISMATCH');

    expect(findings.map((f) => [f.resource, f.severity])).toEqual([['shop-bi', 'warning']]);
  });
});

describe('SOURCE_BACKUPS_DISABLED', () => {
  it('is critical for a replication source with a backup retention of 0', () => {
    const findings = only(run(pair({ BackupRetentionPeriod: 0 }, {})), 'SOURCE_BACKUPS_DISABLED');

    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'critical', resource: 'src' });
    expect(findings[0]!.message).toContain('is the replication source of ro but has automated backups disabled');
    expect(findings[0]!.evidence).toMatchObject({ backupRetentionPeriod: 0, replicas: ['ro'] });
  });

  it('counts replicas in regions not read, from the source\'s own list', () => {
    const snapshot = fleet({
      [REGION]: {
        dbInstances: [instance('src', { BackupRetentionPeriod: 0, ReadReplicaDBInstanceIdentifiers: [instanceArn('eu-west-1', 'dr')] })],
      },
    });

    expect(only(drift(snapshot, NO_BASELINE), 'SOURCE_BACKUPS_DISABLED').map((f) => f.evidence.replicas)).toEqual([['dr']]);
  });

  it('ignores databases without replicas, and replicas without backups', () => {
    const findings = only(run(pair({}, { BackupRetentionPeriod: 0 })), 'SOURCE_BACKUPS_DISABLED');
    const standalone = drift(fleet({ [REGION]: { dbInstances: [instance('lonely', { BackupRetentionPeriod: 0 })] } }), NO_BASELINE);

    expect(findings).toEqual([]);
    expect(only(standalone, 'SOURCE_BACKUPS_DISABLED')).toEqual([]);
  });
});

describe('replica and DR sizing agree', () => {
  it('judges a burstable replica of a general-purpose source the same way the DR rule does', () => {
    const findings = only(run(pair({ DBInstanceClass: 'db.m5.large' }, { DBInstanceClass: 'db.t3.large' })), 'REPLICA_UNDERSIZED');
    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('burstable');
  });
});
