/**
 * DB instance classes: vCPUs and memory of every current and previous-generation RDS class, in
 * one table. The parameter-formula variables (`DBInstanceClassMemory`, `DBInstanceVCPU`),
 * REPLICA_UNDERSIZED (can the replica keep up) and DR_REPLICA_UNDERSIZED (could it take over) all
 * read it, so they never disagree. A class not in the table is unknown: never guessed from its
 * name, never "equal" to anything, not even to itself. Source: RDS User Guide, "Hardware
 * specifications for DB instance classes". Not listed (so unknown): `metal` sizes, the Oracle
 * preconfigured `.tpcN.memNx` variants and db.serverless.
 */

export interface InstanceClassInfo {
  readonly vcpus: number;
  /** Memory of the class in GiB, as AWS lists it (before any reservation). */
  readonly memoryGiB: number;
  /** Burstable (db.t*): sustained CPU is below the vCPU count. */
  readonly burstable: boolean;
}

const GIB = 1024 ** 3;

/** vCPUs of the sizes shared by the c/m/r/x/z families. */
const SIZE_VCPUS: Readonly<Record<string, number>> = {
  medium: 1,
  large: 2,
  xlarge: 4,
  '2xlarge': 8,
  '3xlarge': 12,
  '4xlarge': 16,
  '6xlarge': 24,
  '8xlarge': 32,
  '10xlarge': 40,
  '12xlarge': 48,
  '16xlarge': 64,
  '24xlarge': 96,
  '32xlarge': 128,
  '48xlarge': 192,
};

const UP_TO_16 = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'] as const;
const UP_TO_24 = [...UP_TO_16, '24xlarge'] as const;
const UP_TO_32 = [...UP_TO_24, '32xlarge'] as const;
const UP_TO_48 = [...UP_TO_24, '48xlarge'] as const;

/** Families whose memory is a fixed number of GiB per vCPU, with the sizes RDS offers. */
const RATIO_FAMILIES: readonly (readonly [families: readonly string[], gibPerVcpu: number, sizes: readonly string[]])[] = [
  [['m5', 'm5d'], 4, UP_TO_24],
  [['m6g', 'm6gd', 'm7g'], 4, UP_TO_16],
  [['m6i', 'm6id', 'm6in', 'm6idn'], 4, UP_TO_32],
  // The RDS table lists 256/384/512 GiB for m8g(d) 12/16/24xlarge, off the 4 GiB per vCPU of
  // every other size of the family and of EC2 M8g: the ratio is used.
  [['m7i', 'm8g', 'm8gd'], 4, UP_TO_48],
  [['r5', 'r5b', 'r5d'], 8, UP_TO_24],
  [['r6g', 'r6gd', 'r7g'], 8, UP_TO_16],
  [['r6i', 'r6id', 'r6in', 'r6idn'], 8, UP_TO_32],
  [['r7i', 'r8g', 'r8gd'], 8, UP_TO_48],
  [['c6gd'], 2, ['medium', ...UP_TO_16]],
  [['x2g'], 16, UP_TO_16],
  [['x2idn'], 16, ['16xlarge', '24xlarge', '32xlarge']],
  [['x2iedn'], 32, ['xlarge', '2xlarge', '4xlarge', '8xlarge', '16xlarge', '24xlarge', '32xlarge']],
  [['x2iezn'], 32, ['2xlarge', '4xlarge', '6xlarge', '8xlarge', '12xlarge']],
  [['x1e'], 30.5, ['xlarge', '2xlarge', '4xlarge', '8xlarge', '16xlarge', '32xlarge']],
  [['x1'], 15.25, ['16xlarge', '32xlarge']],
  [['r3'], 7.625, ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge']],
  [['r4'], 7.625, ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '16xlarge']],
  [['z1d'], 8, ['large', 'xlarge', '2xlarge', '3xlarge', '6xlarge', '12xlarge']],
  [['m4'], 4, ['large', 'xlarge', '2xlarge', '4xlarge', '10xlarge', '16xlarge']],
  [['m3'], 3.75, ['large', 'xlarge', '2xlarge']],
];

