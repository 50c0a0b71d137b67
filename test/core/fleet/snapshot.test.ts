import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSnapshot, parseSnapshotText, SnapshotError } from '../../../lambdas/core/fleet/snapshot';

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SnapshotError);
    return (error as Error).message;
  }
  throw new Error('expected a SnapshotError');
};

const minimal = { format: 'replguard-snapshot/v1', capturedAt: '2026-11-24T10:00:00Z', regions: { 'us-east-1': {} } };

describe('snapshot validation', () => {
  it('accepts the bundled demo fleet', () => {
    const snapshot = parseSnapshotText(readFileSync('examples/demo-fleet.json', 'utf8'), 'examples/demo-fleet.json');
    expect(Object.keys(snapshot.regions)).toContain('us-east-1');
  });

  it('accepts a minimal snapshot: absent lists mean empty', () => {
    expect(parseSnapshot(minimal).regions['us-east-1']).toEqual({});
  });

  it('names the file when the JSON is broken', () => {
    expect(errorOf(() => parseSnapshotText('{"format": ', 'fleet.json'))).toMatch(/^fleet\.json is not valid JSON/);
  });

  it('rejects another format', () => {
    expect(errorOf(() => parseSnapshot({ ...minimal, format: 'replguard-snapshot/v0' }, 'fleet.json'))).toContain(
      'format: must be "replguard-snapshot/v1" (got "replguard-snapshot/v0")',
    );
  });

  it('rejects a missing or unparseable capturedAt', () => {
    expect(errorOf(() => parseSnapshot({ ...minimal, capturedAt: 'yesterday' }))).toContain('capturedAt: must be an ISO-8601 date');
    const { capturedAt: _omit, ...withoutDate } = minimal;
    expect(errorOf(() => parseSnapshot(withoutDate))).toContain('capturedAt');
  });

  it('rejects unknown regions and keys with their path', () => {
    expect(errorOf(() => parseSnapshot({ ...minimal, regions: { 'mars-east-1': {} } }))).toContain('regions.mars-east-1');
    expect(errorOf(() => parseSnapshot({ ...minimal, regions: { 'us-east-1': { instances: [] } } }))).toContain('"instances"');
  });

  it('rejects a metric series whose timestamps and values differ in length', () => {
    const metrics = [{ namespace: 'AWS/RDS', metricName: 'ReplicaLag', dimensions: {}, stat: 'Maximum', period: 60, timestamps: ['2026-11-24T10:00:00Z'], values: [] }];
    expect(errorOf(() => parseSnapshot({ ...minimal, regions: { 'us-east-1': { metrics } } }))).toContain(
      'regions.us-east-1.metrics.0.values: timestamps and values must have the same length',
    );
  });

  it('rejects a DB instance without an identifier', () => {
    expect(errorOf(() => parseSnapshot({ ...minimal, regions: { 'us-east-1': { dbInstances: [{ Engine: 'mysql' }] } } }))).toContain(
      'regions.us-east-1.dbInstances.0.DBInstanceIdentifier',
    );
  });

  it('rejects dates without a zone, whose meaning would depend on the laptop\'s timezone', () => {
    expect(errorOf(() => parseSnapshot({ ...minimal, capturedAt: '2026-11-24T10:00:00' }))).toContain(
      'capturedAt: must be an ISO-8601 date with a zone',
    );
  });

  it('normalises offsets to UTC', () => {
    expect(parseSnapshot({ ...minimal, capturedAt: '2026-11-24T15:30:00+05:30' }).capturedAt).toBe('2026-11-24T10:00:00.000Z');
  });

  it('rejects wrongly typed fields that rules read, naming the path', () => {
    const statusInfos = [{ StatusType: 'read replication', Status: 5 }];
    expect(errorOf(() => parseSnapshot({ ...minimal, regions: { 'us-east-1': { dbInstances: [{ DBInstanceIdentifier: 'a', StatusInfos: statusInfos }] } } }))).toContain(
      'regions.us-east-1.dbInstances.0.StatusInfos.0.Status: must be string',
    );
    expect(errorOf(() => parseSnapshot({ ...minimal, regions: { 'us-east-1': { dbClusters: [{ DBClusterIdentifier: 'c', ReadReplicaIdentifiers: 'oops' }] } } }))).toContain(
      'regions.us-east-1.dbClusters.0.ReadReplicaIdentifiers: must be array',
    );
  });
});

