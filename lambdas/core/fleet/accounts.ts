/**
 * Which accounts a check reads, and how. Resolved from the config (`accounts`, `organization`,
 * `includeDeployingAccount`) and, for `organization`, the accounts AWS Organizations lists.
 */

/** One account to read. */
export interface AccountTarget {
  /** 12-digit account id. */
  readonly accountId: string;
  readonly name?: string;
  readonly regions: readonly string[];
  /** The role to assume; absent for the account the checker runs in (read with its own credentials). */
  readonly roleArn?: string;
  readonly externalId?: string;
}
