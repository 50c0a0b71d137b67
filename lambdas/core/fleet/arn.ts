/** RDS resource references: a plain identifier or an ARN (cross-region sources are ARNs). */

export interface RdsResourceRef {
  readonly id: string;
  /** Region from the ARN; undefined for plain identifiers and for global clusters (no region). */
  readonly region?: string;
  /** ARN resource type (`db`, `cluster`, `global-cluster`), when the reference is an ARN. */
  readonly type?: string;
  readonly account?: string;
}

const ARN_PATTERN = /^arn:[\w-]+:rds:([\w-]*):(\d*):([\w-]+):(.+)$/;

export function parseRdsRef(reference: string): RdsResourceRef {
  const match = ARN_PATTERN.exec(reference);
  if (!match) return { id: reference };
  const [, region, account, type, id] = match;
  return {
    id: id!,
    type,
    region: region ? region : undefined,
    account: account ? account : undefined,
  };
}
