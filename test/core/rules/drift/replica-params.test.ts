import { describe, expect, it } from 'vitest';
import type { DbInstance, Parameter } from '../../../../lambdas/core/fleet/model';
import { cluster, clusterArn, fleet, instance, instanceArn, replica } from '../../../support/fleet';
import { drift, group, NO_BASELINE, only, param } from './helpers';

const REGION = 'us-east-1';

interface PairOptions {
  readonly engine?: string;
  readonly version?: string;
  readonly sourceClass?: string;
  readonly replicaClass?: string;
}

/** A source and one read replica, each with its own parameter group. */
function pair(sourceParams: Parameter[], replicaParams: Parameter[], options: PairOptions = {}) {
  const engine = options.engine ?? 'postgres';
  const version = options.version ?? (engine === 'postgres' ? '16.4' : engine === 'mariadb' ? '10.11.9' : '8.0.39');
  const common: Partial<DbInstance> = { Engine: engine, EngineVersion: version };
  return fleet({
    [REGION]: {
      dbInstances: [
        instance('src', {
          ...common,
          DBInstanceClass: options.sourceClass ?? 'db.r6g.large',
          DBParameterGroups: [{ DBParameterGroupName: 'src-params', ParameterApplyStatus: 'in-sync' }],
        }),
        replica('ro', 'src', {
          ...common,
          DBInstanceClass: options.replicaClass ?? 'db.r6g.large',
          DBParameterGroups: [{ DBParameterGroupName: 'ro-params', ParameterApplyStatus: 'in-sync' }],
        }),
      ],
      dbParameters: { 'src-params': sourceParams, 'ro-params': replicaParams },
    },
  });
}

const parity = (snapshot: ReturnType<typeof pair>) => drift(snapshot, NO_BASELINE);

