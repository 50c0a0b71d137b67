/**
 * Could one instance class carry another's load? Shared by REPLICA_UNDERSIZED (can the replica
 * keep up) and DR_REPLICA_UNDERSIZED (could it take over), so the two never disagree.
 */

import { own } from './records';

/** Relative size of an instance size name: the vCPU count of the non-burstable families. */
function sizeUnits(size: string): number | undefined {
  const fixed: Record<string, number> = { nano: 0.125, micro: 0.25, small: 0.5, medium: 1, large: 2, xlarge: 4 };
  const known = own(fixed, size);
  if (known !== undefined) return known;
  const match = /^(\d+)xlarge$/.exec(size);
  return match ? Number(match[1]) * 4 : undefined;
}

/** GiB of memory per vCPU of the RDS instance families (burstable classes are listed separately). */
const MEMORY_PER_VCPU: readonly (readonly [RegExp, number])[] = [
  [/^x2iedn$|^x2iezn$/, 32],
  [/^x2g$|^x2idn$/, 16],
  [/^x1e$/, 30.5],
  [/^x1$/, 15.25],
  [/^r\d+[a-z]*$/, 8],
  [/^z1d$/, 8],
  [/^m\d+[a-z]*$/, 4],
  [/^c\d+[a-z]*$/, 2],
];

/** vCPU and GiB of the burstable classes, which RDS offers in these sizes. */
const BURSTABLE: Readonly<Record<string, readonly [number, number]>> = {
  micro: [2, 1],
  small: [2, 2],
  medium: [2, 4],
  large: [2, 8],
  xlarge: [4, 16],
  '2xlarge': [8, 32],
};

interface ParsedClass {
  readonly raw: string;
  readonly family: string;
  readonly size: string;
}

export function parseClass(instanceClass: string | undefined): ParsedClass | undefined {
  const match = /^db\.([a-z0-9-]+)\.([a-z0-9]+)$/.exec(instanceClass ?? '');
  return match ? { raw: instanceClass!, family: match[1]!, size: match[2]! } : undefined;
}

function resources(cls: ParsedClass): { vcpu: number; memory: number } | undefined {
  if (/^t\d/.test(cls.family)) {
    const burst = own(BURSTABLE, cls.size);
    return burst ? { vcpu: burst[0], memory: burst[1] } : undefined;
  }
  const vcpu = sizeUnits(cls.size);
  const perVcpu = MEMORY_PER_VCPU.find(([pattern]) => pattern.test(cls.family))?.[1];
  return vcpu !== undefined && perVcpu !== undefined && cls.size !== 'medium' && cls.size !== 'small'
    ? { vcpu, memory: vcpu * perVcpu }
    : undefined;
}

export type Comparison =
  | { readonly verdict: 'ok' | 'smaller'; readonly detail: string }
  | { readonly verdict: 'not-comparable'; readonly detail: string };

/** Compares two instance classes: same family by size, otherwise by vCPU and memory. */
export function compareInstanceClasses(primary: string, target: string): Comparison {
  if (primary === target) return { verdict: 'ok', detail: 'same class' };
  const p = parseClass(primary);
  const t = parseClass(target);
  if (!p || !t) return { verdict: 'not-comparable', detail: `${primary} vs ${target}` };
  if (p.family === t.family) {
    const ps = sizeUnits(p.size);
    const ts = sizeUnits(t.size);
    if (ps === undefined || ts === undefined) return { verdict: 'not-comparable', detail: `${primary} vs ${target}` };
    return ts < ps
      ? { verdict: 'smaller', detail: `${t.size} is smaller than ${p.size} in the ${p.family} family` }
      : { verdict: 'ok', detail: `${target} >= ${primary}` };
  }
  const pr = resources(p);
  const tr = resources(t);
  if (!pr || !tr) return { verdict: 'not-comparable', detail: `${primary} vs ${target} (different families)` };
  const burstable = /^t\d/.test(t.family) && !/^t\d/.test(p.family);
  if (tr.vcpu < pr.vcpu || tr.memory < pr.memory || burstable) {
    return {
      verdict: 'smaller',
      detail:
        `${target} (${tr.vcpu} vCPU, ${tr.memory} GiB${burstable ? ', burstable' : ''}) vs ` +
        `${primary} (${pr.vcpu} vCPU, ${pr.memory} GiB)`,
    };
  }
  return { verdict: 'ok', detail: `${target} (${tr.vcpu} vCPU, ${tr.memory} GiB) >= ${primary}` };
}
