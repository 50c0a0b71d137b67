/**
 * Replica/source parameter parity, table by table: GTID mode pairs, unknown defaults on both
 * sides, which replica kinds are compared, and the evidence of each finding.
 */
import { describe, expect, it } from 'vitest';
import type { DbInstance, Parameter } from '../../../../lambdas/core/fleet/model';
import { cluster, fleet, instance, instanceArn, replica } from '../../../support/fleet';
import { resolveValue } from '../../../../lambdas/core/rules/drift/values';
import { drift, group, NO_BASELINE, only } from './helpers';

const REGION = 'us-east-1';

interface PairOptions {
  readonly engine?: string;
  readonly sourceVersion?: string;
  readonly replicaVersion?: string;
}

/** A source and one read replica, each with its own parameter group. */
function pair(sourceParams: Parameter[], replicaParams: Parameter[], options: PairOptions = {}) {
  const engine = options.engine ?? 'mysql';
  const version = engine === 'postgres' ? '16.4' : engine === 'mariadb' ? '10.11.9' : '8.0.39';
  const withGroup = (name: string, v: string | undefined): Partial<DbInstance> => ({
    Engine: engine,
    EngineVersion: v,
    DBParameterGroups: [{ DBParameterGroupName: name, ParameterApplyStatus: 'in-sync' }],
  });
  return fleet({
    [REGION]: {
      dbInstances: [
        instance('src', withGroup('src-params', 'sourceVersion' in options ? options.sourceVersion : version)),
        replica('ro', 'src', withGroup('ro-params', 'replicaVersion' in options ? options.replicaVersion : version)),
      ],
      dbParameters: { 'src-params': sourceParams, 'ro-params': replicaParams },
    },
  });
}

const parity = (snapshot: ReturnType<typeof pair>) => drift(snapshot, NO_BASELINE);
const gtid = (mode: string) => group({ gtid_mode: mode, enforce_gtid_consistency: 'ON' });

describe('GTID mode pairs', () => {
  it.each<[string, string, string | undefined]>([
    ['ON', 'ON', undefined],
    ['ON', 'OFF', 'critical'],
    ['ON', 'OFF_PERMISSIVE', 'warning'],
    ['ON', 'ON_PERMISSIVE', 'warning'],
    ['ON_PERMISSIVE', 'OFF', 'critical'],
    ['ON_PERMISSIVE', 'ON', 'warning'],
    ['OFF', 'ON', 'critical'],
    ['OFF', 'ON_PERMISSIVE', 'warning'],
    ['OFF', 'OFF_PERMISSIVE', 'warning'],
    ['OFF_PERMISSIVE', 'ON', 'critical'],
    ['OFF_PERMISSIVE', 'OFF', 'warning'],
  ])('source %s, replica %s: %s', (source, replicaMode, severity) => {
    // Act
    const findings = only(parity(pair(gtid(source), gtid(replicaMode))), 'REPLICA_PARAM_MISMATCH');

    // Assess
    expect(findings.map((f) => f.severity)).toEqual(severity ? [severity] : []);
    if (severity) {
      expect(findings[0]!.evidence).toMatchObject({ parameter: 'gtid_mode', sourceValue: source, replicaValue: replicaMode, comparable: true });
    }
  });

  it('compares enforce_gtid_consistency for equality', () => {
    const findings = only(
      parity(pair(group({ gtid_mode: 'ON', enforce_gtid_consistency: 'ON' }), group({ gtid_mode: 'ON', enforce_gtid_consistency: 'WARN' }))),
      'REPLICA_PARAM_MISMATCH',
    );

    expect(findings.map((f) => [f.evidence.parameter, f.severity])).toEqual([['enforce_gtid_consistency', 'warning']]);
  });
});

