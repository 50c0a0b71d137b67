/**
 * Evaluate an organization: the rules run per account on that account's regions (replicas,
 * clusters and global databases never span accounts), and every finding, replica row and DR
 * entry is stamped with its account. An account that could not be read at all (its role could
 * not be assumed, its credentials expired) is CHECK_DEGRADED in every region of it, so its open
 * alerts are held like a blind region's, and every other account is still reported.
 */
import type { Config } from '../config';
import { makeFinding, sortFindings, type Finding } from '../findings';
import type { AccountTarget } from '../fleet/accounts';
import type { AccountSnapshot, OrgSnapshot, ReadError } from '../fleet/model';
import { accountFleet } from '../fleet/org-snapshot';
import { evaluate, summarize, type AccountStamp, type AccountSummary, type EvaluateOptions, type Report } from './evaluate';

export interface OrgEvaluateOptions extends EvaluateOptions {
  /** The accounts the read aimed at: the regions of an account that could not be read come from here. @default the config's */
  readonly targets?: readonly AccountTarget[];
}

/** The account's own regions for a read that has none: its target's, its `accounts[]` entry's, else the config's. */
function intendedRegions(accountId: string, account: AccountSnapshot, options: OrgEvaluateOptions): string[] {
  const read = Object.keys(account.regions);
  const target = options.targets?.find((t) => t.accountId === accountId)?.regions;
  const configured = options.config.accounts.find((a) => a.id === accountId)?.regions;
  return [...new Set([...read, ...(target ?? configured ?? options.config.regions)])].sort();
}

/** "111122223333 (prod-payments)" */
export function accountLabel(stamp: AccountStamp): string {
  if (!stamp.accountId) return '';
  return stamp.accountName ? `${stamp.accountId} (${stamp.accountName})` : stamp.accountId;
}

function unreadableFindings(config: Config, stamp: AccountStamp, regions: readonly string[], errors: readonly ReadError[]): Finding[] {
  const [first] = errors as [ReadError, ...ReadError[]];
  const who = accountLabel(stamp);
  return regions.map((region) =>
    makeFinding(config, {
      code: 'CHECK_DEGRADED',
      severity: 'critical',
      ...stamp,
      region,
      resource: first.operation,
      message:
        `${first.operation} failed for account ${who}${first.code ? ` (${first.code})` : ''}: ${first.message}. ` +
        `Replication in ${region} of this account is not being checked; the other accounts are fully reported.`,
      evidence: {
        operation: first.operation,
        errorCode: first.code ?? null,
        error: first.message,
        failedCalls: errors.length,
        accountId: stamp.accountId ?? null,
      },
      hint:
        first.operation.startsWith('sts:')
          ? "Check that the member role exists in the account and trusts the checker's role (and the external id, if one is set)."
          : "Check the member role's permissions in the account; throttling clears on its own, access denied does not.",
    }),
  );
}

/** The rules over every account of the organization, as one report. */
export function evaluateOrg(org: OrgSnapshot, options: OrgEvaluateOptions): Report {
  const findings: Finding[] = [];
  const replicas: Report['replicas'][number][] = [];
  const dr: Report['dr'][number][] = [];
  const accounts: AccountSummary[] = [];
  const notEvaluated: string[] = [];
  for (const accountId of Object.keys(org.accounts).sort()) {
    const account = org.accounts[accountId]!;
    // The read's name (Organizations), else the one the config or the target gives.
    const name = account.name ?? options.targets?.find((t) => t.accountId === accountId)?.name ?? options.config.accounts.find((a) => a.id === accountId)?.name;
    const stamp: AccountStamp = { accountId, ...(name ? { accountName: name } : {}) };
    const report = evaluate(accountFleet(org, accountId), options);
    findings.push(...report.findings.map((f) => ({ ...f, ...stamp })));
    replicas.push(...report.replicas.map((r) => ({ ...r, ...stamp })));
    dr.push(...report.dr.map((d) => ({ ...d, ...stamp })));
    // The same key findingKey gives this account's findings.
    notEvaluated.push(...(report.notEvaluated ?? []).map((key) => `${accountId}/${key}`));
    const accountErrors = account.errors ?? [];
    const regions = accountErrors.length > 0 ? intendedRegions(accountId, account, options) : Object.keys(account.regions).sort();
    if (accountErrors.length > 0) findings.push(...unreadableFindings(options.config, stamp, regions, accountErrors));
    const regionData = Object.values(account.regions);
    accounts.push({
      ...stamp,
      accountId,
      regions,
      databases: regionData.reduce((n, r) => n + (r.dbInstances?.length ?? 0) + (r.dbClusters?.length ?? 0), 0),
      replicas: report.replicas.length,
      read: accountErrors.length > 0 ? 'unreadable' : regionData.some((r) => (r.errors ?? []).length > 0) ? 'degraded' : 'full',
    });
  }
  const sorted = sortFindings(findings);
  return {
    checkedAt: org.capturedAt,
    summary: summarize(replicas, sorted),
    replicas,
    findings: sorted,
    dr,
    accounts,
    ...(notEvaluated.length > 0 ? { notEvaluated } : {}),
  };
}

/** Account-regions where a read failed: `accountId/region`, the unit alerts are held by. */
export function degradedAccountRegions(org: OrgSnapshot, report: Pick<Report, 'accounts'>): string[] {
  const out = new Set<string>();
  for (const [accountId, account] of Object.entries(org.accounts)) {
    if ((account.errors ?? []).length > 0) {
      const summary = report.accounts?.find((a) => a.accountId === accountId);
      for (const region of summary?.regions ?? Object.keys(account.regions)) out.add(`${accountId}/${region}`);
    }
    for (const [region, data] of Object.entries(account.regions)) if ((data.errors ?? []).length > 0) out.add(`${accountId}/${region}`);
  }
  return [...out].sort();
}
