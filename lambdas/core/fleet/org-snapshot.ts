/**
 * One-account reads as organizations and back, without the snapshot file schema: the checker uses
 * these on every run, and the validation schema (zod) would add its weight to the Lambda bundle.
 */
import { parseRdsRef } from './arn';
import { SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_V2, type FleetSnapshot, type OrgSnapshot } from './model';

const ACCOUNT_ID = /^\d{12}$/;

/**
 * The account a v1 file (or a one-account live read) belongs to when nothing says otherwise:
 * the files predate accounts and their ARNs may be absent (hand-written fleets).
 */
export const UNKNOWN_ACCOUNT_ID = '000000000000';

/**
 * The account a one-account read came from: the account in its instance and cluster ARNs when
 * they agree on one, else UNKNOWN_ACCOUNT_ID. Cross-account replica sources name other accounts in
 * `ReadReplicaSourceDBInstanceIdentifier`, so only the databases' own ARNs are read.
 */
export function accountOfSnapshot(snapshot: FleetSnapshot): string {
  const seen = new Set<string>();
  for (const region of Object.values(snapshot.regions)) {
    for (const i of region.dbInstances ?? []) if (i.DBInstanceArn) seen.add(parseRdsRef(i.DBInstanceArn).account ?? '');
    for (const c of region.dbClusters ?? []) if (c.DBClusterArn) seen.add(parseRdsRef(c.DBClusterArn).account ?? '');
  }
  seen.delete('');
  const [only] = [...seen];
  return seen.size === 1 && ACCOUNT_ID.test(only!) ? only! : UNKNOWN_ACCOUNT_ID;
}

/** A one-account read as an organization of one. */
export function asOrgSnapshot(snapshot: FleetSnapshot, accountId: string = accountOfSnapshot(snapshot), name?: string): OrgSnapshot {
  return {
    format: SNAPSHOT_FORMAT_V2,
    capturedAt: snapshot.capturedAt,
    accounts: { [accountId]: { ...(name ? { name } : {}), regions: snapshot.regions } },
  };
}

/** One account's regions as the one-account snapshot the rules evaluate. */
export function accountFleet(org: OrgSnapshot, accountId: string): FleetSnapshot {
  return { format: SNAPSHOT_FORMAT, capturedAt: org.capturedAt, regions: org.accounts[accountId]?.regions ?? {} };
}
