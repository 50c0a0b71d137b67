/**
 * DB instance classes: memory and vCPUs for the common classes, and the size order within a
 * class family. Formula variables (`DBInstanceClassMemory`, `DBInstanceVCPU`) and the
 * undersized-replica rule read this table; a class not in it is "unknown", never guessed.
 */

export interface InstanceClassInfo {
  /** Memory of the class in GiB, as AWS lists it (before any reservation). */
  readonly memoryGiB: number;
  readonly vcpus: number;
}

const GIB = 1024 ** 3;

/** `xlarge` sizes and their vCPU counts, shared by the m/r/x families. */
const XLARGE_VCPUS: Readonly<Record<string, number>> = {
  large: 2,
  xlarge: 4,
  '2xlarge': 8,
  '4xlarge': 16,
  '8xlarge': 32,
  '12xlarge': 48,
  '16xlarge': 64,
  '24xlarge': 96,
  '32xlarge': 128,
};

/** Burstable classes (t3, t4g): memory does not follow a fixed ratio to vCPUs. */
const BURSTABLE: Readonly<Record<string, InstanceClassInfo>> = {
  micro: { memoryGiB: 1, vcpus: 2 },
  small: { memoryGiB: 2, vcpus: 2 },
  medium: { memoryGiB: 4, vcpus: 2 },
  large: { memoryGiB: 8, vcpus: 2 },
  xlarge: { memoryGiB: 16, vcpus: 4 },
  '2xlarge': { memoryGiB: 32, vcpus: 8 },
};

/** Family → GiB per vCPU and the sizes RDS offers. */
const FAMILIES: Readonly<Record<string, { readonly gibPerVcpu: number; readonly sizes: readonly string[] }>> = {
  m5: { gibPerVcpu: 4, sizes: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge'] },
  m6g: { gibPerVcpu: 4, sizes: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'] },
  m6i: { gibPerVcpu: 4, sizes: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '32xlarge'] },
  m7g: { gibPerVcpu: 4, sizes: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'] },
  r5: { gibPerVcpu: 8, sizes: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge'] },
  r6g: { gibPerVcpu: 8, sizes: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'] },
  r6i: { gibPerVcpu: 8, sizes: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge', '32xlarge'] },
  r7g: { gibPerVcpu: 8, sizes: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'] },
  x2g: { gibPerVcpu: 16, sizes: ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'] },
};

function buildTable(): ReadonlyMap<string, InstanceClassInfo> {
  const table = new Map<string, InstanceClassInfo>();
  for (const family of ['t3', 't4g']) {
    for (const [size, info] of Object.entries(BURSTABLE)) table.set(`db.${family}.${size}`, info);
  }
  for (const [family, { gibPerVcpu, sizes }] of Object.entries(FAMILIES)) {
    for (const size of sizes) {
      const vcpus = XLARGE_VCPUS[size]!;
      table.set(`db.${family}.${size}`, { memoryGiB: vcpus * gibPerVcpu, vcpus });
    }
  }
  return table;
}

export const INSTANCE_CLASSES: ReadonlyMap<string, InstanceClassInfo> = buildTable();

export function instanceClassInfo(instanceClass: string | undefined): InstanceClassInfo | undefined {
  return instanceClass ? INSTANCE_CLASSES.get(instanceClass.toLowerCase()) : undefined;
}

export function classMemoryBytes(info: InstanceClassInfo): number {
  return info.memoryGiB * GIB;
}
