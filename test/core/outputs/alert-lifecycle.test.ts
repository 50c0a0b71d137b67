import { describe, expect, it } from 'vitest';
import {
  dependencyRegions,
  describedResources,
  countBySeverity,
  planTransitions,
  type AlertState,
  type LifecycleInput,
  type Transition,
} from '../../../lambdas/core/outputs/alert-lifecycle';
import { findingKey, type Finding } from '../../../lambdas/core/findings';
import { finding } from '../../support/findings';
import { cluster, fleet, globalCluster, instance } from '../../support/fleet';

const T0 = new Date('2026-11-24T10:00:00Z');
const minutes = (n: number) => new Date(T0.getTime() + n * 60_000);
const hours = (n: number) => minutes(n * 60);

const lag = finding({ code: 'REPLICA_LAG_HIGH', severity: 'warning', resource: 'orders-ro-1' });

/** What the table holds after the run sent its news and confirmed it. */
const sent = ({ unsent: _unsent, ...state }: AlertState): AlertState => state;

/** Runs the lifecycle like the checker does: states carried from run to run, news sent. */
function run(
  previous: readonly AlertState[],
  findings: readonly Finding[],
  now: Date,
  extra: Partial<LifecycleInput> = {},
  delivered = true,
) {
  const plan = planTransitions({
    scope: 'health',
    previous,
    findings,
    now,
    reminderHours: 4,
    minSeverity: 'warning',
    ...extra,
  });
  const byKey = new Map(previous.map((s) => [s.key, s]));
  for (const t of plan.transitions) byKey.set(t.key, delivered ? sent(t.next) : t.next);
  return { plan, states: [...byKey.values()], kinds: plan.transitions.map((t: Transition) => t.kind) };
}

