/**
 * The parameters a database runs with, from its parameter groups in the snapshot.
 *
 * RDS instances: the instance's DB parameter group. Aurora instances: the DB cluster parameter
 * group and the instance's DB parameter group, with the precedence AWS documents ("any
 * configuration values that you modify in the DB cluster parameter group override default values
 * in the DB parameter group; if you edit the corresponding values in the DB parameter group,
 * those values override the settings from the DB cluster parameter group"):
 *   1. the instance group's value when its `Source` is `user`;
 *   2. else the cluster group's value;
 *   3. else the instance group's (default or system) value;
 *   4. else the engine default (see engine-defaults.ts), or an unknown default.
 * A parameter listed without a `ParameterValue` counts as absent: the engine default applies.
 *
 * Groups shared by many databases are indexed once per run (see `ParameterIndex`).
 */
import type { EvaluationContext } from '../context';
import type { DbCluster, DbInstance, Parameter, RegionSnapshot } from '../../fleet/model';
import type { DatabaseNode } from '../../fleet/topology';
import { baselineEngine, type BaselineEngine } from './engines';
import { engineDefault } from './engine-defaults';
import { canonicalParameterName, resolveValue, valueTypeOf, type Resolved, type ValueEnv, type ValueType } from './values';
import { own } from '../../shared/records';

export type ParameterOrigin = 'instance-group' | 'cluster-group' | 'engine-default';

export interface EffectiveParameter {
  readonly canonical: string;
  /** The name as the group spells it (or as asked for, when no group lists it). */
  readonly name: string;
  /** Undefined: not set anywhere and no known engine default. */
  readonly raw: string | undefined;
  readonly origin: ParameterOrigin;
  /** The group the value came from. */
  readonly group?: string;
  readonly source?: string;
  readonly type?: ValueType;
  readonly modifiable?: boolean;
  readonly applyType?: string;
}

/** The parameter view of one database. */
export interface DatabaseParameters {
  readonly id: string;
  readonly region: string;
  readonly engine: BaselineEngine | undefined;
  readonly engineVersion: string | undefined;
  readonly env: ValueEnv;
  /** Group names, instance group first. */
  readonly groups: readonly string[];
  get(name: string): EffectiveParameter;
  /** Resolves a parameter's value in this database's context. */
  resolve(parameter: EffectiveParameter, type?: ValueType): Resolved;
  /** Every parameter set (with a value) in the database's groups, effective values only. */
  explicit(): readonly EffectiveParameter[];
}

export type ParameterLookup =
  | { readonly status: 'ok'; readonly params: DatabaseParameters }
  /** The region was read without parameters: parameter rules do not run there. */
  | { readonly status: 'not-read' }
  /** Groups the database uses that the snapshot does not hold. */
  | { readonly status: 'missing'; readonly groups: readonly { readonly name: string; readonly kind: 'db' | 'cluster' }[] }
  /** The database's description does not name a parameter group. */
  | { readonly status: 'no-group' };

type GroupIndex = ReadonlyMap<string, Parameter>;

const EMPTY: GroupIndex = new Map();

function indexGroup(parameters: readonly Parameter[]): GroupIndex {
  const index = new Map<string, Parameter>();
  for (const p of parameters) {
    if (!p.ParameterName) continue;
    const key = canonicalParameterName(p.ParameterName);
    const existing = index.get(key);
    // Two spellings of one parameter (gtid-mode / gtid_mode): the one with a value wins.
    if (!existing || (existing.ParameterValue === undefined && p.ParameterValue !== undefined)) index.set(key, p);
  }
  return index;
}

const hasValue = (p: Parameter | undefined): p is Parameter & { ParameterValue: string } =>
  p !== undefined && typeof p.ParameterValue === 'string';

function endpointPort(instance: DbInstance | undefined): number | undefined {
  const endpoint = instance?.['Endpoint'] as { Port?: unknown } | undefined;
  if (typeof endpoint?.Port === 'number') return endpoint.Port;
  const port = instance?.['DbInstancePort'];
  return typeof port === 'number' && port > 0 ? port : undefined;
}

/** Indexes every group of every region once; databases then look their parameters up. */
export class ParameterIndex {
  private readonly cache = new Map<string, GroupIndex>();

  constructor(private readonly ctx: EvaluationContext) {}

  private region(region: string): RegionSnapshot | undefined {
    return this.ctx.snapshot.regions[region];
  }

  /** True when the snapshot carries parameter groups for the region. */
  hasParameters(region: string): boolean {
    const data = this.region(region);
    return data?.dbParameters !== undefined || data?.dbClusterParameters !== undefined;
  }