describe('REPLICA_PARAM_BELOW_SOURCE (PostgreSQL hot standby)', () => {
  it('is critical when a standby has fewer connections than its primary', () => {
    // Act
    const findings = only(parity(pair(group({ max_connections: '200' }), group({ max_connections: '100' }))), 'REPLICA_PARAM_BELOW_SOURCE');

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'critical', resource: 'ro', region: REGION });
    expect(findings[0]!.message).toContain('max_connections on ro (us-east-1) is 100 (ro-params), below its source src (us-east-1) at 200 (src-params)');
    expect(findings[0]!.evidence).toMatchObject({ parameter: 'max_connections', replicaValue: '100', sourceValue: '200', comparable: true });
  });

  it('checks every hot-standby parameter, each as its own alert', () => {
    const source = group({ max_worker_processes: '16', max_wal_senders: '20', max_prepared_transactions: '100', max_locks_per_transaction: '256' });
    const replicaGroup = group({ max_worker_processes: '8', max_wal_senders: '10', max_prepared_transactions: '0', max_locks_per_transaction: '64' });

    const findings = only(parity(pair(source, replicaGroup)), 'REPLICA_PARAM_BELOW_SOURCE');

    expect(findings.map((f) => f.evidence.parameter).sort()).toEqual([
      'max_locks_per_transaction',
      'max_prepared_transactions',
      'max_wal_senders',
      'max_worker_processes',
    ]);
  });

  it('compares a value set on one side with the engine default on the other', () => {
    // The replica leaves max_prepared_transactions at the default 0.
    const findings = only(parity(pair(group({ max_prepared_transactions: '50' }), [])), 'REPLICA_PARAM_BELOW_SOURCE');

    expect(findings).toHaveLength(1);
    expect(findings[0]!.message).toContain('is 0 (engine default)');
  });

  it('evaluates the default memory formula per class: a smaller standby gets fewer connections', () => {
    const findings = only(parity(pair([], [], { sourceClass: 'db.r6g.2xlarge', replicaClass: 'db.r6g.large' })), 'REPLICA_PARAM_BELOW_SOURCE');

    // max_worker_processes defaults to GREATEST(${DBInstanceVCPU*2},8): 16 on the source, 8 on the replica.
    expect(findings.map((f) => [f.evidence.parameter, f.severity])).toEqual([
      ['max_connections', 'critical'],
      ['max_worker_processes', 'critical'],
    ]);
    expect(findings[0]!.message).toContain('LEAST({DBInstanceClassMemory/9531392},5000)');
    expect(findings[1]!.message).toContain('GREATEST(${DBInstanceVCPU*2},8) (= 8) (engine default)');
  });

  it('stays quiet when both run the same defaults on the same class, including unknown ones', () => {
    expect(only(parity(pair([], [])), 'REPLICA_PARAM_BELOW_SOURCE')).toEqual([]);
    expect(only(parity(pair(group({ max_connections: '500' }), group({ max_connections: '800' }))), 'REPLICA_PARAM_BELOW_SOURCE')).toEqual([]);
  });

  it('reports a comparison the formula cannot settle as info, not as a pass', () => {
    // 16 GiB gives between ~1,080 and 1,802 connections: 1,500 on the source may or may not be more.
    const findings = only(parity(pair(group({ max_connections: '1500' }), [])), 'REPLICA_PARAM_BELOW_SOURCE');

    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'info' });
    expect(findings[0]!.evidence).toMatchObject({ comparable: false });
    expect(findings[0]!.message).toContain('Cannot tell whether max_connections on ro');
  });

  it('is a warning on Aurora PostgreSQL readers', () => {
    const member = (id: string, cls: string, groupName: string) =>
      instance(id, {
        Engine: 'aurora-postgresql',
        EngineVersion: '16.4',
        DBInstanceClass: cls,
        DBClusterIdentifier: 'pay',
        DBParameterGroups: [{ DBParameterGroupName: groupName, ParameterApplyStatus: 'in-sync' }],
      });
    const snapshot = fleet({
      [REGION]: {
        dbInstances: [member('pay-w', 'db.r6g.xlarge', 'writer-params'), member('pay-r', 'db.r6g.xlarge', 'reader-params')],
        dbClusters: [cluster('pay', { 'pay-w': true, 'pay-r': false }, { Engine: 'aurora-postgresql', EngineVersion: '16.4', DBClusterParameterGroup: 'pay-cluster' })],
        dbParameters: { 'writer-params': group({ max_connections: '2000' }), 'reader-params': group({ max_connections: '1000' }) },
        dbClusterParameters: { 'pay-cluster': [] },
      },
    });

    const findings = only(drift(snapshot, NO_BASELINE), 'REPLICA_PARAM_BELOW_SOURCE');

    expect(findings.map((f) => [f.resource, f.severity])).toEqual([['pay-r', 'warning']]);
  });
});

