import { DynamoDBClient, PutItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { Signer } from '@aws-sdk/rds-signer';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { ProbeResultsStore } from '../../lambdas/aws/probe-results-store';
import { parseConfig } from '../../lambdas/core/config';
import type { DbInstance } from '../../lambdas/core/fleet/model';
import { runDeployedProbe, type DeployedProbeDependencies } from '../../lambdas/probe/deployed';
import type { ProbeDriver } from '../../lambdas/probe/drivers/types';
import type { ProbeTarget } from '../../lambdas/probe/targets';
import { NOW, NOW_DATE } from '../support/fleet';

const PASSWORD = 'S3cr"et\\pa55-never-shown';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:rds!db-orders-AbCdEf';
const probes = parseConfig({
  probes: {
    vpcs: [{ name: 'app', vpcId: 'vpc-0123456789abcdef0', subnetIds: ['subnet-0123456789abcdef0'], securityGroupIds: ['sg-0123456789abcdef0'] }],
    targets: [
      { match: { identifier: 'orders*' }, vpc: 'app', credentials: { secretArn: SECRET_ARN } },
      { match: { tags: { probe: 'iam' } }, vpc: 'app', credentials: { iamUser: 'replguard_probe' } },
    ],
  },
}).probes!;

const db = (id: string, over: Partial<DbInstance> = {}): DbInstance => ({
  DBInstanceIdentifier: id,
  Engine: 'postgres',
  DBInstanceStatus: 'available',
  Endpoint: { Address: `${id}.abc123.us-east-1.rds.amazonaws.com`, Port: 5432 },
  ...over,
});

/** A driver that reaches `orders` and fails everything else the way a careless driver might: the password in the message. */
function driver(seen: ProbeTarget[]): ProbeDriver {
  return {
    async connect(target) {
      seen.push(target);
      if (target.name !== 'orders') throw Object.assign(new Error(`password authentication failed for user "${target.user}" with password ${target.password}`), { code: '28P01' });
      return {
        roleInfo: async () => ({ role: 'source', serverId: 7, version: 'PostgreSQL 16' }),
        writeHeartbeat: async () => undefined,
        readHeartbeat: async () => ({ serverId: 7, ts: NOW }),
        close: async () => undefined,
      };
    },
    classify: (error, stage) => ({ kind: 'auth', stage, message: (error as Error).message, code: '28P01' }),
  };
}

function harness(instances: DbInstance[]) {
  const secrets = mockClient(SecretsManagerClient);
  secrets.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: JSON.stringify({ username: 'replguard', password: PASSWORD, engine: 'postgres' }) });
  const dynamo = new DynamoDBClient({ region: 'us-east-1' });
  const dynamoMock = mockClient(dynamo);
  dynamoMock.on(PutItemCommand).resolves({});
  const client = new SecretsManagerClient({ region: 'us-east-1' });
  const signer = (host: string, port: number, user: string) =>
    new Signer({ hostname: host, port, username: user, region: 'us-east-1', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' } }).getAuthToken();
  const tokens: string[] = [];
  const lines: string[] = [];
  const seen: ProbeTarget[] = [];
  const deps: DeployedProbeDependencies = {
    listInstances: async () => instances,
    secretString: async (arn) => (await client.send(new GetSecretValueCommand({ SecretId: arn }))).SecretString!,
    iamToken: async (host, port, user) => {
      const token = await signer(host, port, user);
      tokens.push(token);
      return token;
    },
    writeResults: (record) => new ProbeResultsStore(dynamo, 'alerts').write(record),
    logger: { info: (...a) => lines.push(JSON.stringify(a)), warn: (...a) => lines.push(JSON.stringify(a)) },
    now: () => NOW_DATE,
    drivers: { postgres: driver(seen), mysql: driver(seen), mariadb: driver(seen) },
  };
  const written = () => dynamoMock.commandCalls(PutItemCommand).map((c) => c.args[0].input.Item as Record<string, AttributeValue>);
  return { deps, written, lines, tokens, seen, secrets };
}

const settings = { probes, vpc: 'app', region: 'us-east-1', caBundleFile: '/var/task/rds-ca-bundle.pem' };

describe('the deployed probe run', () => {
  it('probes the matched databases with verified TLS and writes one record for the VPC', async () => {
    // Prepare
    const h = harness([db('orders'), db('orders-ro', { ReadReplicaSourceDBInstanceIdentifier: 'orders' }), db('billing'), db('legacy', { Engine: 'sqlserver-se' })]);
    // Act
    const outcome = await runDeployedProbe(settings, h.deps);
    // Assess
    expect(outcome).toEqual({ targets: 2, failures: 1, skipped: 0 });
    expect(h.seen.map((t) => [t.name, t.user, t.tls, t.tlsCaFile, t.role ?? null])).toEqual(
      expect.arrayContaining([
        ['orders', 'replguard', 'verify', '/var/task/rds-ca-bundle.pem', 'source'],
        ['orders-ro', 'replguard', 'verify', '/var/task/rds-ca-bundle.pem', 'replica'],
      ]),
    );
    const item = h.written()[0]!;
    expect(item).toMatchObject({ pk: { S: 'probe-results' }, sk: { S: 'app' }, ranAt: { S: NOW_DATE.toISOString() } });
    const observations = JSON.parse(item.observations!.S!) as { target: string; failure?: { kind: string } }[];
    expect(observations.map((o) => [o.target, o.failure?.kind ?? 'ok'])).toEqual([['orders', 'ok'], ['orders-ro', 'auth']]);
  });

  it('never writes or logs the password, even when the driver put it in its error', async () => {
    // Prepare
    const h = harness([db('orders'), db('orders-ro')]);
    // Act
    await runDeployedProbe(settings, h.deps);
    // Assess
    const item = JSON.stringify(h.written());
    expect(item).toContain('password authentication failed');
    expect(item).not.toContain('S3cr');
    expect(h.lines.join('\n')).not.toContain('S3cr');
  });

  it('uses an IAM token for IAM users, and neither the token nor its signature reaches the record or the logs', async () => {
    // Prepare
    const h = harness([db('billing', { TagList: [{ Key: 'probe', Value: 'iam' }] })]);
    // Act
    await runDeployedProbe(settings, h.deps);
    // Assess
    expect(h.tokens).toHaveLength(1);
    expect(h.seen[0]).toMatchObject({ user: 'replguard_probe', password: h.tokens[0] });
    const signature = /X-Amz-Signature=([0-9a-f]+)/.exec(h.tokens[0]!)![1]!;
    expect(JSON.stringify(h.written())).not.toContain(signature);
    expect(h.lines.join('\n')).not.toContain(signature);
  });

  it('a secret that is not the RDS shape is a named credentials failure that shows none of its content', async () => {
    // Prepare
    const h = harness([db('orders')]);
    h.secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ user: 'x', pass: PASSWORD }) });
    // Act
    await runDeployedProbe(settings, h.deps);
    // Assess
    const observations = JSON.parse(h.written()[0]!.observations!.S!) as { failure?: { stage: string; message: string } }[];
    expect(observations[0]!.failure).toMatchObject({ stage: 'credentials', message: `secret ${SECRET_ARN} has no string "username" and "password"` });
    expect(JSON.stringify(h.written())).not.toContain('S3cr');
  });
});

describe('the deployed probe run with nothing to probe', () => {
  it('says so in its log and still writes the (empty) record', async () => {
    const h = harness([db('billing')]);
    await runDeployedProbe(settings, h.deps);
    expect(h.lines.join('\n')).toContain("No database of this region matches the VPC's probes.targets");
    expect(JSON.parse(h.written()[0]!.observations!.S!)).toEqual([]);
  });
});
