import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { regionDataFromInstalledSdk } from '../../../bin/update-aws-regions';
import { ConfigError, parseConfig } from '../../../lambdas/core/config';
import { REGION_DATA, isKnownRegion, regionProblem } from '../../../lambdas/core/shared/regions';
import { SnapshotError, parseSnapshot, parseSnapshotText } from '../../../lambdas/core/fleet/snapshot';

const snapshotWith = (region: string) => ({
  format: 'replguard-snapshot/v1',
  capturedAt: '2026-11-24T10:00:00Z',
  regions: { [region]: {} },
});

const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
};

describe('regions', () => {
  it('accept ap-southeast-6 (New Zealand) in a config and in a snapshot', () => {
    expect(parseConfig({ regions: ['ap-southeast-6', 'eu-west-1'] }, 'c.json').regions).toEqual(['ap-southeast-6', 'eu-west-1']);
    expect(Object.keys(parseSnapshot(snapshotWith('ap-southeast-6'), 'fleet.json').regions)).toEqual(['ap-southeast-6']);
  });

  it('reject us-east-9x in a config, naming the file, the key and the value', () => {
    const message = errorOf(() => parseConfig({ regions: ['us-east-1', 'us-east-9x'] }, 'replguard.json'));

    expect(message).toContain('Invalid config in replguard.json');
    expect(message).toMatch(/regions\.1: is not a known AWS region: not a region name .*\(got "us-east-9x"\)/);
    expect(() => parseConfig({ regions: ['us-east-9x'] }, 'c.json')).toThrow(ConfigError);
  });

  it('reject us-east-9x in a snapshot with the same message, naming the file and the key', () => {
    const message = errorOf(() => parseSnapshotText(JSON.stringify(snapshotWith('us-east-9x')), 'fleet.json'));

    expect(message).toContain('Invalid replguard-snapshot/v1 file fleet.json');
    expect(message).toMatch(/regions\.us-east-9x: key is not a known AWS region: not a region name .*\(got "us-east-9x"\)/);
    expect(message).not.toContain('Invalid key in record');
    expect(() => parseSnapshot(snapshotWith('us-east-9x'))).toThrow(SnapshotError);
  });

  it('explain a well-formed name the SDK data does not list as a region newer than this release', () => {
    const problem = regionProblem('eu-west-9');

    expect(problem).toContain('has the form of an aws region');
    expect(problem).toContain('npm run update-regions');
    expect(regionProblem('us-gov-west-1')).toBeUndefined();
    expect(regionProblem('cn-northwest-1')).toBeUndefined();
  });

  it('never accept the SDK\'s pseudo-regions', () => {
    expect(isKnownRegion('aws-global')).toBe(false);
    expect(isKnownRegion('aws-us-gov-global')).toBe(false);
  });

  it('are the installed AWS SDK\'s list: run "npm run update-regions" after an SDK update', () => {
    const committed = JSON.parse(readFileSync('lambdas/core/shared/aws-regions.json', 'utf8')) as unknown;

    expect(committed).toEqual(regionDataFromInstalledSdk());
    expect(REGION_DATA.partitions.map((p) => p.id)).toContain('aws');
  });
});
