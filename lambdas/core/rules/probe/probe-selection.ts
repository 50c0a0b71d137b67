/**
 * Which databases a deployed probe function looks at: the instances of its region that a
 * `probes.targets` entry of its VPC matches (the first matching entry wins), with what it needs to
 * connect. Pure: the handler lists the instances and fetches the credentials.
 */
import { matches, type ProbesConfig } from '../../config';
import { tagsToRecord, type DbInstance } from '../../fleet/model';
import type { ProbeEngine, ProbeRole } from '../../fleet/probe-observation';

export type ProbeCredentials = ProbesConfig['targets'][number]['credentials'];

export interface SelectedProbeTarget {
  readonly identifier: string;
  readonly engine: ProbeEngine;
  readonly host: string;
  readonly port: number;
  /** Known for RDS instances from their replica link; left to the probe to detect on Aurora. */
  readonly role?: ProbeRole;
  /** The source instance, when it is probed too (same region). */
  readonly source?: string;
  readonly credentials: ProbeCredentials;
  readonly database?: string;
  readonly heartbeat: { readonly schema: string; readonly table: string };
}

export interface SkippedInstance {
  readonly identifier: string;
  readonly why: string;
}

const ENGINES: Readonly<Record<string, ProbeEngine>> = {
  postgres: 'postgres',
  'aurora-postgresql': 'postgres',
  mysql: 'mysql',
  'aurora-mysql': 'mysql',
  mariadb: 'mariadb',
};

export function selectProbeTargets(
  instances: readonly DbInstance[],
  probes: ProbesConfig,
  vpc: string,
): { readonly targets: SelectedProbeTarget[]; readonly skipped: SkippedInstance[] } {
  const entries = probes.targets.filter((t) => t.vpc === vpc);
  const targets: SelectedProbeTarget[] = [];
  const skipped: SkippedInstance[] = [];
  for (const db of instances) {
    const identifier = db.DBInstanceIdentifier;
    if (!identifier) continue;
    const entry = entries.find((e) => matches(e.match, identifier, tagsToRecord(db.TagList)));
    if (!entry) continue;
    const engine = ENGINES[db.Engine ?? ''];
    const endpoint = db.Endpoint as { Address?: string; Port?: number } | undefined;
    if (!engine) {
      skipped.push({ identifier, why: `engine ${db.Engine ?? '(none)'} has no probe driver` });
      continue;
    }
    if (!endpoint?.Address || !endpoint.Port) {
      skipped.push({ identifier, why: `no endpoint yet (status ${db.DBInstanceStatus ?? 'unknown'})` });
      continue;
    }
    const [schema, table] = entry.heartbeat.split('.') as [string, string];
    const isRdsReplica = db.ReadReplicaSourceDBInstanceIdentifier !== undefined;
    targets.push({
      identifier,
      engine,
      host: endpoint.Address,
      port: endpoint.Port,
      ...(db.DBClusterIdentifier ? {} : { role: isRdsReplica ? 'replica' : 'source' }),
      ...(isRdsReplica ? { source: db.ReadReplicaSourceDBInstanceIdentifier } : {}),
      credentials: entry.credentials,
      ...(entry.database ? { database: entry.database } : {}),
      heartbeat: { schema, table },
    });
  }
  // A cross-region source (named by ARN) or one not probed is left for the probe to find.
  const names = new Set(targets.map((t) => t.identifier));
  return { targets: targets.map((t) => (t.source && !names.has(t.source) ? { ...t, source: undefined } : t)), skipped };
}