describe('REPLICA_PARAM_MISMATCH (MySQL/MariaDB replication settings)', () => {
  const mysql = { engine: 'mysql' } as const;

  it('is a warning when binlog_format differs, and silent when only the case differs', () => {
    const differs = only(parity(pair(group({ binlog_format: 'ROW' }), group({ binlog_format: 'MIXED' }), mysql)), 'REPLICA_PARAM_MISMATCH');
    const sameWord = only(parity(pair(group({ binlog_format: 'ROW' }), group({ binlog_format: 'row' }), mysql)), 'REPLICA_PARAM_MISMATCH');

    expect(differs.map((f) => [f.evidence.parameter, f.severity])).toEqual([['binlog_format', 'warning']]);
    expect(differs[0]!.message).toContain('binlog_format differs between replica ro (us-east-1) and its source src (us-east-1): replica MIXED (ro-params), source ROW (src-params)');
    expect(sameWord).toEqual([]);
  });

  it('is critical when the GTID modes cannot replicate, whatever the parameter is called', () => {
    // The source spells it gtid-mode (as the console does), the replica gtid_mode.
    const findings = only(
      parity(pair([param('gtid-mode', 'ON'), param('enforce_gtid_consistency', 'ON')], group({ gtid_mode: 'OFF', enforce_gtid_consistency: 'ON' }), mysql)),
      'REPLICA_PARAM_MISMATCH',
    );

    expect(findings.map((f) => [f.evidence.parameter, f.severity])).toEqual([['gtid_mode', 'critical']]);
    expect(findings[0]!.message).toContain('the source writes GTID transactions the replica refuses');
  });

  it('is a warning for GTID modes that differ but still replicate', () => {
    const findings = only(
      parity(pair(group({ gtid_mode: 'ON_PERMISSIVE', enforce_gtid_consistency: 'ON' }), group({ gtid_mode: 'OFF_PERMISSIVE', enforce_gtid_consistency: 'ON' }), mysql)),
      'REPLICA_PARAM_MISMATCH',
    );

    expect(findings.map((f) => [f.evidence.parameter, f.severity])).toEqual([['gtid_mode', 'warning']]);
  });

  it('flags a replica max_allowed_packet below the source, including one left at the default', () => {
    const lower = only(parity(pair(group({ max_allowed_packet: '67108864' }), group({ max_allowed_packet: '16777216' }), mysql)), 'REPLICA_PARAM_MISMATCH');
    // MySQL 8.0's default is 64 MiB; the source allows 1 GiB.
    const defaulted = only(parity(pair(group({ max_allowed_packet: '1073741824' }), [], mysql)), 'REPLICA_PARAM_MISMATCH');
    const higher = only(parity(pair(group({ max_allowed_packet: '16777216' }), group({ max_allowed_packet: '67108864' }), mysql)), 'REPLICA_PARAM_MISMATCH');

    expect(lower.map((f) => f.evidence.parameter)).toEqual(['max_allowed_packet']);
    expect(defaulted.map((f) => [f.evidence.parameter, f.evidence.replicaOrigin])).toEqual([['max_allowed_packet', 'engine-default']]);
    expect(defaulted[0]!.message).toContain('67108864 (engine default)');
    expect(higher).toEqual([]);
  });

  it('does not compare GTID settings on MariaDB, which has its own GTIDs', () => {
    const findings = only(parity(pair(group({ gtid_mode: 'ON' }), group({}), { engine: 'mariadb' })), 'REPLICA_PARAM_MISMATCH');

    expect(findings).toEqual([]);
  });

  it('reports an unknown default on one side as not comparable', () => {
    // RDS MySQL's gtid_mode default is not in the shipped table.
    const findings = only(parity(pair(group({ gtid_mode: 'ON' }), [], mysql)), 'REPLICA_PARAM_MISMATCH');

    expect(findings.map((f) => [f.evidence.parameter, f.severity, f.evidence.comparable])).toEqual([['gtid_mode', 'info', false]]);
  });

  it('compares an Aurora MySQL binlog replica cluster with its source cluster', () => {
    // Prepare: the replica cluster keeps binary logging off, which is fine, but its max_allowed_packet is smaller.
    const auroraMember = (id: string, clusterId: string) =>
      instance(id, {
        Engine: 'aurora-mysql',
        EngineVersion: '8.0.mysql_aurora.3.07.1',
        DBClusterIdentifier: clusterId,
        DBParameterGroups: [{ DBParameterGroupName: 'aurora-instance', ParameterApplyStatus: 'in-sync' }],
      });
    const snapshot = fleet({
      [REGION]: {
        dbInstances: [auroraMember('shop-1', 'shop')],
        dbClusters: [cluster('shop', { 'shop-1': true }, { DBClusterParameterGroup: 'shop-cluster' })],
        dbParameters: { 'aurora-instance': [] },
        dbClusterParameters: {
          'shop-cluster': group({ binlog_format: 'ROW', max_allowed_packet: '1073741824' }),
          'bi-cluster': group({ binlog_format: 'OFF' }),
        },
      },
      'eu-west-1': {
        dbInstances: [auroraMember('shop-bi-1', 'shop-bi')],
        dbClusters: [
          cluster('shop-bi', { 'shop-bi-1': true }, { DBClusterParameterGroup: 'bi-cluster', ReplicationSourceIdentifier: clusterArn(REGION, 'shop') }),
        ],
        dbParameters: { 'aurora-instance': [] },
        dbClusterParameters: { 'bi-cluster': group({ binlog_format: 'OFF' }) },
      },
    });

    const findings = only(drift(snapshot, NO_BASELINE), 'REPLICA_PARAM_MISMATCH');

    expect(findings.map((f) => [f.resource, f.evidence.parameter])).toEqual([['shop-bi', 'max_allowed_packet']]);
  });
});

