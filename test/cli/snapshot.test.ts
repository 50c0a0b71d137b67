import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeDBClustersCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  DescribeGlobalClustersCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';

const rds = mockClient(RDSClient);
const cloudwatch = mockClient(CloudWatchClient);

beforeEach(() => {
  rds.reset();
  cloudwatch.reset();
  rds.on(DescribeDBInstancesCommand).resolves({
    DBInstances: [
      { DBInstanceIdentifier: 'orders', Engine: 'mysql', DBInstanceClass: 'db.r6g.large', InstanceCreateTime: new Date('2026-01-01T00:00:00Z') },
      {
        DBInstanceIdentifier: 'orders-ro',
        Engine: 'mysql',
        DBInstanceClass: 'db.r6g.large',
        ReadReplicaSourceDBInstanceIdentifier: 'orders',
        StatusInfos: [{ StatusType: 'read replication', Normal: true, Status: 'replicating' }],
      },
    ],
  });
  rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
  rds.on(DescribeGlobalClustersCommand).resolves({ GlobalClusters: [] });
  rds.on(DescribeDBInstanceAutomatedBackupsCommand).resolves({ DBInstanceAutomatedBackups: [] });
  cloudwatch.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: { Id: string; MetricStat: { Metric: { MetricName: string } } }[]; EndTime: Date }) => ({
    MetricDataResults: input.MetricDataQueries.filter((q) => q.MetricStat.Metric.MetricName === 'ReplicaLag').map((q) => ({
      Id: q.Id,
      StatusCode: 'Complete',
      Timestamps: [0, 1, 2, 3, 4].map((i) => new Date(new Date(input.EndTime).getTime() - (4 - i) * 60_000)),
      Values: [400, 410, 420, 430, 440],
    })),
  }));
});

afterEach(() => {
  rds.reset();
  cloudwatch.reset();
});

describe('replguard snapshot', () => {
  it('captures a live fleet into a file that check evaluates offline to the same verdict', async () => {
    // Prepare
    const out = join(mkdtempSync(join(tmpdir(), 'replguard-')), 'fleet.json');

    // Act
    const capture = await runCli(['snapshot', '--regions', 'us-east-1', '--out', out]);
    const offline = await runCli(['check', '--snapshot', out, '--format', 'json']);
    const live = await runCli(['check', '--regions', 'us-east-1', '--format', 'json']);

    // Assess
    expect(capture.code).toBe(0);
    expect(capture.stderr).toContain(`Wrote ${out}`);
    const org = JSON.parse(readFileSync(out, 'utf8'));
    expect(org.format).toBe('replguard-snapshot/v2');
    // The mocked instances carry no ARN: the account is the documented placeholder.
    expect(Object.keys(org.accounts)).toEqual(['000000000000']);
    const file = org.accounts['000000000000'];
    expect(file.regions['us-east-1'].dbInstances[0].InstanceCreateTime).toBe('2026-01-01T00:00:00.000Z');
    expect(existsSync(`${out}.partial`)).toBe(false);
    // Everything any check could need, whatever the config enables.
    expect(rds.commandCalls(DescribeDBInstanceAutomatedBackupsCommand)).toHaveLength(1);
    expect(file.regions['us-east-1'].dbParameters).toEqual({});

    expect(offline.code).toBe(1);
    const report = JSON.parse(offline.stdout);
    expect(report.findings.map((f: { code: string; resource: string }) => `${f.code} ${f.resource}`)).toContain('REPLICA_LAG_HIGH orders-ro');
    expect(live.code).toBe(1);
    expect(JSON.parse(live.stdout).replicas).toEqual(report.replicas);
  });

  it('requires --out', async () => {
    const result = await runCli(['snapshot', '--regions', 'us-east-1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--out FILE is required');
  });

  it('records a region that fails and still writes the others, warning on stderr', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'replguard-')), 'fleet.json');
    rds.on(DescribeDBInstancesCommand).callsFake(async function (this: unknown, _input: unknown, getClient: () => RDSClient) {
      const region = await getClient().config.region();
      if (region === 'eu-west-1') throw Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
      return { DBInstances: [{ DBInstanceIdentifier: 'orders', Engine: 'mysql' }] };
    });

    const result = await runCli(['snapshot', '--regions', 'us-east-1,eu-west-1', '--out', out]);

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('eu-west-1: rds:DescribeDBInstances failed: not authorized');
    const file = JSON.parse(readFileSync(out, 'utf8')).accounts['000000000000'];
    expect(file.regions['us-east-1'].dbInstances).toHaveLength(1);
    expect(file.regions['eu-west-1'].errors[0]).toMatchObject({ operation: 'rds:DescribeDBInstances' });
  });

  it('says plainly that there are no credentials, exit 2, instead of reporting the fleet as degraded', async () => {
    const missing = Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    rds.rejects(missing);
    cloudwatch.rejects(missing);

    const result = await runCli(['check', '--regions', 'us-east-1,eu-west-1']);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('No AWS credentials found');
    expect(result.stderr).toContain('--profile');
  });
});

