import { describe, expect, it } from 'vitest';
import { compareEqual, resolveValue } from '../../../lambdas/core/rules/drift/values';
import { INSTANCE_CLASSES, compareInstanceClasses, instanceClassInfo } from '../../../lambdas/core/fleet/instance-capacity';

const GIB = 1024 ** 3;

/** The class families of current and previous-generation RDS the rules must know. */
const FAMILIES = [
  't2', 't3', 't4g',
  'm3', 'm4', 'm5', 'm5d', 'm6g', 'm6gd', 'm6i', 'm6id', 'm7g', 'm7i', 'm8g',
  'r3', 'r4', 'r5', 'r5b', 'r5d', 'r6g', 'r6gd', 'r6i', 'r6id', 'r7g', 'r7i', 'r8g',
  'x1', 'x1e', 'x2g', 'x2idn', 'x2iedn', 'z1d',
];

/** Classes seen in real recorded DescribeDBInstances responses, with vCPUs and GiB from the RDS hardware table. */
const KNOWN: readonly (readonly [string, number, number])[] = [
  ['db.t2.micro', 1, 1],
  ['db.t2.medium', 2, 4],
  ['db.t3.micro', 2, 1],
  ['db.t4g.large', 2, 8],
  ['db.m3.medium', 1, 3.75],
  ['db.m3.2xlarge', 8, 30],
  ['db.m4.large', 2, 8],
  ['db.m4.10xlarge', 40, 160],
  ['db.m5d.xlarge', 4, 16],
  ['db.m7i.48xlarge', 192, 768],
  ['db.r3.large', 2, 15.25],
  ['db.r3.8xlarge', 32, 244],
  ['db.r4.16xlarge', 64, 488],
  ['db.r5b.24xlarge', 96, 768],
  ['db.r6gd.16xlarge', 64, 512],
  ['db.r8g.48xlarge', 192, 1536],
  ['db.x1.16xlarge', 64, 976],
  ['db.x1e.32xlarge', 128, 3904],
  ['db.x2g.large', 2, 32],
  ['db.x2idn.24xlarge', 96, 1536],
  ['db.x2iedn.xlarge', 4, 128],
  ['db.z1d.3xlarge', 12, 96],
];

describe('the instance class table', () => {
  it('knows every current and previous-generation family', () => {
    const families = new Set([...INSTANCE_CLASSES.keys()].map((c) => c.split('.')[1]));

    expect(FAMILIES.filter((f) => !families.has(f))).toEqual([]);
  });

  it.each(KNOWN)('lists %s with %d vCPU and %d GiB', (cls, vcpus, gib) => {
    expect(instanceClassInfo(cls)).toMatchObject({ vcpus, memoryGiB: gib });
  });

  it('gives the drift formulas and the capacity comparison the same figures for every class', () => {
    for (const [cls, info] of INSTANCE_CLASSES) {
      // Prepare
      const env = { instanceClass: cls, engine: 'mysql' };

      // Act
      const vcpu = resolveValue('{DBInstanceVCPU}', env);
      const memory = resolveValue('{DBInstanceClassMemory}', env);
      const self = compareInstanceClasses(cls, cls);

      // Assess
      expect(vcpu, cls).toMatchObject({ kind: 'number', lo: info.vcpus, hi: info.vcpus });
      expect(memory, cls).toMatchObject({ kind: 'number', hi: info.memoryGiB * GIB });
      expect(self.verdict, cls).toBe('ok');
    }
  });

  it('orders sizes within a family and across families by vCPU and memory', () => {
    expect(compareInstanceClasses('db.m4.2xlarge', 'db.m4.xlarge').verdict).toBe('smaller');
    expect(compareInstanceClasses('db.r3.xlarge', 'db.r5.xlarge').verdict).toBe('ok');
    // Same vCPUs, less memory: an m5d cannot carry an r4 of the same size.
    expect(compareInstanceClasses('db.r4.2xlarge', 'db.m5d.2xlarge').detail).toContain('8 vCPU, 32 GiB');
    expect(compareInstanceClasses('db.r4.2xlarge', 'db.m5d.2xlarge').verdict).toBe('smaller');
    expect(compareInstanceClasses('db.m5.large', 'db.t2.2xlarge').verdict).toBe('smaller');
  });
});

describe('an unknown instance class', () => {
  it.each(['db.serverless', 'db.m1.small', 'db.r5.2xlarge.tpc2.mem4x', 'db.r6g.metal', 'db.q9.large'])(
    '%s is not comparable, not even with itself',
    (cls) => {
      expect(instanceClassInfo(cls)).toBeUndefined();
      expect(compareInstanceClasses(cls, cls).verdict).toBe('not-comparable');
      expect(compareInstanceClasses(cls, 'db.r6g.large').verdict).toBe('not-comparable');
      expect(compareInstanceClasses('db.r6g.large', cls).verdict).toBe('not-comparable');
      expect(resolveValue('{DBInstanceVCPU}', { instanceClass: cls })).toMatchObject({ kind: 'unknown' });
    },
  );

  it('says why: serverless capacity follows the ACU range, other classes are missing from the table', () => {
    expect(compareInstanceClasses('db.serverless', 'db.serverless').detail).toContain('ACU range');
    expect(compareInstanceClasses('db.r6g.large', 'db.q9.large').detail).toContain('db.q9.large is not in the instance class table');
    const outcome = compareEqual(resolveValue('{DBInstanceVCPU}', { instanceClass: 'db.serverless' }), resolveValue('2', {}));
    expect(outcome.outcome).toBe('not-comparable');
  });
});
