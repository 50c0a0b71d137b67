/**
 * The review report's view of one evaluation: the replication graph (a node per database, an edge
 * per replication link), per-replica detail and the "are we safe?" verdict. Pure: built from the
 * same evaluation `check` prints, plus the snapshot for lag series and instance sizes.
 */
import { createContext, type DrReadiness, type Report } from '../../rules/evaluate';
import type { Config } from '../../config';
import type { Finding, FindingCode } from '../../findings';
import { lagWindow } from '../../rules/health/health';
import type { FleetSnapshot } from '../../fleet/model';
import type { DatabaseNode, Replica } from '../../fleet/topology';

export type LinkStatus = Report['replicas'][number]['status'];

export interface ReviewNode {
  /** Unique in the report: region and identifier. */
  readonly key: string;
  readonly id: string;
  readonly region: string;
  /** `unread` when only known as a source or a listed replica, in a region not described. */
  readonly type: 'instance' | 'cluster' | 'unread';
  readonly engine: string;
  /** Instance class, cluster size or "not read": the second line of the box. */
  readonly detail: string;
  /** Worst status of the links into this node; `source` for databases no link points at. */
  readonly status: LinkStatus | 'source';
  /** The cluster group this database is drawn in, when it is an Aurora/Multi-AZ cluster or a member of one. */
  readonly group?: string;
}

export interface ReviewGroup {
  readonly key: string;
  readonly region: string;
  readonly clusterId: string;
  readonly globalClusterId?: string;
}

export interface ReviewEdge {
  readonly key: string;
  readonly from: string;
  readonly to: string;
  readonly status: LinkStatus;
  readonly lagSeconds: number | null;
  readonly crossRegion: boolean;
  readonly kind: Replica['kind'];
}

export interface Parity {
  readonly replicaClass?: string;
  readonly sourceClass?: string;
  readonly replicaVersion?: string;
  readonly sourceVersion?: string;
  readonly replicaStorageGiB?: number;
  readonly sourceStorageGiB?: number;
  /** REPLICA_UNDERSIZED, ENGINE_VERSION_MISMATCH, DR_REPLICA_UNDERSIZED findings on this replica. */
  readonly findings: readonly Finding[];
}

export interface ReplicaDetail {
  readonly key: string;
  readonly id: string;
  readonly region: string;
  readonly kind: Replica['kind'];
  readonly engine: string;
  readonly sourceId: string;
  readonly sourceRegion: string;
  readonly status: LinkStatus;
  readonly lagSeconds: number | null;
  /** Lag over the read window in seconds, oldest first; empty when no datapoint was read. */
  readonly lagSeries: readonly { readonly timestamp: string; readonly seconds: number }[];
  /** Parameter findings on this replica; undefined when drift was not checked. */
  readonly drift?: readonly Finding[];
  readonly parity: Parity;
  /** Every finding on this replica. */
  readonly findings: readonly Finding[];
}

export type Verdict = 'safe' | 'safe-with-warnings' | 'unknown' | 'not-safe';

export interface ReviewModel {
  readonly checkedAt: string;
  /** Where the fleet came from, e.g. a snapshot file name or "live: us-east-1, eu-west-1". */
  readonly source: string;
  readonly report: Report;
  readonly verdict: Verdict;
  /** One sentence answering "are we safe?". */
  readonly headline: string;
  /** The reasons behind the verdict, most urgent first. */
  readonly reasons: readonly string[];
  readonly regions: readonly string[];
  readonly nodes: readonly ReviewNode[];
  readonly groups: readonly ReviewGroup[];
  readonly edges: readonly ReviewEdge[];
  readonly replicas: readonly ReplicaDetail[];
  readonly dr: readonly DrReadiness[];
  readonly driftChecked: boolean;
}