/** Classes that follow no ratio: burstable sizes, and db.m3.medium. [vCPUs, GiB] */
const LISTED: Readonly<Record<string, readonly [number, number]>> = {
  'db.t2.micro': [1, 1],
  'db.t2.small': [1, 2],
  'db.t2.medium': [2, 4],
  'db.t2.large': [2, 8],
  'db.t2.xlarge': [4, 16],
  'db.t2.2xlarge': [8, 32],
  ...Object.fromEntries(
    ['t3', 't4g'].flatMap((family) =>
      (
        [
          ['micro', 2, 1],
          ['small', 2, 2],
          ['medium', 2, 4],
          ['large', 2, 8],
          ['xlarge', 4, 16],
          ['2xlarge', 8, 32],
        ] as const
      ).map(([size, vcpus, gib]) => [`db.${family}.${size}`, [vcpus, gib] as const]),
    ),
  ),
  'db.m3.medium': [1, 3.75],
};

function buildTable(): ReadonlyMap<string, InstanceClassInfo> {
  const table = new Map<string, InstanceClassInfo>();
  for (const [name, [vcpus, memoryGiB]] of Object.entries(LISTED)) {
    table.set(name, { vcpus, memoryGiB, burstable: /^db\.t\d/.test(name) });
  }
  for (const [families, gibPerVcpu, sizes] of RATIO_FAMILIES) {
    for (const family of families) {
      for (const size of sizes) {
        const vcpus = SIZE_VCPUS[size]!;
        table.set(`db.${family}.${size}`, { vcpus, memoryGiB: vcpus * gibPerVcpu, burstable: false });
      }
    }
  }
  return table;
}

/** Every DB instance class the rules know, by name. */
export const INSTANCE_CLASSES: ReadonlyMap<string, InstanceClassInfo> = buildTable();

/** Aurora Serverless v2: capacity is the cluster's ACU range, not the class, so it is never in the table. */
export const SERVERLESS_CLASS = 'db.serverless';

/** The class's vCPUs and memory, or undefined when the class is unknown (including db.serverless). */
export function instanceClassInfo(instanceClass: string | undefined): InstanceClassInfo | undefined {
  return instanceClass ? INSTANCE_CLASSES.get(instanceClass.toLowerCase()) : undefined;
}

export function classMemoryBytes(info: InstanceClassInfo): number {
  return info.memoryGiB * GIB;
}

interface ParsedClass {
  readonly raw: string;
  readonly family: string;
  readonly size: string;
}

/** `db.r6g.large` → family r6g, size large; undefined for anything else. */
export function parseClass(instanceClass: string | undefined): ParsedClass | undefined {
  const match = /^db\.([a-z0-9-]+)\.([a-z0-9]+)$/.exec(instanceClass ?? '');
  return match ? { raw: instanceClass!, family: match[1]!, size: match[2]! } : undefined;
}

export type Comparison =
  | { readonly verdict: 'ok' | 'smaller'; readonly detail: string }
  | { readonly verdict: 'not-comparable'; readonly detail: string };

function unknownReason(instanceClass: string): string {
  return instanceClass.toLowerCase() === SERVERLESS_CLASS
    ? `${instanceClass} capacity is set by the cluster's ACU range, not by the class`
    : `${instanceClass} is not in the instance class table`;
}

const describe = (cls: string, info: InstanceClassInfo) =>
  `${cls} (${info.vcpus} vCPU, ${info.memoryGiB} GiB${info.burstable ? ', burstable' : ''})`;

/**
 * Could `target` carry `primary`'s load? Both classes must be in the table; a burstable class
 * never carries a non-burstable one. Unknown classes are not comparable, even with themselves.
 */
export function compareInstanceClasses(primary: string, target: string): Comparison {
  const p = instanceClassInfo(primary);
  const t = instanceClassInfo(target);
  if (!p || !t) {
    const unknown = [...new Set([!p ? primary : undefined, !t ? target : undefined].filter((c): c is string => c !== undefined))];
    return { verdict: 'not-comparable', detail: `${primary} vs ${target}: ${unknown.map(unknownReason).join('; ')}` };
  }
  if (primary.toLowerCase() === target.toLowerCase()) return { verdict: 'ok', detail: 'same class' };
  const burstable = t.burstable && !p.burstable;
  if (t.vcpus < p.vcpus || t.memoryGiB < p.memoryGiB || burstable) {
    return { verdict: 'smaller', detail: `${describe(target, t)} vs ${describe(primary, p)}` };
  }
  return { verdict: 'ok', detail: `${describe(target, t)} >= ${primary}` };
}