describe('REPLICA_WRITABLE', () => {
  const mysql = { engine: 'mysql' } as const;

  it('is critical when a MySQL replica has read_only off', () => {
    for (const value of ['0', 'OFF', 'false']) {
      const findings = only(parity(pair([], group({ read_only: value }), mysql)), 'REPLICA_WRITABLE');

      expect(findings).toHaveLength(1);
      expect(findings[0]).toMatchObject({ severity: 'critical', resource: 'ro' });
      expect(findings[0]!.message).toContain(`Replica ro (us-east-1) of src (us-east-1) accepts writes: read_only is ${value} (ro-params)`);
    }
  });

  it('warns against read_only=1 when the replica shares its group with the source', () => {
    const snapshot = fleet({
      [REGION]: {
        dbInstances: [
          instance('src', { DBParameterGroups: [{ DBParameterGroupName: 'shared', ParameterApplyStatus: 'in-sync' }] }),
          replica('ro', 'src', { DBParameterGroups: [{ DBParameterGroupName: 'shared', ParameterApplyStatus: 'in-sync' }] }),
        ],
        dbParameters: { shared: group({ read_only: '0' }) },
      },
    });

    const [finding] = only(drift(snapshot, NO_BASELINE), 'REPLICA_WRITABLE');

    expect(finding!.hint).toContain('never 1 in a shared group');
  });

  it('accepts the RDS default {TrueIfReplica}, set or left unset, and an explicit ON', () => {
    for (const replicaParams of [[], group({ read_only: '{TrueIfReplica}' }), group({ read_only: 'ON' })]) {
      expect(only(parity(pair([], replicaParams, mysql)), 'REPLICA_WRITABLE')).toEqual([]);
    }
    expect(only(parity(pair([], [], { engine: 'mariadb' })), 'REPLICA_WRITABLE')).toEqual([]);
  });

  it('reports a read_only it cannot evaluate as info', () => {
    const findings = only(parity(pair([], group({ read_only: '{DBInstanceMystery}' }), mysql)), 'REPLICA_WRITABLE');

    expect(findings.map((f) => [f.severity, f.evidence.comparable])).toEqual([['info', false]]);
  });

  it('follows a cross-region replica whose source is an ARN', () => {
    const snapshot = fleet({
      [REGION]: {
        dbInstances: [instance('src', { DBParameterGroups: [{ DBParameterGroupName: 'p', ParameterApplyStatus: 'in-sync' }] })],
        dbParameters: { p: [] },
      },
      'eu-west-1': {
        dbInstances: [replica('dr', instanceArn(REGION, 'src'), { DBParameterGroups: [{ DBParameterGroupName: 'p', ParameterApplyStatus: 'in-sync' }] })],
        dbParameters: { p: group({ read_only: '0' }) },
      },
    });

    const findings = only(drift(snapshot, NO_BASELINE), 'REPLICA_WRITABLE');

    expect(findings.map((f) => [f.region, f.resource])).toEqual([['eu-west-1', 'dr']]);
  });
});

describe('replica parameter rules need parameter data', () => {
  it('say nothing for a region read without parameter groups', () => {
    const snapshot = pair(group({ max_connections: '200' }), group({ max_connections: '100', read_only: '0' }));
    const { dbParameters: _dropped, ...region } = snapshot.regions[REGION]!;

    const findings = drift(fleet({ [REGION]: region }), NO_BASELINE);

    expect(findings.filter((f) => f.code.startsWith('REPLICA_PARAM') || f.code === 'REPLICA_WRITABLE')).toEqual([]);
  });
});