describe('unknown defaults on both sides', () => {
  it.each<[string, PairOptions, number]>([
    ['the same engine and version', {}, 0],
    ['different minor versions', { sourceVersion: '8.0.40', replicaVersion: '8.0.39' }, 1],
    ['versions not reported', { sourceVersion: undefined, replicaVersion: undefined }, 1],
  ])('on %s: %s not-comparable gtid_mode findings', (_, options, count) => {
    // RDS MySQL's gtid_mode default is not known: both sides leave it unset.
    const findings = only(parity(pair([], [], options)), 'REPLICA_PARAM_MISMATCH').filter((f) => f.evidence.parameter === 'gtid_mode');

    expect(findings).toHaveLength(count);
    for (const f of findings) {
      expect(f).toMatchObject({ severity: 'info', evidence: { comparable: false, replicaValue: null, sourceValue: null, replicaOrigin: 'engine-default' } });
      expect(f.evidence.why).toMatch(/\S/);
    }
  });

  it('compares a value on the replica with an unknown default on the source', () => {
    const findings = only(parity(pair([], group({ gtid_mode: 'ON' }))), 'REPLICA_PARAM_MISMATCH');

    expect(findings.map((f) => [f.evidence.parameter, f.severity, f.evidence.replicaValue, f.evidence.sourceValue])).toEqual([['gtid_mode', 'info', 'ON', null]]);
  });

  it('reports a PostgreSQL standby parameter it cannot compare with its evidence', () => {
    const findings = only(parity(pair(group({ max_connections: '1500' }), [], { engine: 'postgres' })), 'REPLICA_PARAM_BELOW_SOURCE');

    expect(findings).toHaveLength(1);
    expect(findings[0]!.evidence).toMatchObject({
      parameter: 'max_connections',
      replicaValue: 'LEAST({DBInstanceClassMemory/9531392},5000)',
      replicaEvaluated: '1081..1802',
      replicaOrigin: 'engine-default',
      replicaParameterGroup: null,
      sourceValue: '1500',
      sourceEvaluated: 1500,
      sourceParameterGroup: 'src-params',
      sourceOrigin: 'instance-group',
      source: 'src',
      sourceRegion: REGION,
      replicaClass: 'db.r6g.large',
      sourceClass: 'db.r6g.large',
      comparable: false,
    });
    expect(typeof findings[0]!.evidence.why).toBe('string');
  });

  it('says the standby is at least the source when the replica is larger for every memory figure', () => {
    // The default on a db.r6g.large is at most 8 GiB / 9531392 ≈ 901 connections.
    const findings = only(parity(pair(group({ max_connections: '100' }), [], { engine: 'postgres' })), 'REPLICA_PARAM_BELOW_SOURCE');

    expect(findings).toEqual([]);
  });
});

describe('max_allowed_packet and binlog_format', () => {
  it.each<[string, string, string | undefined]>([
    ['16777216', '16777216', undefined],
    ['16777216', '16777215', 'warning'],
    ['16777216', 'lots', 'info'],
  ])('source %s, replica %s: %s', (source, replicaValue, severity) => {
    const findings = only(parity(pair(group({ max_allowed_packet: source }), group({ max_allowed_packet: replicaValue }))), 'REPLICA_PARAM_MISMATCH');

    const packet = findings.filter((f) => f.evidence.parameter === 'max_allowed_packet');
    expect(packet.map((f) => f.severity)).toEqual(severity ? [severity] : []);
    if (severity === 'info') expect(packet[0]!.evidence).toMatchObject({ comparable: false, why: expect.stringMatching(/\S/) });
  });

  it('lets a replica with binary logging off replicate from a source that has it on', () => {
    const findings = only(parity(pair(group({ binlog_format: 'ROW' }), group({ binlog_format: 'OFF' }))), 'REPLICA_PARAM_MISMATCH');

    expect(findings.filter((f) => f.evidence.parameter === 'binlog_format')).toEqual([]);
  });

  it('compares binlog_format on MariaDB too', () => {
    const findings = only(parity(pair(group({ binlog_format: 'ROW' }), group({ binlog_format: 'MIXED' }), { engine: 'mariadb' })), 'REPLICA_PARAM_MISMATCH');

    expect(findings.map((f) => [f.evidence.parameter, f.severity])).toEqual([['binlog_format', 'warning']]);
  });
});

describe('REPLICA_WRITABLE evidence', () => {
  it.each<[string, string, boolean | string, boolean]>([
    ['0', 'critical', false, true],
    ['maybe', 'info', 'maybe', false],
  ])('read_only %s is %s', (value, severity, evaluated, comparable) => {
    const findings = only(parity(pair([], group({ read_only: value }))), 'REPLICA_WRITABLE');

    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      severity,
      evidence: {
        parameter: 'read_only',
        parameterName: 'read_only',
        value,
        evaluated,
        origin: 'instance-group',
        parameterGroup: 'ro-params',
        source: 'src',
        sourceRegion: REGION,
        comparable,
      },
    });
    if (!comparable) expect(findings[0]!.evidence.why).toMatch(/\S/);
  });

  it('says why a read_only formula cannot be read as on or off: the formula\'s own problem', () => {
    const raw = '{DBInstanceMystery}';

    const [finding] = only(parity(pair([], group({ read_only: raw }))), 'REPLICA_WRITABLE');

    const resolved = resolveValue(raw, {}, 'boolean');
    expect(resolved.kind).toBe('unknown');
    expect(finding!.evidence).toMatchObject({ comparable: false, evaluated: null, why: resolved.kind === 'unknown' ? resolved.reason : '' });
  });

  it('does not read the source\'s group as shared when only the names match across regions', () => {
    // A group name is per region: the replica's "p" in eu-west-1 is not the source's "p".
    const snapshot = fleet({
      [REGION]: {
        dbInstances: [instance('src', { DBParameterGroups: [{ DBParameterGroupName: 'p', ParameterApplyStatus: 'in-sync' }] })],
        dbParameters: { p: [] },
      },
      'eu-west-1': {
        dbInstances: [replica('dr', `arn:aws:rds:${REGION}:123456789012:db:src`, { DBParameterGroups: [{ DBParameterGroupName: 'p', ParameterApplyStatus: 'in-sync' }] })],
        dbParameters: { p: group({ read_only: '0' }) },
      },
    });

    const [finding] = only(drift(snapshot, NO_BASELINE), 'REPLICA_WRITABLE');

    expect(finding!.hint).not.toContain('shares');
  });
});

