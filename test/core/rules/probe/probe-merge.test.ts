import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../../../lambdas/core/config';
import { evaluate } from '../../../../lambdas/core/rules/evaluate';
import type { ProbeObservation } from '../../../../lambdas/core/fleet/probe-observation';
import { parseSnapshot } from '../../../../lambdas/core/fleet/snapshot';
import { fleet, instance, lag, replica } from '../../../support/fleet';

const source: ProbeObservation = {
  target: 'orders',
  region: 'us-east-1',
  engine: 'mysql',
  observedAt: '2026-11-24T09:59:50.000Z',
  role: 'source',
  heartbeat: { table: 'replguard.heartbeat', serverId: 1, writtenTs: '2026-11-24T09:59:49.900Z', seenTs: '2026-11-24T09:59:49.900Z', readAt: '2026-11-24T09:59:49.950Z' },
};
const replicaSeen = (seenTs: string, over: Partial<ProbeObservation> = {}): ProbeObservation => ({
  target: 'orders-ro',
  region: 'us-east-1',
  engine: 'mysql',
  observedAt: '2026-11-24T09:59:50.000Z',
  role: 'replica',
  sourceTarget: 'orders',
  heartbeat: { table: 'replguard.heartbeat', serverId: 1, seenTs, readAt: '2026-11-24T09:59:50.000Z' },
  mysqlReplica: {
    columnNames: 'replica', ioRunning: 'Yes', sqlRunning: 'Yes', ioState: null, sqlState: null,
    lastIoErrno: null, lastIoError: null, lastSqlErrno: null, lastSqlError: null, secondsBehindSource: 0,
    sourceHost: 'orders', sourcePort: 3306, sourceServerId: 1, retrievedGtidSet: null, executedGtidSet: null,
  },
  ...over,
});

// CloudWatch says the replica is 400 s behind for the whole window.
const withProbes = (probes: readonly ProbeObservation[]) =>
  fleet({
    'us-east-1': {
      dbInstances: [instance('orders'), replica('orders-ro', 'orders')],
      metrics: [lag('orders-ro', [400, 400, 400])],
      probes,
    },
  });

const lagFindings = (probes: readonly ProbeObservation[]) =>
  evaluate(withProbes(probes), { config: DEFAULT_CONFIG }).findings.filter((f) => f.code === 'REPLICA_LAG_HIGH');

describe('probe observations in a snapshot', () => {
  it('lets a fresh heartbeat replace CloudWatch lag, and says which measured it', () => {
    // Act
    const report = evaluate(withProbes([source, replicaSeen('2026-11-24T09:59:49.900Z')]), { config: DEFAULT_CONFIG });
    // Assess
    expect(report.findings.filter((f) => f.code === 'REPLICA_LAG_HIGH')).toEqual([]);
    expect(report.replicas[0]).toMatchObject({ id: 'orders-ro', lagSeconds: 0.1, status: 'healthy' });
  });

  it('reports heartbeat lag through the same finding, with the heartbeat as its evidence', () => {
    const findings = lagFindings([source, replicaSeen('2026-11-24T09:52:30.000Z')]);
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'critical', resource: 'orders-ro', evidence: { lagSource: 'heartbeat', lagSeconds: 440 } });
  });

  it('keeps CloudWatch lag when there is no probe, or when the probe ran outside the lag window', () => {
    expect(lagFindings([])[0]!.evidence).not.toHaveProperty('lagSource', 'heartbeat');
    const old = { ...replicaSeen('2026-11-24T09:00:00.000Z'), observedAt: '2026-11-24T09:00:00.000Z' };
    expect(lagFindings([{ ...source, observedAt: '2026-11-24T09:00:00.000Z' }, old])[0]!.evidence).not.toHaveProperty('lagSource', 'heartbeat');
  });

  it('survives the snapshot file format: validated, and bad observations named by path', () => {
    const snapshot = JSON.parse(JSON.stringify(withProbes([source])));
    expect(parseSnapshot(snapshot).regions['us-east-1']!.probes).toHaveLength(1);
    snapshot.regions['us-east-1'].probes[0].engine = 'oracle';
    expect(() => parseSnapshot(snapshot, 'fleet.json')).toThrow(/regions\.us-east-1\.probes\.0\.engine/);
  });
});
