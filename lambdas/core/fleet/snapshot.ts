/**
 * Snapshot files, `replguard-snapshot/v2` (several accounts) and `replguard-snapshot/v1` (one
 * account's regions): validated on load so a hand-edited or truncated file fails with the path of
 * the bad field, never deep inside a rule.
 */
// A namespace import lets esbuild drop the parts of zod the schema does not use (its locales alone are 250 KB).
import * as z from 'zod';
import { ownRecord } from '../shared/records';
import { parseJson } from '../shared/text';
import { regionProblem } from '../shared/regions';
import { SNAPSHOT_FORMAT, SNAPSHOT_FORMAT_V2, type FleetSnapshot, type OrgSnapshot } from './model';

export class SnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SnapshotError';
  }
}

// A zone designator is required: a zone-less time would be read in the laptop's local zone and
// change the verdict with TZ. Dates are normalised to UTC so messages use one clock.
const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
const isoDate = z
  .string()
  .refine((s) => ISO_WITH_ZONE.test(s) && !Number.isNaN(Date.parse(s)), 'must be an ISO-8601 date with a zone (e.g. 2026-11-24T10:00:00Z)')
  .transform((s) => (s.endsWith('Z') ? s : new Date(s).toISOString()));

// SDK response objects pass through untouched; only the fields rules depend on are typed.
const sdkObject = z.looseObject({});
const tagList = z.array(z.looseObject({ Key: z.string().optional(), Value: z.string().optional() })).optional();

const text = z.string().optional();
const count = z.number().optional();
const identifiers = z.array(z.string()).optional();

// Every field a rule reads is typed, so a wrong type fails here with its path, not inside a rule.
const dbInstance = z.looseObject({
  DBInstanceIdentifier: z.string().min(1),
  DBInstanceArn: text,
  DBInstanceClass: text,
  Engine: text,
  EngineVersion: text,
  DBInstanceStatus: text,
  DBClusterIdentifier: text,
  AllocatedStorage: count,
  Iops: count,
  StorageThroughput: count,
  BackupRetentionPeriod: count,
  ReadReplicaSourceDBInstanceIdentifier: text,
  ReadReplicaSourceDBClusterIdentifier: text,
  ReadReplicaDBInstanceIdentifiers: identifiers,
  ReadReplicaDBClusterIdentifiers: identifiers,
  StatusInfos: z
    .array(z.looseObject({ StatusType: text, Status: text, Message: text, Normal: z.boolean().optional() }))
    .optional(),
  DBParameterGroups: z
    .array(z.looseObject({ DBParameterGroupName: text, ParameterApplyStatus: text }))
    .optional(),
  TagList: tagList,
});

const dbCluster = z.looseObject({
  DBClusterIdentifier: z.string().min(1),
  DBClusterArn: text,
  Engine: text,
  EngineVersion: text,
  Status: text,
  DBClusterParameterGroup: text,
  ReplicationSourceIdentifier: text,
  ReadReplicaIdentifiers: identifiers,
  GlobalClusterIdentifier: text,
  BackupRetentionPeriod: count,
  DBClusterMembers: z
    .array(
      z.looseObject({
        DBInstanceIdentifier: z.string().min(1),
        IsClusterWriter: z.boolean().optional(),
        DBClusterParameterGroupStatus: text,
      }),
    )
    .optional(),
  TagList: tagList,
});

const globalCluster = z.looseObject({
  GlobalClusterIdentifier: z.string().min(1),
  Engine: text,
  GlobalClusterMembers: z
    .array(
      z.looseObject({
        DBClusterArn: z.string().startsWith('arn:', 'must be a cluster ARN'),
        IsWriter: z.boolean().optional(),
        SynchronizationStatus: text,
      }),
    )
    .optional(),
  TagList: tagList,
});

const parameter = z.looseObject({ ParameterName: z.string().min(1), ParameterValue: z.string().optional() });

const metricSeries = z
  .strictObject({
    namespace: z.string().min(1),
    metricName: z.string().min(1),
    dimensions: ownRecord(z.string(), z.string()),
    stat: z.string().min(1),
    period: z.number().int().positive(),
    timestamps: z.array(isoDate),
    values: z.array(z.number()),
  })
  .refine((s) => s.timestamps.length === s.values.length, {
    message: 'timestamps and values must have the same length',
    path: ['values'],
  });

// Probe observations: the fields the probe rules key on are typed, the rest kept as written.
const probeFailure = z.looseObject({ kind: z.string().min(1), stage: z.string().min(1), message: z.string(), code: z.string().optional() });
const probeObservation = z.looseObject({
  target: z.string().min(1),
  region: z.string().optional(),
  engine: z.enum(['postgres', 'mysql', 'mariadb']),
  observedAt: isoDate,
  role: z.enum(['source', 'replica']).optional(),
  sourceTarget: z.string().optional(),
  failure: probeFailure.optional(),
  heartbeat: z
    .looseObject({ table: z.string(), serverId: z.number().nullable(), writtenTs: isoDate.optional(), seenTs: isoDate.nullable(), readAt: isoDate, error: probeFailure.optional() })
    .optional(),
  mysqlReplica: sdkObject.optional(),
  postgresSource: z.looseObject({ senders: z.array(sdkObject), slots: z.array(sdkObject) }).optional(),
  postgresReplica: sdkObject.optional(),
  auroraReplicas: z.array(z.looseObject({ serverId: z.string().min(1), writer: z.boolean(), lagSeconds: z.number().nullable() })).optional(),
  partialFailures: z.array(probeFailure).optional(),
});
/** A probe observation as a snapshot (or the deployed probe's record) carries it. */
export const probeObservationSchema = probeObservation;

