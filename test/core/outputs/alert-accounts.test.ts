import { describe, expect, it } from 'vitest';
import { fromItem, toItem } from '../../../lambdas/aws/alert-state-store';
import {
  adoptLegacyAlerts,
  alertPlace,
  describedOrgResources,
  orgPlacesRead,
  planTransitions,
  type AlertState,
  type LifecycleInput,
} from '../../../lambdas/core/outputs/alert-lifecycle';
import { findingKey, type Finding } from '../../../lambdas/core/findings';
import { asOrgSnapshot } from '../../../lambdas/core/fleet/snapshot';
import { finding } from '../../support/findings';
import { fleet, instance } from '../../support/fleet';

const T0 = new Date('2026-11-24T10:00:00Z');
const DEPLOYING = '111122223333';
const OTHER = '444455556666';

const lagIn = (accountId: string | undefined, resource = 'orders-ro-1'): Finding =>
  finding({ code: 'REPLICA_LAG_HIGH', severity: 'critical', resource, ...(accountId ? { accountId } : {}) });

function plan(previous: readonly AlertState[], findings: readonly Finding[], extra: Partial<LifecycleInput> = {}) {
  return planTransitions({ scope: 'health', previous, findings, now: T0, reminderHours: 4, minSeverity: 'warning', ...extra });
}

/** An open alert as the previous version stored it: no account in its key or item. */
const legacyOpen = (f: Finding): AlertState => {
  const opened = plan([], [{ ...f, accountId: undefined }]).transitions[0]!.next;
  const { unsent: _sent, ...state } = opened;
  return state;
};

describe('alert keys with accounts', () => {
  it.each([
    ['no account (the stored format before accounts)', undefined, 'REPLICA_LAG_HIGH/us-east-1/orders-ro-1'],
    ['an account', DEPLOYING, `${DEPLOYING}/REPLICA_LAG_HIGH/us-east-1/orders-ro-1`],
  ])('keys a finding with %s', (_case, accountId, key) => {
    expect(findingKey(lagIn(accountId))).toBe(key);
  });

  it('keeps orders-db in two accounts as two alerts', () => {
    // Act
    const result = plan([], [lagIn(DEPLOYING, 'orders-db'), lagIn(OTHER, 'orders-db')]);

    // Assess
    expect(result.transitions.map((t) => [t.kind, t.next.accountId])).toEqual([
      ['opened', DEPLOYING],
      ['opened', OTHER],
    ]);
  });
});

describe('alerts stored before accounts (upgrade)', () => {
  it('reads them as the deploying account: the same open finding sends nothing, no RESOLVED+NEW pair', () => {
    // Prepare
    const stored = [legacyOpen(lagIn(undefined))];

    // Act
    const adopted = adoptLegacyAlerts(stored, DEPLOYING);
    const result = plan(adopted, [lagIn(DEPLOYING)]);
    const withoutAdoption = plan(stored, [lagIn(DEPLOYING)]);

    // Assess
    expect(adopted[0]).toMatchObject({ accountId: DEPLOYING, key: `${DEPLOYING}/REPLICA_LAG_HIGH/us-east-1/orders-ro-1`, storedKey: 'REPLICA_LAG_HIGH/us-east-1/orders-ro-1' });
    expect(result.transitions).toEqual([]);
    expect(result.open).toHaveLength(1);
    // What adoption prevents: the old alert resolved and the same problem opened again.
    expect(withoutAdoption.transitions.map((t) => t.kind).sort()).toEqual(['opened', 'resolved']);
  });

  it('resolves an adopted alert in the item it was stored under', () => {
    // Prepare
    const adopted = adoptLegacyAlerts([legacyOpen(lagIn(undefined))], DEPLOYING);

    // Act
    const [resolved] = plan(adopted, []).transitions;
    const item = toItem(resolved!.next);

    // Assess
    expect(resolved!.kind).toBe('resolved');
    expect(item.sk).toEqual({ S: 'REPLICA_LAG_HIGH/us-east-1/orders-ro-1' });
    expect(item.accountId).toEqual({ S: DEPLOYING });
  });

  it('reopens an adopted, resolved alert in its stored item, and finds it again on the next load', () => {
    // Prepare
    const adopted = adoptLegacyAlerts([legacyOpen(lagIn(undefined))], DEPLOYING);
    const resolved = plan(adopted, []).transitions[0]!.next;

    // Act
    const reopened = plan([resolved], [lagIn(DEPLOYING)]).transitions[0]!;
    const reloaded = adoptLegacyAlerts([fromItem(toItem(reopened.next))], DEPLOYING);

    // Assess
    expect(reopened.kind).toBe('opened');
    expect(toItem(reopened.next).sk).toEqual({ S: 'REPLICA_LAG_HIGH/us-east-1/orders-ro-1' });
    expect(reloaded[0]).toMatchObject({ key: reopened.next.key, accountId: DEPLOYING, version: reopened.next.version });
  });

  it('leaves alerts already keyed by their account as they are', () => {
    // Prepare
    const current = plan([], [lagIn(OTHER)]).transitions[0]!.next;

    // Act
    const adopted = adoptLegacyAlerts([fromItem(toItem(current))], DEPLOYING);

    // Assess
    expect(adopted[0]!.key).toBe(current.key);
    expect(adopted[0]!.accountId).toBe(OTHER);
    expect(adopted[0]!.storedKey).toBeUndefined();
  });
});

describe('holding per account-region', () => {
  const open = (accountId: string) => {
    const { unsent: _sent, ...state } = plan([], [lagIn(accountId)]).transitions[0]!.next;
    return state;
  };

  it.each([
    ['the same account-region is blind', `${DEPLOYING}/us-east-1`, []],
    ['another account is blind in the same region', `${OTHER}/us-east-1`, ['resolved']],
    ['the same account is blind in another region', `${DEPLOYING}/eu-west-1`, ['resolved']],
  ])('an open alert whose finding is gone, when %s', (_case, held, kinds) => {
    // Act
    const result = plan([open(DEPLOYING)], [], { heldRegions: new Set([held]) });

    // Assess
    expect(result.transitions.map((t) => t.kind)).toEqual(kinds);
  });

  it('holds an alert without recorded dependencies only while its own account has a blind region', () => {
    // Prepare
    const { dependsOn: _none, ...old } = open(DEPLOYING);

    // Act
    const otherBlind = plan([old], [], { heldRegions: new Set([`${OTHER}/us-east-1`]) });
    const ownBlind = plan([old], [], { heldRegions: new Set([`${DEPLOYING}/ap-southeast-2`]) });

    // Assess
    expect(otherBlind.transitions.map((t) => t.kind)).toEqual(['resolved']);
    expect(ownBlind.transitions).toEqual([]);
  });

  it('ends an alert as gone only when its own account described no such database', () => {
    // Prepare: orders-ro-1 is deleted in one account; the other account still has a database of that name.
    const org = {
      ...asOrgSnapshot(fleet({ 'us-east-1': { dbInstances: [] } }), DEPLOYING),
    };
    const both = { ...org, accounts: { ...org.accounts, [OTHER]: { regions: { 'us-east-1': { dbInstances: [instance('orders-ro-1')] } } } } };

    // Act
    const result = plan([open(DEPLOYING)], [], { described: describedOrgResources(both), regionsRead: orgPlacesRead(both) });

    // Assess
    expect(result.transitions.map((t) => t.kind)).toEqual(['gone']);
    expect(alertPlace(DEPLOYING, 'us-east-1')).toBe(`${DEPLOYING}/us-east-1`);
  });
});
