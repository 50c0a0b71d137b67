/**
 * Capacity: could a DR target carry the primary's load after a failover (instance classes,
 * a headless secondary cluster, Aurora Serverless v2 maximum ACUs)?
 */
import type { EvaluationContext } from '../context';
import { compareInstanceClasses, parseClass } from '../../fleet/instance-capacity';
import type { DbCluster } from '../../fleet/model';
import type { DatabaseNode } from '../../fleet/topology';
import type { DrTarget } from './dr-targets';

interface Capacity {
  /** Instance classes able to take the load: the instance's own, or every member of a cluster. */
  readonly classes: readonly string[];
  /** A cluster with no instance: nothing to promote. */
  readonly headless: boolean;
  /** Aurora Serverless v2 maximum ACUs, when the cluster runs serverless instances. */
  readonly maxAcu?: number;
}

function serverlessMaxAcu(cluster: DbCluster | undefined): number | undefined {
  const scaling = cluster?.ServerlessV2ScalingConfiguration;
  if (typeof scaling !== 'object' || scaling === null) return undefined;
  const max = (scaling as { MaxCapacity?: unknown }).MaxCapacity;
  return typeof max === 'number' ? max : undefined;
}

function capacityOf(ctx: EvaluationContext, node: DatabaseNode, writerOnly: boolean): Capacity | undefined {
  if (node.instance) {
    return node.instance.DBInstanceClass ? { classes: [node.instance.DBInstanceClass], headless: false } : undefined;
  }
  const members = node.cluster?.DBClusterMembers ?? [];
  if (members.length === 0) return { classes: [], headless: true };
  const chosen = writerOnly ? members.filter((m) => m.IsClusterWriter) : members;
  const classes = chosen
    .map((m) => (m.DBInstanceIdentifier ? ctx.topology.instance(node.region, m.DBInstanceIdentifier) : undefined))
    .map((i) => i?.instance?.DBInstanceClass)
    .filter((c): c is string => typeof c === 'string');
  if (classes.length === 0) return undefined;
  return { classes, headless: false, maxAcu: serverlessMaxAcu(node.cluster) };
}

/** Why the target could not carry the primary's load, or undefined when it could (or cannot be told). */
export function undersized(
  ctx: EvaluationContext,
  primaryNode: DatabaseNode | undefined,
  target: DrTarget,
): { reason: string; evidence: Record<string, string | number | null> } | undefined {
  const targetNode = target.replica?.node;
  if (!targetNode || !primaryNode) return undefined;
  const targetCapacity = capacityOf(ctx, targetNode, false);
  if (targetCapacity?.headless) {
    return {
      reason: `${target.id} (${target.region}) has no DB instance: there is nothing to promote`,
      evidence: { targetInstances: 0, targetClass: null, primaryClass: null },
    };
  }
  const primaryCapacity = capacityOf(ctx, primaryNode, true);
  if (!primaryCapacity || !targetCapacity || primaryCapacity.classes.length === 0) return undefined;
  const primaryClass = primaryCapacity.classes[0]!;
  if (primaryClass === 'db.serverless' || targetCapacity.classes.includes('db.serverless')) {
    if (primaryClass !== 'db.serverless' || !targetCapacity.classes.every((c) => c === 'db.serverless')) return undefined;
    const p = primaryCapacity.maxAcu;
    const t = targetCapacity.maxAcu;
    if (p === undefined || t === undefined || t >= p) return undefined;
    return {
      reason: `${target.id} (${target.region}) can scale to ${t} ACU, the primary to ${p} ACU`,
      evidence: { primaryClass, targetClass: 'db.serverless', primaryMaxAcu: p, targetMaxAcu: t },
    };
  }
  // A cluster can promote its biggest instance; an instance has only itself.
  const comparisons = targetCapacity.classes.map((c) => ({ cls: c, cmp: compareInstanceClasses(primaryClass, c) }));
  if (comparisons.some(({ cmp }) => cmp.verdict !== 'smaller')) return undefined;
  const best = comparisons[0]!;
  return {
    reason:
      targetCapacity.classes.length > 1
        ? `every instance of ${target.id} (${target.region}) is smaller than the primary's ${primaryClass} (largest: ${best.cmp.detail})`
        : `${target.id} (${target.region}) runs ${best.cls}, smaller than the primary's ${primaryClass}` +
          (parseClass(best.cls)?.family === parseClass(primaryClass)?.family ? '' : ` (${best.cmp.detail})`),
    evidence: { primaryClass, targetClass: targetCapacity.classes.join(','), comparison: best.cmp.detail },
  };
}
