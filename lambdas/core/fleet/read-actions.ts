/**
 * The AWS actions the live reader calls, by their IAM names. The reader names its operations
 * with these, and the member role in every read account grants exactly these: one list, so a new
 * call cannot ship without its permission (test/aws/read-actions.test.ts checks the reader's
 * calls against it).
 */
export const READ_ACTIONS = {
  dbInstances: 'rds:DescribeDBInstances',
  dbClusters: 'rds:DescribeDBClusters',
  globalClusters: 'rds:DescribeGlobalClusters',
  automatedBackups: 'rds:DescribeDBInstanceAutomatedBackups',
  dbParameters: 'rds:DescribeDBParameters',
  dbClusterParameters: 'rds:DescribeDBClusterParameters',
  metricData: 'cloudwatch:GetMetricData',
} as const;

export type ReadAction = (typeof READ_ACTIONS)[keyof typeof READ_ACTIONS];

/** The actions a check with this config calls: parameters only with drift, backups only when DR requires them. */
export function readActionsFor(config: {
  readonly drift: { readonly enabled: boolean };
  readonly dr: { readonly requireReplicatedBackups: boolean };
}): ReadAction[] {
  return [
    READ_ACTIONS.dbInstances,
    READ_ACTIONS.dbClusters,
    READ_ACTIONS.globalClusters,
    ...(config.drift.enabled ? [READ_ACTIONS.dbParameters, READ_ACTIONS.dbClusterParameters] : []),
    ...(config.dr.requireReplicatedBackups ? [READ_ACTIONS.automatedBackups] : []),
    READ_ACTIONS.metricData,
  ];
}
