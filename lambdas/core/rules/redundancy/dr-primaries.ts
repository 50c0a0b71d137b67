/**
 * Which primaries need DR (the DR tag or an identifier pattern), their RPO, and how each is named
 * in findings. See redundancy.ts for the scope decisions.
 */
import { compilePattern, matches, type Config } from '../../config';
import type { EvaluationContext } from '../context';
import { tagsToRecord } from '../../fleet/model';
import { own } from '../../shared/records';
import type { DatabaseNode, GlobalClusterNode } from '../../fleet/topology';

/** What kind of database a protected primary is; the global cluster is the unit for Aurora global databases. */
export type DrPrimaryKind = 'rds-instance' | 'aurora-cluster' | 'aurora-global';

/** A primary marked as needing DR, as the redundancy rules see it. */
export interface ProtectedPrimary {
  readonly id: string;
  readonly region: string;
  readonly kind: DrPrimaryKind;
  /** The database whose class, backups and replica lists describe the primary (the writer cluster for global). */
  readonly node?: DatabaseNode;
  readonly global?: GlobalClusterNode;
  /** Identifier/tag pairs the selectors are matched against (global and writer cluster for global). */
  readonly identities: readonly { readonly id: string; readonly tags: Readonly<Record<string, string>> }[];
  /** A cluster naming a global cluster that no region described: its secondaries cannot be seen. */
  readonly missingGlobal?: string;
}

export const key = (region: string, id: string) => `${region}\u0000${id}`;

function isProtected(config: Config, identities: ProtectedPrimary['identities']): boolean {
  const { tagKey, tagValue, identifiers } = config.dr;
  const patterns = identifiers.map(compilePattern);
  return identities.some(
    ({ id, tags }) => own(tags, tagKey) === tagValue || patterns.some((pattern) => pattern.test(id)),
  );
}

/** The global RPO, or the last override matching any identity of the primary. */
export function rpoSecondsFor(config: Config, identities: ProtectedPrimary['identities']): number {
  let rpo = config.dr.rpoSeconds;
  for (const override of config.dr.rpoOverrides) {
    if (identities.some(({ id, tags }) => matches(override.match, id, tags))) rpo = override.rpoSeconds;
  }
  return rpo;
}

export function protectedPrimaries(ctx: EvaluationContext): ProtectedPrimary[] {
  const { topology, config } = ctx;
  const out: ProtectedPrimary[] = [];
  const globalWriters = new Set<string>();

  for (const global of topology.globalClusters) {
    const writerNode = global.writer ? topology.cluster(global.writer.region, global.writer.id) : undefined;
    if (global.writer) globalWriters.add(key(global.writer.region, global.writer.id));
    const identities = [
      { id: global.id, tags: tagsToRecord(global.raw.TagList) },
      ...(global.writer ? [{ id: global.writer.id, tags: writerNode?.tags ?? {} }] : []),
    ];
    if (!isProtected(config, identities)) continue;
    out.push({
      id: global.id,
      region: global.writer?.region ?? global.secondaries[0]?.region ?? topology.regions[0] ?? 'unknown',
      kind: 'aurora-global',
      node: writerNode,
      global,
      identities,
    });
  }

  const secondaryKeys = new Set(topology.globalClusters.flatMap((g) => g.secondaries.map((s) => key(s.region, s.id))));
  for (const cluster of topology.clusters) {
    const k = key(cluster.region, cluster.id);
    // Global writers are reported as their global cluster; secondaries and replica clusters are covered through their source.
    if (globalWriters.has(k) || secondaryKeys.has(k) || cluster.cluster?.ReplicationSourceIdentifier) continue;
    const identities = [{ id: cluster.id, tags: cluster.tags }];
    if (!isProtected(config, identities)) continue;
    const globalId = cluster.cluster?.GlobalClusterIdentifier;
    const missingGlobal =
      globalId && !topology.globalClusters.some((g) => g.id === globalId)
        ? `${cluster.id} is a member of global cluster ${globalId}, which no region's DescribeGlobalClusters returned`
        : undefined;
    out.push({ id: cluster.id, region: cluster.region, kind: 'aurora-cluster', node: cluster, identities, missingGlobal });
  }

  for (const instance of topology.instances) {
    const raw = instance.instance!;
    if (raw.DBClusterIdentifier) continue;
    if (raw.ReadReplicaSourceDBInstanceIdentifier || raw.ReadReplicaSourceDBClusterIdentifier) continue;
    const identities = [{ id: instance.id, tags: instance.tags }];
    if (!isProtected(config, identities)) continue;
    out.push({ id: instance.id, region: instance.region, kind: 'rds-instance', node: instance, identities });
  }

  return out.sort((a, b) => a.region.localeCompare(b.region) || a.id.localeCompare(b.id));
}

/** How findings name the primary. */
export function describe(primary: ProtectedPrimary): string {
  if (primary.kind === 'aurora-global') {
    const writer = primary.global?.writer;
    return `global database ${primary.id} (writer ${writer ? `${writer.id} in ${writer.region}` : 'unknown'})`;
  }
  return `${primary.kind === 'rds-instance' ? 'DB instance' : 'Aurora cluster'} ${primary.id} (${primary.region})`;
}
