import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../lambdas/core/config';

const VPC = { name: 'app', vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] };
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-1234-AbCdEf';

const errorOf = (raw: unknown): string => {
  try {
    parseConfig(raw, 'replguard.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('config was accepted');
};

describe('probes config', () => {
  it('is absent by default: no probe is deployed', () => {
    // Act
    const config = parseConfig({});
    // Assess
    expect(config.probes).toBeUndefined();
  });

  it('accepts targets by identifier or tag, with a secret or IAM authentication, and fills the heartbeat table', () => {
    // Act
    const config = parseConfig({
      probes: {
        vpcs: [VPC],
        targets: [
          { match: { identifier: 'orders-*' }, vpc: 'app', credentials: { secretArn: SECRET } },
          { match: { tags: { team: 'billing' } }, vpc: 'app', credentials: { iamUser: 'replguard_probe' }, database: 'billing' },
        ],
      },
    });
    // Assess
    expect(config.probes?.targets[0]?.heartbeat).toBe('replguard.heartbeat');
    expect(config.probes?.targets[1]?.credentials).toEqual({ iamUser: 'replguard_probe' });
  });

  it('names a target whose VPC is not listed', () => {
    const message = errorOf({ probes: { vpcs: [VPC], targets: [{ match: { identifier: 'a' }, vpc: 'data', credentials: { iamUser: 'p' } }] } });
    expect(message).toContain('probes.targets.0.vpc: names no VPC in probes.vpcs (app) (got "data")');
  });

  it('names an unknown key, a bad subnet, a missing match and credentials of neither kind', () => {
    // Act
    const message = errorOf({
      probes: {
        vpcs: [{ ...VPC, subnetIds: ['subnet-x'], port: 5432 }],
        targets: [{ match: {}, vpc: 'app', credentials: { password: 'hunter2' } }],
      },
    });
    // Assess
    expect(message).toContain('probes.vpcs.0: unknown key "port"');
    expect(message).toContain('probes.vpcs.0.subnetIds.0: must be a subnet id (subnet-...)');
    expect(message).toContain('probes.targets.0.match: needs an identifier pattern or at least one tag');
    expect(message).toContain('probes.targets.0.credentials: must be { secretArn[, kmsKeyArn] } or { iamUser }');
  });

  it('rejects two VPCs of one name and a secret that is not an ARN', () => {
    const message = errorOf({
      probes: { vpcs: [VPC, VPC], targets: [{ match: { identifier: 'a' }, vpc: 'app', credentials: { secretArn: 'my-secret' } }] },
    });
    expect(message).toContain('probes.vpcs.1.name: is used by two VPCs');
    expect(message).toContain('probes.targets.0.credentials');
  });
});
