import { describe, expect, it } from 'vitest';
import { mergeOrgSnapshots, SHARD_READ_OPERATION, type PlannedShard } from '../../../lambdas/core/fleet/merge-shards';
import { SNAPSHOT_FORMAT_V2, type OrgSnapshot } from '../../../lambdas/core/fleet/model';

const AT = '2026-11-30T10:00:00.000Z';
const shards: PlannedShard[] = [
  { index: 0, accounts: [{ accountId: '111111111111', name: 'orders' }, { accountId: '222222222222' }] },
  { index: 1, accounts: [{ accountId: '333333333333', name: 'billing' }] },
];
const part = (accounts: OrgSnapshot['accounts']): OrgSnapshot => ({ format: SNAPSHOT_FORMAT_V2, capturedAt: AT, accounts });
const region = { dbInstances: [{ DBInstanceIdentifier: 'orders-db' }] };

describe('mergeOrgSnapshots', () => {
  it('joins the parts of every shard into one snapshot at the run time', () => {
    // Prepare
    const outcomes = [
      { index: 1, snapshot: part({ '333333333333': { name: 'billing', regions: { 'us-east-1': {} } } }) },
      { index: 0, snapshot: part({ '111111111111': { regions: { 'us-east-1': region } }, '222222222222': { regions: {} } }) },
    ];

    // Act
    const merged = mergeOrgSnapshots(shards, outcomes, '2026-11-30T09:59:00.000Z');

    // Assess
    expect(merged).toEqual({
      format: SNAPSHOT_FORMAT_V2,
      capturedAt: '2026-11-30T09:59:00.000Z',
      accounts: {
        '111111111111': { name: 'orders', regions: { 'us-east-1': region } },
        '222222222222': { regions: {} },
        '333333333333': { name: 'billing', regions: { 'us-east-1': {} } },
      },
    });
  });

  it('gives every account of a failed shard an error, so none is lost or read as healthy', () => {
    const outcomes = [{ index: 0, failure: 'States.Timeout: reader timed out after 240 s' }, { index: 1, snapshot: part({ '333333333333': { regions: {} } }) }];

    const merged = mergeOrgSnapshots(shards, outcomes, AT);

    expect(Object.keys(merged.accounts).sort()).toEqual(['111111111111', '222222222222', '333333333333']);
    expect(merged.accounts['111111111111']).toEqual({
      name: 'orders',
      regions: {},
      errors: [{ operation: SHARD_READ_OPERATION, code: 'ShardFailed', message: 'shard 0 failed: States.Timeout: reader timed out after 240 s' }],
    });
    expect(merged.accounts['222222222222']?.errors?.[0]?.code).toBe('ShardFailed');
    expect(merged.accounts['333333333333']?.errors).toBeUndefined();
  });

  it('reports a shard with no outcome at all, and an account a part left out', () => {
    const merged = mergeOrgSnapshots(shards, [{ index: 0, snapshot: part({ '111111111111': { regions: {} } }) }], AT);

    expect(merged.accounts['222222222222']?.errors).toEqual([
      { operation: SHARD_READ_OPERATION, code: 'AccountMissingFromShard', message: 'shard 0 returned no data for this account' },
    ]);
    expect(merged.accounts['333333333333']?.errors?.[0]?.message).toBe('shard 1 failed: no result (the reader did not finish)');
  });

  it('keeps an account error the reader recorded, and ignores accounts a part was not given', () => {
    const assumeFailed = { regions: {}, errors: [{ operation: 'sts:AssumeRole', code: 'AccessDenied', message: 'not authorized' }] };
    const outcomes = [
      { index: 0, snapshot: part({ '111111111111': assumeFailed, '222222222222': { regions: {} }, '999999999999': { regions: {} } }) },
      { index: 1, snapshot: part({ '333333333333': { regions: {} } }) },
    ];

    const merged = mergeOrgSnapshots(shards, outcomes, AT);

    expect(merged.accounts['111111111111']).toEqual({ ...assumeFailed, name: 'orders' });
    expect(merged.accounts['999999999999']).toBeUndefined();
  });
});
