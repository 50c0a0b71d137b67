/**
 * The fleet data model shared by both readers and every rule.
 *
 * Shapes follow the AWS SDK v3 responses (PascalCase) with dates as ISO-8601 strings, so a
 * `replguard-snapshot/v1` file is the same object the live reader builds in memory. Only the
 * fields the rules read are typed; everything else in a response is carried through untouched.
 */
import type { ProbeObservation } from './probe-observation';

import { recordOf } from '../shared/records';

export const SNAPSHOT_FORMAT = 'replguard-snapshot/v1';

export interface Tag {
  readonly Key?: string;
  readonly Value?: string;
}

export interface StatusInfo {
  readonly StatusType?: string;
  readonly Normal?: boolean;
  readonly Status?: string;
  readonly Message?: string;
}

export interface ParameterGroupStatus {
  readonly DBParameterGroupName?: string;
  readonly ParameterApplyStatus?: string;
}

export interface DbInstance {
  readonly DBInstanceIdentifier?: string;
  readonly DBInstanceArn?: string;
  readonly DBInstanceClass?: string;
  readonly Engine?: string;
  readonly EngineVersion?: string;
  readonly DBInstanceStatus?: string;
  readonly DBClusterIdentifier?: string;
  readonly ReadReplicaSourceDBInstanceIdentifier?: string;
  readonly ReadReplicaSourceDBClusterIdentifier?: string;
  readonly ReadReplicaDBInstanceIdentifiers?: readonly string[];
  readonly ReadReplicaDBClusterIdentifiers?: readonly string[];
  readonly ReplicaMode?: string;
  readonly StatusInfos?: readonly StatusInfo[];
  readonly DBParameterGroups?: readonly ParameterGroupStatus[];
  readonly AllocatedStorage?: number;
  readonly Iops?: number;
  readonly StorageType?: string;
  readonly StorageThroughput?: number;
  readonly BackupRetentionPeriod?: number;
  readonly MultiAZ?: boolean;
  readonly AvailabilityZone?: string;
  readonly DbiResourceId?: string;
  readonly TagList?: readonly Tag[];
  readonly [extra: string]: unknown;
}

export interface DbClusterMember {
  readonly DBInstanceIdentifier?: string;
  readonly IsClusterWriter?: boolean;
  readonly DBClusterParameterGroupStatus?: string;
  readonly PromotionTier?: number;
}

export interface DbCluster {
  readonly DBClusterIdentifier?: string;
  readonly DBClusterArn?: string;
  readonly Engine?: string;
  readonly EngineVersion?: string;
  readonly EngineMode?: string;
  readonly Status?: string;
  readonly DBClusterParameterGroup?: string;
  readonly DBClusterMembers?: readonly DbClusterMember[];
  readonly ReplicationSourceIdentifier?: string;
  readonly ReadReplicaIdentifiers?: readonly string[];
  readonly GlobalClusterIdentifier?: string;
  readonly BackupRetentionPeriod?: number;
  readonly DBClusterInstanceClass?: string;
  readonly AllocatedStorage?: number;
  readonly Iops?: number;
  readonly TagList?: readonly Tag[];
  readonly [extra: string]: unknown;
}

export interface GlobalClusterMember {
  readonly DBClusterArn?: string;
  readonly Readers?: readonly string[];
  readonly IsWriter?: boolean;
  readonly GlobalWriteForwardingStatus?: string;
  readonly SynchronizationStatus?: string;
}

export interface GlobalCluster {
  readonly GlobalClusterIdentifier?: string;
  readonly GlobalClusterArn?: string;
  readonly Engine?: string;
  readonly EngineVersion?: string;
  readonly Status?: string;
  readonly GlobalClusterMembers?: readonly GlobalClusterMember[];
  readonly TagList?: readonly Tag[];
  readonly [extra: string]: unknown;
}

export interface Parameter {
  readonly ParameterName?: string;
  readonly ParameterValue?: string;
  readonly Source?: string;
  readonly ApplyType?: string;
  readonly DataType?: string;
  readonly AllowedValues?: string;
  readonly IsModifiable?: boolean;
  readonly ApplyMethod?: string;
  readonly [extra: string]: unknown;
}

export interface AutomatedBackup {
  readonly DBInstanceArn?: string;
  readonly DBInstanceIdentifier?: string;
  readonly DbiResourceId?: string;
  readonly Region?: string;
  readonly Status?: string;
  readonly DBInstanceAutomatedBackupsArn?: string;
  readonly DBInstanceAutomatedBackupsReplications?: readonly { readonly DBInstanceAutomatedBackupsArn?: string }[];
  readonly [extra: string]: unknown;
}

/** One CloudWatch series: 1-minute datapoints, oldest first. */
export interface MetricSeries {
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  readonly stat: string;
  readonly period: number;
  readonly timestamps: readonly string[];
  readonly values: readonly number[];
}

/** A part of a region's read that failed; evaluation turns each into CHECK_DEGRADED. */
export interface ReadError {
  /** The API that failed, e.g. `rds:DescribeDBInstances` or `cloudwatch:GetMetricData`. */
  readonly operation: string;
  readonly message: string;
  /** AWS error name or code, when known (e.g. `ThrottlingException`). */
  readonly code?: string;
}

export interface RegionSnapshot {
  readonly dbInstances?: readonly DbInstance[];
  readonly dbClusters?: readonly DbCluster[];
  readonly globalClusters?: readonly GlobalCluster[];
  readonly dbParameters?: Readonly<Record<string, readonly Parameter[]>>;
  readonly dbClusterParameters?: Readonly<Record<string, readonly Parameter[]>>;
  readonly automatedBackups?: readonly AutomatedBackup[];
  readonly metrics?: readonly MetricSeries[];
  /** Reads that failed in this region. */
  readonly errors?: readonly ReadError[];
  /** What the in-database probe saw on this region's databases (see docs/probe.md). */
  readonly probes?: readonly ProbeObservation[];
}

export interface FleetSnapshot {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly capturedAt: string;
  readonly regions: Readonly<Record<string, RegionSnapshot>>;
}

/** Several accounts in one file. A v1 file is one account's regions. */
export const SNAPSHOT_FORMAT_V2 = 'replguard-snapshot/v2';

/** One account's read: its regions, and what failed for the whole account (e.g. `sts:AssumeRole`). */
export interface AccountSnapshot {
  /** The account's name, from the config or AWS Organizations. */
  readonly name?: string;
  readonly regions: Readonly<Record<string, RegionSnapshot>>;
  /** Failures that left every region of the account unread; evaluation reports each as CHECK_DEGRADED for this account. */
  readonly errors?: readonly ReadError[];
}

export interface OrgSnapshot {
  readonly format: typeof SNAPSHOT_FORMAT_V2;
  readonly capturedAt: string;
  /** Keyed by 12-digit account id. */
  readonly accounts: Readonly<Record<string, AccountSnapshot>>;
}

export function tagsToRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  // Through a Map: a tag key `__proto__` must stay a tag, not become the record's prototype.
  const out = new Map<string, string>();
  for (const tag of tags ?? []) {
    if (tag.Key !== undefined) out.set(tag.Key, tag.Value ?? '');
  }
  return recordOf(out);
}