  private group(region: string, kind: 'db' | 'cluster', name: string): GroupIndex | undefined {
    const key = `${region}\u0000${kind}\u0000${name}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    const data = this.region(region);
    const list = own(kind === 'db' ? data?.dbParameters : data?.dbClusterParameters, name);
    if (!list) return undefined;
    const index = indexGroup(list);
    this.cache.set(key, index);
    return index;
  }

  /** Parameters of an instance (RDS or Aurora member) or a cluster (through its writer, else its first member). */
  lookup(node: DatabaseNode): ParameterLookup {
    if (!this.hasParameters(node.region)) return { status: 'not-read' };
    if (node.type === 'cluster') {
      const cluster = node.cluster!;
      const members = cluster.DBClusterMembers ?? [];
      const memberId = (members.find((m) => m.IsClusterWriter) ?? members[0])?.DBInstanceIdentifier;
      const member = memberId ? this.ctx.topology.instance(node.region, memberId) : undefined;
      return member ? this.forInstance(member, node.id) : this.forCluster(node, cluster);
    }
    return this.forInstance(node);
  }

  private forCluster(node: DatabaseNode, cluster: DbCluster): ParameterLookup {
    const name = cluster.DBClusterParameterGroup;
    if (!name) return { status: 'no-group' };
    const group = this.group(node.region, 'cluster', name);
    if (!group) return { status: 'missing', groups: [{ name, kind: 'cluster' }] };
    const engine = baselineEngine(node.engine);
    return {
      status: 'ok',
      params: this.build(node.id, node.region, engine, node.engineVersion, { engine: node.engine, isReplica: this.clusterIsReplica(node) }, undefined, { name, index: group }),
    };
  }

  private clusterIsReplica(node: DatabaseNode): boolean {
    return this.ctx.topology.replicas.some((r) => r.region === node.region && r.id === node.id);
  }

  /** `asId` reports the parameters under another identifier (a cluster seen through its writer). */
  private forInstance(node: DatabaseNode, asId = node.id): ParameterLookup {
    const instance = node.instance!;
    const dbGroupName = instance.DBParameterGroups?.[0]?.DBParameterGroupName;
    const clusterNode = instance.DBClusterIdentifier ? this.ctx.topology.cluster(node.region, instance.DBClusterIdentifier) : undefined;
    const clusterGroupName = clusterNode?.cluster?.DBClusterParameterGroup;
    if (!dbGroupName && !clusterGroupName) return { status: 'no-group' };

    const missing: { name: string; kind: 'db' | 'cluster' }[] = [];
    const dbGroup = dbGroupName ? this.group(node.region, 'db', dbGroupName) : undefined;
    if (dbGroupName && !dbGroup) missing.push({ name: dbGroupName, kind: 'db' });
    const clusterGroup = clusterGroupName ? this.group(node.region, 'cluster', clusterGroupName) : undefined;
    if (clusterGroupName && !clusterGroup) missing.push({ name: clusterGroupName, kind: 'cluster' });
    if (missing.length) return { status: 'missing', groups: missing };

    const env: ValueEnv = {
      instanceClass: instance.DBInstanceClass,
      engine: node.engine,
      isReplica: this.instanceIsReplica(node, instance, clusterNode),
      port: endpointPort(instance),
      allocatedStorageGiB: instance.DBClusterIdentifier ? undefined : instance.AllocatedStorage,
    };
    return {
      status: 'ok',
      params: this.build(
        asId,
        node.region,
        baselineEngine(node.engine),
        node.engineVersion,
        env,
        dbGroupName ? { name: dbGroupName, index: dbGroup ?? EMPTY } : undefined,
        clusterGroupName ? { name: clusterGroupName, index: clusterGroup ?? EMPTY } : undefined,
      ),
    };
  }

  private instanceIsReplica(node: DatabaseNode, instance: DbInstance, clusterNode: DatabaseNode | undefined): boolean {
    if (instance.ReadReplicaSourceDBInstanceIdentifier || instance.ReadReplicaSourceDBClusterIdentifier) return true;
    if (!clusterNode) return false;
    const member = clusterNode.cluster?.DBClusterMembers?.find((m) => m.DBInstanceIdentifier === node.id);
    if (member && !member.IsClusterWriter) return true;
    // The writer of a replica cluster or a global secondary still follows another cluster.
    return this.clusterIsReplica(clusterNode);
  }

  private build(
    id: string,
    region: string,
    engine: BaselineEngine | undefined,
    engineVersion: string | undefined,
    env: ValueEnv,
    dbGroup: { name: string; index: GroupIndex } | undefined,
    clusterGroup: { name: string; index: GroupIndex } | undefined,
  ): DatabaseParameters {
    const fromGroup = (p: Parameter & { ParameterValue: string }, origin: ParameterOrigin, group: string): EffectiveParameter => ({
      canonical: canonicalParameterName(p.ParameterName!),
      name: p.ParameterName!,
      raw: p.ParameterValue,
      origin,
      group,
      source: p.Source,
      type: valueTypeOf(p.DataType),
      modifiable: p.IsModifiable,
      applyType: p.ApplyType,
    });
    const get = (name: string): EffectiveParameter => {
      const canonical = canonicalParameterName(name);
      const fromDb = dbGroup?.index.get(canonical);
      const fromCluster = clusterGroup?.index.get(canonical);
      if (hasValue(fromDb) && fromDb.Source === 'user') return fromGroup(fromDb, 'instance-group', dbGroup!.name);
      if (hasValue(fromCluster)) return fromGroup(fromCluster, 'cluster-group', clusterGroup!.name);
      if (hasValue(fromDb)) return fromGroup(fromDb, 'instance-group', dbGroup!.name);
      // The listing still tells the type when the value is absent.
      const listed = fromDb ?? fromCluster;
      return {
        canonical,
        name: listed?.ParameterName ?? name,
        raw: engineDefault(engine, engineVersion, canonical),
        origin: 'engine-default',
        type: valueTypeOf(listed?.DataType),
        modifiable: listed?.IsModifiable,
        applyType: listed?.ApplyType,
      };
    };
    const groups = [dbGroup?.name, clusterGroup?.name].filter((g): g is string => g !== undefined);
    return {
      id,
      region,
      engine,
      engineVersion,
      env,
      groups,
      get,
      resolve: (parameter, type) =>
        parameter.raw === undefined
          ? { kind: 'unknown', reason: `${parameter.name} is not set and its engine default is not known`, text: '(engine default)' }
          : resolveValue(parameter.raw, env, type ?? parameter.type),
      explicit: () => {
        const names = new Set<string>();
        for (const index of [dbGroup?.index, clusterGroup?.index]) {
          for (const [key, p] of index ?? []) if (hasValue(p)) names.add(key);
        }
        return [...names].sort().map(get);
      },
    };
  }
}