const DRIFT_CODES: ReadonlySet<FindingCode> = new Set([
  'PARAM_DRIFT',
  'PARAM_PENDING_REBOOT',
  'PARAM_APPLY_FAILED',
  'REPLICA_PARAM_BELOW_SOURCE',
  'REPLICA_PARAM_MISMATCH',
  'REPLICA_WRITABLE',
]);
const PARITY_CODES: ReadonlySet<FindingCode> = new Set(['REPLICA_UNDERSIZED', 'ENGINE_VERSION_MISMATCH', 'DR_REPLICA_UNDERSIZED']);
const STATUS_RANK: Readonly<Record<LinkStatus, number>> = { broken: 0, lagging: 1, degraded: 2, unknown: 3, healthy: 4 };

export const nodeKey = (region: string, id: string): string => `${region}/${id}`;

function describe(node: DatabaseNode): string {
  if (node.type === 'cluster') {
    const members = node.cluster?.DBClusterMembers?.length ?? 0;
    return `${node.engine} cluster, ${members} member${members === 1 ? '' : 's'}`;
  }
  return [node.engine, node.instance?.DBInstanceClass].filter(Boolean).join(' ');
}

function verdictOf(report: Report): { verdict: Verdict; headline: string; reasons: string[] } {
  const s = report.summary;
  const count = (status: LinkStatus) => report.replicas.filter((r) => r.status === status).length;
  const notReady = report.dr.filter((d) => d.ready === false);
  const drUnknown = report.dr.filter((d) => d.ready === 'unknown');
  // An info CHECK_DEGRADED (e.g. parameters not read) narrows the check; it does not hide replication state.
  const degraded = report.findings.filter((f) => f.code === 'CHECK_DEGRADED' && f.severity !== 'info');
  const reasons: string[] = [];
  if (count('broken')) reasons.push(`${count('broken')} replica(s) not replicating`);
  if (notReady.length) reasons.push(`${notReady.length} of ${report.dr.length} DR primaries not ready: ${notReady.map((d) => d.primary).join(', ')}`);
  if (count('lagging')) reasons.push(`${count('lagging')} replica(s) lagging`);
  if (s.critical) reasons.push(`${s.critical} critical finding(s)`);
  if (count('unknown')) reasons.push(`${count('unknown')} replica(s) in an unknown state`);
  if (drUnknown.length) reasons.push(`DR readiness unknown for ${drUnknown.map((d) => d.primary).join(', ')}`);
  if (degraded.length) reasons.push(`part of the fleet could not be read (${degraded.map((f) => f.region).filter((r, i, a) => a.indexOf(r) === i).join(', ')})`);
  if (s.warning) reasons.push(`${s.warning} warning(s)`);
  if (s.critical > 0 || notReady.length > 0 || count('broken') > 0) {
    return { verdict: 'not-safe', headline: 'Replication or disaster recovery needs action now.', reasons };
  }
  if (count('unknown') > 0 || drUnknown.length > 0 || degraded.length > 0) {
    return { verdict: 'unknown', headline: 'Part of the fleet could not be judged, and unknown is not healthy.', reasons };
  }
  if (s.warning > 0 || count('lagging') > 0 || count('degraded') > 0) {
    return { verdict: 'safe-with-warnings', headline: 'Replicating and DR-ready for now, with warnings to fix before they page.', reasons };
  }
  return { verdict: 'safe', headline: 'Every replica is replicating and every DR primary is ready.', reasons };
}

export interface ReviewModelInput {
  readonly snapshot: FleetSnapshot;
  readonly config: Config;
  /** The evaluation of this snapshot with this config (what `check` prints). */
  readonly report: Report;
  readonly source: string;
}