const regionSnapshot = z.strictObject({
  dbInstances: z.array(dbInstance).optional(),
  dbClusters: z.array(dbCluster).optional(),
  globalClusters: z.array(globalCluster).optional(),
  dbParameters: ownRecord(z.string(), z.array(parameter)).optional(),
  dbClusterParameters: ownRecord(z.string(), z.array(parameter)).optional(),
  automatedBackups: z.array(sdkObject).optional(),
  metrics: z.array(metricSeries).optional(),
  errors: z.array(z.strictObject({ operation: z.string().min(1), message: z.string(), code: z.string().optional() })).optional(),
  probes: z.array(probeObservation).optional(),
});

// The region check sits on the key, so the message says what is wrong with the name.
const regionKey = z.string().superRefine((region, ctx) => {
  const problem = regionProblem(region);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
/** 12 digits, as IAM and Organizations write account ids (the config checks the same). */
const ACCOUNT_ID = /^\d{12}$/;
const readError = z.strictObject({ operation: z.string().min(1), message: z.string(), code: z.string().optional() });

const snapshotSchema = z.strictObject({
  format: z.literal(SNAPSHOT_FORMAT, { message: `must be "${SNAPSHOT_FORMAT}"` }),
  capturedAt: isoDate,
  regions: ownRecord(regionKey, regionSnapshot).refine((r) => Object.keys(r).length > 0, 'must contain at least one region'),
});

const accountSnapshot = z.strictObject({
  name: z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters').optional(),
  // An account that could not be read at all has no regions, only errors.
  regions: ownRecord(regionKey, regionSnapshot),
  errors: z.array(readError).optional(),
});

const orgSnapshotSchema = z.strictObject({
  format: z.literal(SNAPSHOT_FORMAT_V2),
  capturedAt: isoDate,
  accounts: ownRecord(
    z.string().regex(ACCOUNT_ID, 'must be a 12-digit AWS account id (e.g. 111122223333)'),
    accountSnapshot,
  ).refine((a) => Object.keys(a).length > 0, 'must contain at least one account'),
});

import { asOrgSnapshot } from './org-snapshot';

export { accountFleet, accountOfSnapshot, asOrgSnapshot, UNKNOWN_ACCOUNT_ID } from './org-snapshot';

function describeIssues(error: z.ZodError, format: string, source: string): SnapshotError {
  const lines = error.issues.slice(0, 20).map((issue) => {
    const path = issue.path.length ? issue.path.join('.') : '(top level)';
    if (issue.code === 'unrecognized_keys') return `  ${path}: unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    const got = issue.input === undefined ? ' (missing)' : ` (got ${JSON.stringify(issue.input)?.slice(0, 60)})`;
    const message = issue.code === 'invalid_type' ? `must be ${issue.expected}` : issue.message;
    return `  ${path}: ${message}${got}`;
  });
  const more = error.issues.length > 20 ? `\n  ... and ${error.issues.length - 20} more` : '';
  return new SnapshotError(`Invalid ${format} file ${source}:\n${lines.join('\n')}${more}`);
}

/** Validates a parsed `replguard-snapshot/v1` snapshot; `source` names the file in errors. */
export function parseSnapshot(raw: unknown, source = 'snapshot'): FleetSnapshot {
  const result = snapshotSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data as unknown as FleetSnapshot;
  throw describeIssues(result.error, SNAPSHOT_FORMAT, source);
}

/** Parses `replguard-snapshot/v1` JSON text. */
export function parseSnapshotText(text: string, source = 'snapshot'): FleetSnapshot {
  const parsed = parseJson(text);
  if (!parsed.ok) throw new SnapshotError(`${source} is not valid JSON: ${parsed.error}`);
  return parseSnapshot(parsed.value, source);
}

const formatOf = (raw: unknown): unknown =>
  raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as { format?: unknown }).format : undefined;

/**
 * Validates a snapshot of either format as an organization: a v2 file as it is, a v1 file as one
 * account (see `accountOfSnapshot`).
 */
export function parseOrgSnapshot(raw: unknown, source = 'snapshot'): OrgSnapshot {
  const format = formatOf(raw);
  if (format === SNAPSHOT_FORMAT) return asOrgSnapshot(parseSnapshot(raw, source));
  if (format !== SNAPSHOT_FORMAT_V2) {
    const got = format === undefined ? ' (missing)' : ` (got ${JSON.stringify(format)?.slice(0, 60)})`;
    throw new SnapshotError(`Invalid snapshot file ${source}:\n  format: must be "${SNAPSHOT_FORMAT_V2}" or "${SNAPSHOT_FORMAT}"${got}`);
  }
  const result = orgSnapshotSchema.safeParse(raw, { reportInput: true });
  if (result.success) return result.data as unknown as OrgSnapshot;
  throw describeIssues(result.error, SNAPSHOT_FORMAT_V2, source);
}

/** Parses snapshot JSON text of either format as an organization. */
export function parseOrgSnapshotText(text: string, source = 'snapshot'): OrgSnapshot {
  const parsed = parseJson(text);
  if (!parsed.ok) throw new SnapshotError(`${source} is not valid JSON: ${parsed.error}`);
  return parseOrgSnapshot(parsed.value, source);
}
