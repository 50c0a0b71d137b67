import { describe, expect, it } from 'vitest';
import { readProbeEnvironment } from '../../lambdas/probe/env';

const CONFIG = JSON.stringify({
  probes: {
    vpcs: [{ name: 'app', vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] }],
    targets: [{ match: { identifier: 'orders*' }, vpc: 'app', credentials: { iamUser: 'replguard_probe' } }],
  },
});
const ENV = {
  REPLGUARD_CONFIG_FILE: 'replguard.config.json',
  ALERT_TABLE_NAME: 'alerts',
  PROBE_VPC: 'app',
  PROBE_CA_BUNDLE_FILE: '/var/runtime/ca-cert.pem',
  AWS_REGION: 'eu-west-1',
};
const files = (text: string) => (file: string) => {
  if (file !== 'replguard.config.json') throw new Error(`ENOENT: ${file}`);
  return text;
};

describe('readProbeEnvironment', () => {
  it('reads the VPC, table, region and CA file', () => {
    const env = readProbeEnvironment(ENV, files(CONFIG));
    expect(env).toMatchObject({ vpc: 'app', tableName: 'alerts', region: 'eu-west-1', caBundleFile: '/var/runtime/ca-cert.pem' });
    expect(env.probes.targets).toHaveLength(1);
  });

  it('names the variable that is missing or wrong', () => {
    expect(() => readProbeEnvironment({ ...ENV, PROBE_VPC: 'data' }, files(CONFIG))).toThrow('PROBE_VPC "data" is not a VPC in the config\'s probes.vpcs.');
    expect(() => readProbeEnvironment({ ...ENV, ALERT_TABLE_NAME: ' ' }, files(CONFIG))).toThrow('Environment variable ALERT_TABLE_NAME is not set.');
    expect(() => readProbeEnvironment({ ...ENV, PROBE_CA_BUNDLE_FILE: '../ca.pem' }, files(CONFIG))).toThrow(/PROBE_CA_BUNDLE_FILE must be a file name/);
    expect(() => readProbeEnvironment(ENV, files('{"probes": {"vpcs": []}}'))).toThrow(/probes\.vpcs: must list at least one VPC/);
  });
});