export function buildReviewModel(input: ReviewModelInput): ReviewModel {
  const { snapshot, config, report } = input;
  const ctx = createContext(snapshot, config);
  const topology = ctx.topology;

  const nodes = new Map<string, ReviewNode>();
  const groups = new Map<string, ReviewGroup>();
  const globalOf = new Map<string, string>();
  for (const g of topology.globalClusters) {
    if (g.writer) globalOf.set(nodeKey(g.writer.region, g.writer.id), g.id);
    for (const s of g.secondaries) globalOf.set(nodeKey(s.region, s.id), g.id);
  }
  for (const cluster of topology.clusters) {
    const key = nodeKey(cluster.region, cluster.id);
    groups.set(key, { key, region: cluster.region, clusterId: cluster.id, globalClusterId: globalOf.get(key) });
    nodes.set(key, { key, id: cluster.id, region: cluster.region, type: 'cluster', engine: cluster.engine, detail: describe(cluster), status: 'source', group: key });
  }
  for (const instance of topology.instances) {
    const key = nodeKey(instance.region, instance.id);
    const clusterId = instance.instance?.DBClusterIdentifier;
    const group = clusterId && groups.has(nodeKey(instance.region, clusterId)) ? nodeKey(instance.region, clusterId) : undefined;
    nodes.set(key, { key, id: instance.id, region: instance.region, type: 'instance', engine: instance.engine, detail: describe(instance), status: 'source', group });
  }
  const ensure = (region: string, id: string, engine: string) => {
    const key = nodeKey(region, id);
    if (!nodes.has(key)) nodes.set(key, { key, id, region, type: 'unread', engine, detail: 'not read', status: 'source' });
    return key;
  };

  const topoReplicas = new Map(topology.replicas.map((r) => [nodeKey(r.region, r.id), r]));
  const byResource = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const k = nodeKey(f.region, f.resource);
    byResource.set(k, [...(byResource.get(k) ?? []), f]);
  }

  const edges: ReviewEdge[] = [];
  const replicas: ReplicaDetail[] = [];
  for (const row of report.replicas) {
    const key = nodeKey(row.region, row.id);
    const replica = topoReplicas.get(key);
    const engine = replica?.engine ?? 'unknown';
    const to = ensure(row.region, row.id, engine);
    const from = ensure(row.sourceRegion, row.sourceId, engine);
    const node = nodes.get(to)!;
    if (node.status === 'source' || STATUS_RANK[row.status] < STATUS_RANK[node.status]) nodes.set(to, { ...node, status: row.status });
    edges.push({
      key: `${from}->${to}`,
      from,
      to,
      status: row.status,
      lagSeconds: row.lagSeconds,
      crossRegion: row.region !== row.sourceRegion,
      kind: row.kind,
    });

    const findings = byResource.get(key) ?? [];
    const window = replica ? lagWindow(ctx, replica) : undefined;
    const r = replica?.node?.instance;
    const s = replica?.source?.instance;
    replicas.push({
      key,
      id: row.id,
      region: row.region,
      kind: row.kind,
      engine,
      sourceId: row.sourceId,
      sourceRegion: row.sourceRegion,
      status: row.status,
      lagSeconds: row.lagSeconds,
      lagSeries: (window?.seconds ?? []).map((p) => ({ timestamp: p.timestamp, seconds: p.value })),
      drift: config.drift.enabled ? findings.filter((f) => DRIFT_CODES.has(f.code)) : undefined,
      parity: {
        replicaClass: r?.DBInstanceClass,
        sourceClass: s?.DBInstanceClass,
        replicaVersion: replica?.node?.engineVersion,
        sourceVersion: replica?.source?.engineVersion,
        replicaStorageGiB: r?.AllocatedStorage,
        sourceStorageGiB: s?.AllocatedStorage,
        findings: findings.filter((f) => PARITY_CODES.has(f.code)),
      },
      findings,
    });
  }

  const { verdict, headline, reasons } = verdictOf(report);
  const regions = [...new Set([...topology.regions, ...[...nodes.values()].map((n) => n.region)])].sort();
  return {
    checkedAt: report.checkedAt,
    source: input.source,
    report,
    verdict,
    headline,
    reasons,
    regions,
    nodes: [...nodes.values()].sort((a, b) => a.region.localeCompare(b.region) || a.id.localeCompare(b.id)),
    groups: [...groups.values()],
    edges,
    replicas,
    dr: report.dr,
    driftChecked: config.drift.enabled,
  };
}