describe('planTransitions', () => {
  it('opens, stays quiet, reminds every reminderHours, and resolves', () => {
    // Act
    const first = run([], [lag], T0);
    const quiet = run(first.states, [lag], minutes(1));
    const beforeReminder = run(quiet.states, [lag], minutes(239));
    const reminder = run(beforeReminder.states, [lag], hours(4));
    const afterReminder = run(reminder.states, [lag], hours(4.5));
    const resolved = run(afterReminder.states, [], hours(5));
    const stillResolved = run(resolved.states, [], hours(6));

    // Assess
    expect(first.kinds).toEqual(['opened']);
    expect(first.plan.transitions[0]!.notify).toBe(true);
    expect(quiet.kinds).toEqual([]);
    expect(beforeReminder.kinds).toEqual([]);
    expect(reminder.kinds).toEqual(['reminder']);
    expect(afterReminder.kinds).toEqual([]);
    expect(resolved.kinds).toEqual(['resolved']);
    expect(resolved.plan.transitions[0]!.next).toMatchObject({ status: 'resolved', openedAt: T0.toISOString() });
    expect(resolved.plan.open).toEqual([]);
    expect(stillResolved.kinds).toEqual([]);
  });

  it('writes a reminder against the alert it reminds of: its key, the stored state it replaces, the finding', () => {
    // Prepare
    const opened = run([], [lag], T0);
    const stored = opened.states[0]!;

    // Act
    const reminder = run(opened.states, [lag], hours(4)).plan.transitions[0]!;

    // Assess: the store claims the write on key and previous; without them no reminder is sent.
    expect(reminder).toMatchObject({ kind: 'reminder', notify: true, key: findingKey(lag), previous: stored, finding: lag });
    expect(reminder.next).toMatchObject({ key: findingKey(lag), version: stored.version + 1, lastNotifiedAt: hours(4).toISOString() });
  });

  it('notifies an escalation at once, and a de-escalation silently', () => {
    const critical = { ...lag, severity: 'critical' as const };

    const opened = run([], [lag], T0);
    const escalated = run(opened.states, [critical], minutes(5));
    const calmer = run(escalated.states, [lag], minutes(10));
    const again = run(calmer.states, [critical], minutes(15));

    expect(escalated.kinds).toEqual(['escalated']);
    expect(escalated.plan.transitions[0]).toMatchObject({ notify: true, previous: { severity: 'warning' }, next: { severity: 'critical' } });
    expect(calmer.kinds).toEqual(['updated']);
    expect(calmer.plan.transitions[0]!.notify).toBe(false);
    expect(again.kinds).toEqual(['escalated']);
    // Still the same alert: opened once, at T0.
    expect(again.plan.transitions[0]!.next.openedAt).toBe(T0.toISOString());
  });

  it('keeps the most severe of two findings with the same key, whichever comes first', () => {
    const critical = { ...lag, severity: 'critical' as const };

    const criticalFirst = run([], [critical, lag], T0);
    const criticalLast = run([], [lag, critical], T0);

    expect(criticalFirst.plan.open.map((a) => a.severity)).toEqual(['critical']);
    expect(criticalLast.plan.open.map((a) => a.severity)).toEqual(['critical']);
  });

  it('counts open alerts by severity for the "open now" line', () => {
    const open = run([], [lag, finding({ code: 'REPLICATION_BROKEN', resource: 'a' }), finding({ code: 'REPLICATION_BROKEN', resource: 'b' })], T0).plan.open;

    expect(countBySeverity(open)).toEqual({ critical: 2, warning: 1, info: 0 });
    expect(countBySeverity([])).toEqual({ critical: 0, warning: 0, info: 0 });
  });

  it('reopens a resolved alert as new', () => {
    const opened = run([], [lag], T0);
    const resolved = run(opened.states, [], minutes(10));

    const reopened = run(resolved.states, [lag], minutes(20));

    expect(reopened.kinds).toEqual(['opened']);
    expect(reopened.plan.transitions[0]!.next).toMatchObject({ status: 'open', openedAt: minutes(20).toISOString() });
    expect(reopened.plan.transitions[0]!.next.resolvedAt).toBeUndefined();
    expect(reopened.plan.transitions[0]!.next.version).toBe(3);
  });

  it('never opens findings below minSeverity', () => {
    const info = finding({ code: 'PARAM_PENDING_REBOOT', severity: 'info' });

    const result = run([], [info], T0, { scope: 'drift' });

    expect(result.kinds).toEqual([]);
  });

  it('does not resolve alerts in a region whose read failed this run', () => {
    const west = finding({ code: 'REPLICATION_BROKEN', region: 'us-west-2', resource: 'orders-ro-west' });
    const opened = run([], [west, lag], T0);

    const blind = run(opened.states, [], minutes(1), { heldRegions: new Set(['us-west-2']) });

    expect(blind.plan.transitions.map((t) => [t.kind, t.next.region])).toEqual([['resolved', 'us-east-1']]);
    expect(blind.plan.open.map((s) => s.key)).toEqual([findingKey(west)]);
  });

  it('leaves the alerts of other scopes alone: a health run never resolves drift', () => {
    const drift = finding({ code: 'PARAM_DRIFT', severity: 'warning', evidence: { parameter: 'binlog_format' } });
    const driftRun = run([], [drift], T0, { scope: 'drift' });

    const healthRun = run(driftRun.states, [], minutes(1), { scope: 'health' });
    const nextDriftRun = run(driftRun.states, [drift], minutes(15), { scope: 'drift' });

    expect(driftRun.kinds).toEqual(['opened']);
    expect(healthRun.kinds).toEqual([]);
    expect(nextDriftRun.kinds).toEqual([]);
  });

  it('ignores findings of codes outside the scope', () => {
    const result = run([], [finding({ code: 'PARAM_DRIFT', evidence: { parameter: 'x' } })], T0, { scope: 'health' });

    expect(result.kinds).toEqual([]);
  });

  it('keys alerts per parameter, so two drifted parameters are two alerts', () => {
    const a = finding({ code: 'PARAM_DRIFT', severity: 'warning', evidence: { parameter: 'binlog_format' } });
    const b = finding({ code: 'PARAM_DRIFT', severity: 'warning', evidence: { parameter: 'sync_binlog' } });

    const result = run([], [a, b], T0, { scope: 'drift' });

    expect(result.kinds).toEqual(['opened', 'opened']);
  });

  it('expires resolved alerts after the retention', () => {
    const opened = run([], [lag], T0);

    const resolved = run(opened.states, [], T0, { resolvedRetentionDays: 7 });

    expect(resolved.plan.transitions[0]!.next.expiresAt).toBe(T0.getTime() / 1000 + 7 * 86_400);
  });

  it('sends again news that was written but never confirmed sent, until it is', () => {
    const critical = { ...lag, severity: 'critical' as const };
    // The run that opened it died before the publish (or SNS failed): the news is still unsent.
    const lost = run([], [lag], T0, {}, false);

    const retry = run(lost.states, [lag], minutes(1));
    const after = run(retry.states, [lag], minutes(2));
    const lostResolution = run(after.states, [], minutes(3), {}, false);
    const resolutionRetry = run(lostResolution.states, [], minutes(4));
    const escalatedMeanwhile = run(run([], [lag], T0, {}, false).states, [critical], minutes(1));

    expect(lost.plan.transitions[0]!.next.unsent).toBe('opened');
    expect(retry.kinds).toEqual(['opened']);
    expect(retry.plan.transitions[0]).toMatchObject({ resend: true, next: { openedAt: T0.toISOString(), lastNotifiedAt: minutes(1).toISOString() } });
    expect(after.kinds).toEqual([]);
    expect(resolutionRetry.kinds).toEqual(['resolved']);
    expect(resolutionRetry.plan.transitions[0]!.resend).toBe(true);
    expect(run(resolutionRetry.states, [], minutes(5)).kinds).toEqual([]);
    // Newer news replaces the unsent one: one message, about where things stand now.
    expect(escalatedMeanwhile.kinds).toEqual(['escalated']);
  });

  it('still sends unsent news of a region it cannot read this run, without resolving anything', () => {
    const west = finding({ code: 'REPLICATION_BROKEN', region: 'us-west-2', resource: 'orders-ro-west' });
    const lost = run([], [west], T0, {}, false);

    const blind = run(lost.states, [], minutes(1), { heldRegions: new Set(['us-west-2']) });

    expect(blind.plan.transitions.map((t) => [t.kind, t.resend])).toEqual([['opened', true]]);
    expect(blind.plan.open.map((s) => s.status)).toEqual(['open']);
  });

  describe('held while a read its verdict rests on failed', () => {
    const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1'];
    /** A standby in us-west-2 whose evidence compares it with its source in us-east-1. */
    const belowSource = finding({
      code: 'REPLICA_PARAM_BELOW_SOURCE',
      region: 'us-west-2',
      resource: 'ro-west',
      evidence: { parameter: 'max_connections', sourceRegion: 'us-east-1', replicaValue: '100', sourceValue: '200' },
    });
    const drift = (previous: readonly AlertState[], findings: readonly Finding[], now: Date, held: readonly string[] = []) =>
      run(previous, findings, now, { scope: 'drift', regionsRead: REGIONS, heldRegions: new Set(held) });

    it('holds an alert recorded in a readable region while a region its evidence names is blind, then resolves it', () => {
      // Act
      const opened = drift([], [belowSource], T0);
      const blind = drift(opened.states, [], minutes(5), ['us-east-1']);
      const unrelated = drift(blind.states, [], minutes(10), ['eu-west-1']);

      // Assess: held (open since kept), then resolved once the source region is read again.
      expect(opened.plan.transitions[0]!.next.dependsOn).toEqual(['us-east-1', 'us-west-2']);
      expect(blind.kinds).toEqual([]);
      expect(blind.plan.open.map((a) => [a.code, a.openedAt])).toEqual([['REPLICA_PARAM_BELOW_SOURCE', T0.toISOString()]]);
      expect(unrelated.kinds).toEqual(['resolved']);
    });

    it('holds a "no replica anywhere" alert while any region read is blind', () => {
      const gap = finding({ code: 'NO_CROSS_REGION_REPLICA', resource: 'orders', evidence: { crossRegionReplicas: [] } });
      const health = (previous: readonly AlertState[], findings: readonly Finding[], now: Date, held: readonly string[] = []) =>
        run(previous, findings, now, { regionsRead: REGIONS, heldRegions: new Set(held) });

      const opened = health([], [gap], T0);
      const blind = health(opened.states, [], minutes(5), ['eu-west-1']);
      const reopenedAfter = health(blind.states, [gap], minutes(10));

      expect(blind.kinds).toEqual([]);
      expect(reopenedAfter.kinds).toEqual([]);
      expect(reopenedAfter.plan.open[0]!.openedAt).toBe(T0.toISOString());
    });

    it('holds an alert stored without its dependencies while any read failed', () => {
      const opened = run([], [lag], T0);
      const { dependsOn: _unknown, ...legacy } = opened.states[0]!;

      const blind = run([legacy], [], minutes(5), { heldRegions: new Set(['eu-west-1']) });
      const readable = run([legacy], [], minutes(6));

      expect(blind.kinds).toEqual([]);
      expect(readable.kinds).toEqual(['resolved']);
    });

    it('records new dependencies silently when the evidence moves', () => {
      const opened = drift([], [belowSource], T0);
      const moved = finding({ ...belowSource, evidence: { ...belowSource.evidence, sourceRegion: 'eu-west-1' } });

      const next = drift(opened.states, [moved], minutes(1));

      expect(next.plan.transitions.map((t) => [t.kind, t.notify, t.next.dependsOn])).toEqual([
        ['updated', false, ['eu-west-1', 'us-west-2']],
      ]);
    });

    it('reads regions from evidence lists of replicas', () => {
      const rpo = finding({ code: 'RPO_EXCEEDED', region: 'eu-west-1', evidence: { primaryRegion: 'us-east-1', replicas: ['a@us-west-2', 'not-a-region'] } });

      expect(dependencyRegions(rpo, REGIONS)).toEqual(['eu-west-1', 'us-east-1', 'us-west-2']);
    });

    it.each([
      ['a field named …Region', { sourceRegion: 'eu-west-1' }, ['eu-west-1', 'us-east-1']],
      ['an id@region in any field', { source: 'orders@eu-west-1' }, ['eu-west-1', 'us-east-1']],
      ['a region-like value in a field that names no region', { expected: 'us-west-2', parameter: 'aws_default_region' }, ['us-east-1']],
      ['numbers and empty values, in lists or under a …Region name', { values: [1, 2], sourceRegion: null, replicas: [3] }, ['us-east-1']],
    ])('reads the regions its evidence names: %s', (_name, evidence, expected) => {
      const f = finding({ code: 'REPLICA_LAG_HIGH', region: 'us-east-1', evidence: evidence as Finding['evidence'] });

      expect(dependencyRegions(f, REGIONS)).toEqual(expected);
    });

    it('records the dependencies of an alert stored without them at its next sighting, silently', () => {
      const opened = run([], [lag], T0);
      const { dependsOn: _unknown, ...legacy } = opened.states[0]!;

      const next = run([legacy], [lag], minutes(1));

      expect(next.plan.transitions.map((t) => [t.kind, t.notify, t.next.dependsOn])).toEqual([['updated', false, ['us-east-1']]]);
    });

    it('records a dependency added after the ones already recorded', () => {
      const opened = drift([], [{ ...belowSource, evidence: { parameter: 'max_connections' } }], T0);
      const withSource = finding({ ...belowSource, region: 'us-west-2', evidence: { parameter: 'max_connections', sourceRegion: 'us-east-1' } });
      const alsoEast = finding({ ...belowSource, region: 'eu-west-1', evidence: { parameter: 'max_connections', sourceRegion: 'us-east-1' } });
      const east = drift([], [{ ...alsoEast, evidence: { parameter: 'max_connections' } }], T0);

      // [us-west-2] → [us-east-1, us-west-2] and [eu-west-1] → [eu-west-1, us-east-1]: one recorded list a prefix of the new.
      expect(drift(opened.states, [withSource], minutes(1)).plan.transitions.map((t) => [t.kind, t.next.dependsOn])).toEqual([
        ['updated', ['us-east-1', 'us-west-2']],
      ]);
      expect(drift(east.states, [alsoEast], minutes(1)).plan.transitions.map((t) => [t.kind, t.next.dependsOn])).toEqual([
        ['updated', ['eu-west-1', 'us-east-1']],
      ]);
    });

    it('without a list of regions read, takes them from the findings: a "no replica anywhere" alert rests on each', () => {
      const gap = finding({ code: 'NO_CROSS_REGION_REPLICA', resource: 'orders', evidence: {} });
      const west = finding({ code: 'REPLICATION_BROKEN', region: 'us-west-2', resource: 'orders-ro-west' });

      const opened = run([], [gap, west], T0);

      expect(opened.plan.transitions.map((t) => [t.next.code, t.next.dependsOn])).toEqual([
        ['NO_CROSS_REGION_REPLICA', ['us-east-1', 'us-west-2']],
        ['REPLICATION_BROKEN', ['us-west-2']],
      ]);
    });
  });

  describe('a database that no longer exists', () => {
    const described = (ids: readonly string[]) =>
      describedResources(fleet({ 'us-east-1': { dbInstances: ids.map((id) => instance(id)) } }));

    it('ends its alert as gone, not resolved, while an alert of a database still there resolves', () => {
      const other = finding({ code: 'REPLICA_LAG_HIGH', severity: 'warning', resource: 'orders-ro-2' });
      const opened = run([], [lag, other], T0);

      const next = run(opened.states, [], minutes(5), { described: described(['orders', 'orders-ro-2']), regionsRead: ['us-east-1'] });

      expect(next.plan.transitions.map((t) => [t.kind, t.next.resource, t.next.status])).toEqual([
        ['gone', 'orders-ro-1', 'resolved'],
        ['resolved', 'orders-ro-2', 'resolved'],
      ]);
    });

    it('does not call a database gone when its region was not read at all', () => {
      const opened = run([], [lag], T0);

      const next = run(opened.states, [], minutes(5), { described: described([]), regionsRead: ['eu-west-1'] });

      expect(next.kinds).toEqual(['resolved']);
    });

    it('ends a cluster or global cluster alert as resolved while the cluster is still described, as gone once it is not', () => {
      const clusterLag = finding({ code: 'REPLICA_LAG_HIGH', severity: 'warning', resource: 'orders-cluster' });
      const globalLag = finding({ code: 'REPLICATION_BROKEN', resource: 'orders-global' });
      const opened = run([], [clusterLag, globalLag], T0);
      const withBoth = describedResources(
        fleet({
          'us-east-1': {
            dbClusters: [cluster('orders-cluster', { 'orders-1': true })],
            globalClusters: [globalCluster('orders-global', 'arn:aws:rds:us-east-1:123456789012:cluster:orders-cluster', [])],
          },
        }),
      );

      const still = run(opened.states, [], minutes(5), { described: withBoth, regionsRead: ['us-east-1'] });
      const deleted = run(opened.states, [], minutes(5), { described: described([]), regionsRead: ['us-east-1'] });

      expect(still.kinds).toEqual(['resolved', 'resolved']);
      expect(deleted.kinds).toEqual(['gone', 'gone']);
    });

    it('never calls a read that recovered gone', () => {
      const degraded = finding({ code: 'CHECK_DEGRADED', severity: 'warning', resource: 'cloudwatch:GetMetricData', evidence: { operation: 'cloudwatch:GetMetricData' } });
      const opened = run([], [degraded], T0);

      const next = run(opened.states, [], minutes(5), { described: described([]), regionsRead: ['us-east-1'] });

      expect(next.kinds).toEqual(['resolved']);
    });
  });
});
