import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accountOfSnapshot, parseOrgSnapshot, parseOrgSnapshotText, SnapshotError, UNKNOWN_ACCOUNT_ID } from '../../../lambdas/core/fleet/snapshot';
import { fleet, instance, instanceArn, replica } from '../../support/fleet';

const errorOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SnapshotError);
    return (error as Error).message;
  }
  throw new Error('expected a SnapshotError');
};

const v2 = (accounts: unknown) => ({ format: 'replguard-snapshot/v2', capturedAt: '2026-11-24T10:00:00Z', accounts });

describe('replguard-snapshot/v2', () => {
  it('reads several accounts, each with its name, regions and account-level errors', () => {
    // Act
    const org = parseOrgSnapshot(
      v2({
        '111122223333': { name: 'payments', regions: { 'us-east-1': { dbInstances: [{ DBInstanceIdentifier: 'orders' }] } } },
        '444455556666': { regions: {}, errors: [{ operation: 'sts:AssumeRole', code: 'AccessDenied', message: 'not authorized' }] },
      }),
    );

    // Assess
    expect(Object.keys(org.accounts)).toEqual(['111122223333', '444455556666']);
    expect(org.accounts['111122223333']!.name).toBe('payments');
    expect(org.accounts['444455556666']!.errors![0]!.operation).toBe('sts:AssumeRole');
  });

  it.each([
    ['an account id of 11 digits', v2({ '11112222333': { regions: {} } }), 'accounts.11112222333: key must be a 12-digit AWS account id'],
    ['an account id with letters', v2({ '1111abcd3333': { regions: {} } }), 'accounts.1111abcd3333: key must be a 12-digit AWS account id'],
    ['no accounts', v2({}), 'accounts: must contain at least one account'],
    ['an account without regions', v2({ '111122223333': {} }), 'accounts.111122223333.regions: must be an object (missing)'],
    ['an unknown key in an account', v2({ '111122223333': { regions: {}, roles: [] } }), 'accounts.111122223333: Unrecognized key: "roles"'],
    ['an unknown region', v2({ '111122223333': { regions: { 'mars-east-1': {} } } }), 'accounts.111122223333.regions.mars-east-1'],
    [
      'a DB instance without an identifier',
      v2({ '111122223333': { regions: { 'us-east-1': { dbInstances: [{ Engine: 'mysql' }] } } } }),
      'accounts.111122223333.regions.us-east-1.dbInstances.0.DBInstanceIdentifier',
    ],
    [
      'an account error without an operation',
      v2({ '111122223333': { regions: {}, errors: [{ message: 'denied' }] } }),
      'accounts.111122223333.errors.0.operation',
    ],
    ['a `regions` at the top level', { ...v2({ '111122223333': { regions: {} } }), regions: {} }, '(top level): unknown key(s) "regions"'],
  ])('rejects %s, naming the path', (_case, raw, message) => {
    const text = errorOf(() => parseOrgSnapshot(raw, 'org.json'));
    expect(text).toContain('Invalid replguard-snapshot/v2 file org.json');
    expect(text).toContain(message);
  });

  it('rejects an unknown format, naming both it accepts', () => {
    expect(errorOf(() => parseOrgSnapshot({ format: 'replguard-snapshot/v3', capturedAt: '2026-11-24T10:00:00Z' }, 'x.json'))).toContain(
      'format: must be "replguard-snapshot/v2" or "replguard-snapshot/v1" (got "replguard-snapshot/v3")',
    );
  });
});

describe('replguard-snapshot/v1 read as one account', () => {
  it.each([
    ['the account of its ARNs', fleet({ 'us-east-1': { dbInstances: [instance('orders', { DBInstanceArn: instanceArn('us-east-1', 'orders') }), replica('orders-ro', 'orders')] } }), '123456789012'],
    ['the placeholder when it has no ARNs', fleet({ 'us-east-1': { dbInstances: [{ DBInstanceIdentifier: 'orders' }] } }), UNKNOWN_ACCOUNT_ID],
    [
      'the placeholder when its ARNs name two accounts',
      fleet({ 'us-east-1': { dbInstances: [instance('a', { DBInstanceArn: instanceArn('us-east-1', 'a') }), instance('b', { DBInstanceArn: 'arn:aws:rds:us-east-1:999988887777:db:b' })] } }),
      UNKNOWN_ACCOUNT_ID,
    ],
  ])('takes %s', (_case, snapshot, accountId) => {
    // Act
    const org = parseOrgSnapshot(JSON.parse(JSON.stringify(snapshot)));

    // Assess
    expect(accountOfSnapshot(snapshot)).toBe(accountId);
    expect(Object.keys(org.accounts)).toEqual([accountId]);
    expect(org.accounts[accountId]!.regions).toEqual(snapshot.regions);
  });

  it('reads the v1 demo fleet as its one account', () => {
    const org = parseOrgSnapshotText(readFileSync('examples/demo-fleet.json', 'utf8'), 'examples/demo-fleet.json');
    expect(Object.keys(org.accounts)).toEqual(['123456789012']);
  });

  it('still validates a v1 file with v1 paths', () => {
    expect(errorOf(() => parseOrgSnapshot({ format: 'replguard-snapshot/v1', capturedAt: '2026-11-24T10:00:00Z', regions: {} }, 'old.json'))).toContain(
      'Invalid replguard-snapshot/v1 file old.json:\n  regions: must contain at least one region',
    );
  });
});
