import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  DescribeDBClustersCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  DescribeGlobalClustersCommand,
  RDSClient,
} from '@aws-sdk/client-rds';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli';

const ME = '111111111111';
const PROD = '222222222222';
const DEV = '333333333333';
const sts = mockClient(STSClient);
const organizations = mockClient(OrganizationsClient);
const rds = mockClient(RDSClient);
const cloudwatch = mockClient(CloudWatchClient);
const env = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_EC2_METADATA_DISABLED: 'true' };

beforeEach(() => {
  for (const m of [sts, organizations, rds, cloudwatch]) m.reset();
  sts.on(GetCallerIdentityCommand).resolves({ Account: ME, Arn: `arn:aws:iam::${ME}:user/alice`, UserId: 'AIDAEXAMPLE' });
  sts.on(AssumeRoleCommand).callsFake((input: AssumeRoleCommandInput) => ({
    Credentials: {
      AccessKeyId: `ASIA${input.RoleArn!.split(':')[4]}`,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(Date.now() + 3_600_000),
    },
  }));
  rds.on(DescribeDBInstancesCommand).resolves({
    DBInstances: [
      { DBInstanceIdentifier: 'orders', Engine: 'mysql', DBInstanceClass: 'db.r6g.large' },
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
  cloudwatch.on(GetMetricDataCommand).callsFake((input: { MetricDataQueries: { Id: string }[]; EndTime: Date }) => ({
    MetricDataResults: input.MetricDataQueries.map((q) => ({
      Id: q.Id,
      StatusCode: 'Complete',
      Timestamps: [new Date(new Date(input.EndTime).getTime() - 60_000)],
      Values: [1],
    })),
  }));
});

afterEach(() => {
  for (const m of [sts, organizations, rds, cloudwatch]) m.reset();
});

const assumedRoles = () => sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn);

describe('replguard check and snapshot across accounts', () => {
  it('--accounts with --role-name reads each listed account through that role, and not the caller\'s own account', async () => {
    // Act
    const result = await runCli(['check', '--accounts', `${PROD},${DEV}`, '--role-name', 'PlatformReader', '--regions', 'us-east-1', '--format', 'json'], env);

    // Assess
    expect(result.stderr).toContain(`Reading 2 accounts as ${ME}: ${PROD}, ${DEV}`);
    expect(assumedRoles().sort()).toEqual([`arn:aws:iam::${PROD}:role/PlatformReader`, `arn:aws:iam::${DEV}:role/PlatformReader`]);
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(2);
    const report = JSON.parse(result.stdout);
    expect(report.summary.replicas).toBe(2);
    expect(result.code).toBe(0);
  });

  it('an account whose role cannot be assumed is CHECK_DEGRADED in its regions; the other account is still checked', async () => {
    // Prepare
    sts.on(AssumeRoleCommand, { RoleArn: `arn:aws:iam::${DEV}:role/ReplicationGuardReader` }).rejects(
      Object.assign(new Error(`User: arn:aws:iam::${ME}:user/alice is not authorized to perform: sts:AssumeRole`), { name: 'AccessDenied' }),
    );

    // Act
    const result = await runCli(['check', '--accounts', `${PROD},${DEV}`, '--regions', 'us-east-1,eu-west-1', '--format', 'json'], env);

    // Assess
    const report = JSON.parse(result.stdout);
    const degraded = report.findings.filter((f: { code: string }) => f.code === 'CHECK_DEGRADED');
    expect(degraded.map((f: { region: string }) => f.region).sort()).toEqual(['eu-west-1', 'us-east-1']);
    expect(JSON.stringify(degraded)).toContain('sts:AssumeRole');
    expect(report.summary.replicas).toBe(2); // orders-ro in each of the readable account's two regions
    expect(result.stderr).toContain(`${DEV}: sts:AssumeRole failed (AccessDenied)`);
  });

  it('--organization lists the organization from its roots, skips suspended accounts and reads the caller\'s account with its own credentials', async () => {
    // Prepare
    organizations.on(ListRootsCommand).resolves({ Roots: [{ Id: 'r-ab12', Name: 'Root' }] });
    organizations.on(ListAccountsForParentCommand).resolves({
      Accounts: [
        { Id: ME, Name: 'management', State: 'ACTIVE' },
        { Id: PROD, Name: 'prod', State: 'ACTIVE' },
        { Id: DEV, Name: 'old-sandbox', State: 'SUSPENDED' },
      ],
    });
    organizations.on(ListOrganizationalUnitsForParentCommand).resolves({ OrganizationalUnits: [] });

    // Act
    const result = await runCli(['check', '--organization', '--regions', 'us-east-1', '--format', 'json'], env);

    // Assess
    expect(result.stderr).toContain(`skipped account ${DEV} (old-sandbox): SUSPENDED in AWS Organizations`);
    expect(assumedRoles()).toEqual([`arn:aws:iam::${PROD}:role/ReplicationGuardReader`]);
    expect(rds.commandCalls(DescribeDBInstancesCommand)).toHaveLength(2);
    expect(result.code).toBe(0);
  });

  it('--organization outside the management account says where to run it, exit 2', async () => {
    // Prepare
    const config = join(mkdtempSync(join(tmpdir(), 'replguard-')), 'replguard.json');
    writeFileSync(config, JSON.stringify({ organization: { ouIds: ['ou-ab12-cdef3456'] } }));
    organizations.on(ListAccountsForParentCommand).rejects(Object.assign(new Error('You don\'t have permissions to access this resource.'), { name: 'AccessDeniedException' }));

    // Act
    const result = await runCli(['check', '--organization', '--config', config, '--regions', 'us-east-1'], env);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('organizations:ListAccountsForParent on ou-ab12-cdef3456 failed (AccessDeniedException)');
    expect(result.stderr).toContain('management account or a delegated administrator');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('snapshot --accounts writes every account into one replguard-snapshot/v2 file', async () => {
    // Prepare
    const out = join(mkdtempSync(join(tmpdir(), 'replguard-')), 'org.json');

    // Act
    const result = await runCli(['snapshot', '--accounts', `${ME},${PROD}`, '--regions', 'us-east-1', '--out', out], env);

    // Assess
    expect(result.code).toBe(0);
    const file = JSON.parse(readFileSync(out, 'utf8'));
    expect(file.format).toBe('replguard-snapshot/v2');
    expect(Object.keys(file.accounts)).toEqual([ME, PROD]);
    expect(file.accounts[PROD].regions['us-east-1'].dbInstances).toHaveLength(2);
    // The caller's own account is read with its own credentials.
    expect(assumedRoles()).toEqual([`arn:aws:iam::${PROD}:role/ReplicationGuardReader`]);
  });

  it.each([
    [['--accounts', '12345,222222222222'], '--accounts: "12345" is not a 12-digit AWS account id'],
    [['--accounts', ','], '--accounts needs at least one 12-digit account id'],
    [['--accounts', PROD, '--role-name', 'team/reader'], '--role-name: "team/reader" is not an IAM role name'],
    [['--accounts', PROD, '--organization'], '--accounts and --organization cannot be combined'],
    [['--role-name', 'Reader'], '--role-name needs --accounts or --organization'],
    [['--snapshot', 'fleet.json', '--accounts', PROD], '--snapshot reads a file: it cannot be combined with'],
  ])('rejects %j before any AWS call, naming the flag', async (args, message) => {
    // Act
    const result = await runCli(['check', '--regions', 'us-east-1', ...args], env);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(sts.calls()).toHaveLength(0);
  });
});