describe('which replicas are compared', () => {
  it.each<[string, string, Parameter[]]>([
    ['MySQL', 'mysql', group({ binlog_format: 'ROW', gtid_mode: 'ON', enforce_gtid_consistency: 'ON', max_allowed_packet: '67108864' })],
    ['PostgreSQL', 'postgres', group({ max_connections: '500', max_wal_senders: '10' })],
  ])('finds nothing at all for a %s pair with the same settings', (_, engine, settings) => {
    expect(parity(pair(settings, settings, { engine }))).toEqual([]);
  });

  it('does not hold a MySQL replica to the PostgreSQL standby minimums', () => {
    const findings = parity(pair(group({ max_connections: '200' }), group({ max_connections: '100' })));

    expect(only(findings, 'REPLICA_PARAM_BELOW_SOURCE')).toEqual([]);
  });

  it('holds an Aurora PostgreSQL replica cluster of an RDS PostgreSQL instance to no MySQL setting', () => {
    // An Aurora read replica is how RDS for PostgreSQL migrates to Aurora: no binlog, no read_only.
    const snapshot = fleet({
      [REGION]: {
        dbInstances: [instance('pg', { Engine: 'postgres', EngineVersion: '16.4', DBParameterGroups: [{ DBParameterGroupName: 'p', ParameterApplyStatus: 'in-sync' }] })],
        dbClusters: [
          cluster('apg', {}, { Engine: 'aurora-postgresql', EngineVersion: '16.4', DBClusterParameterGroup: 'c', ReplicationSourceIdentifier: instanceArn(REGION, 'pg') }),
        ],
        dbParameters: { p: group({ binlog_format: 'ROW' }) },
        dbClusterParameters: { c: group({ read_only: '0' }) },
      },
    });

    const findings = drift(snapshot, NO_BASELINE);

    expect(findings.filter((f) => f.code === 'REPLICA_PARAM_MISMATCH' || f.code === 'REPLICA_WRITABLE')).toEqual([]);
  });

  it('does not compare the reader of a Multi-AZ DB cluster with its writer', () => {
    const member = (id: string, groupName: string) =>
      instance(id, { DBClusterIdentifier: 'maz', DBParameterGroups: [{ DBParameterGroupName: groupName, ParameterApplyStatus: 'in-sync' }] });
    const snapshot = fleet({
      [REGION]: {
        dbInstances: [member('maz-1', 'w'), member('maz-2', 'r')],
        dbClusters: [cluster('maz', { 'maz-1': true, 'maz-2': false }, { Engine: 'mysql', EngineVersion: '8.0.39', DBClusterParameterGroup: 'c' })],
        dbParameters: { w: group({ max_allowed_packet: '1073741824' }), r: group({ read_only: '0', max_allowed_packet: '1024' }) },
        dbClusterParameters: { c: [] },
      },
    });

    expect(drift(snapshot, NO_BASELINE).filter((f) => f.code.startsWith('REPLICA_'))).toEqual([]);
  });

  it('does not compare an Aurora MySQL reader with its writer: they share the cluster\'s storage, not a binlog', () => {
    const member = (id: string, groupName: string) =>
      instance(id, {
        Engine: 'aurora-mysql',
        EngineVersion: '8.0.mysql_aurora.3.07.1',
        DBClusterIdentifier: 'shop',
        DBParameterGroups: [{ DBParameterGroupName: groupName, ParameterApplyStatus: 'in-sync' }],
      });
    const snapshot = fleet({
      [REGION]: {
        dbInstances: [member('shop-1', 'w'), member('shop-2', 'r')],
        dbClusters: [cluster('shop', { 'shop-1': true, 'shop-2': false }, { DBClusterParameterGroup: 'c' })],
        dbParameters: { w: group({ max_allowed_packet: '1073741824' }), r: group({ read_only: '0', max_allowed_packet: '1024' }) },
        dbClusterParameters: { c: [] },
      },
    });

    const findings = drift(snapshot, NO_BASELINE);

    expect(findings.filter((f) => f.code.startsWith('REPLICA_'))).toEqual([]);
  });

  it.each([
    ['source', 'src-params'],
    ['replica', 'ro-params'],
  ])('does not compare a replica whose %s group is not in the data, and says the group is missing', (_, missing) => {
    const snapshot = pair(group({ max_allowed_packet: '1073741824' }), group({ read_only: '0', max_allowed_packet: '1024' }));
    delete (snapshot.regions[REGION]!.dbParameters as Record<string, Parameter[]>)[missing];

    const findings = drift(snapshot, NO_BASELINE);

    expect(findings.filter((f) => f.code.startsWith('REPLICA_'))).toEqual([]);
    expect(only(findings, 'CHECK_DEGRADED').map((f) => f.resource)).toEqual([missing]);
  });
});
