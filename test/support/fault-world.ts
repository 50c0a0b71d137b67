/**
 * A small replicated MySQL fleet behind the local AWS endpoint (RDS describe calls, CloudWatch
 * GetMetricData/PutMetricData, SNS Publish), with faults a test switches on and off between
 * check runs, and a proxy in front of dynalite that can fail or hold individual DynamoDB calls.
 *
 * The fleet: `orders` (us-east-1, tagged as needing DR), its same-region replica `orders-ro`
 * and its cross-region replica `orders-dr` (us-west-2).
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  cloudwatchError,
  cloudwatchResponse,
  rdsError,
  stsError,
  rdsResponse,
  startLocalAwsEndpoint,
  type LocalAwsEndpoint,
  type RecordedRequest,
  type Reply,
} from './local-aws-endpoint';
import { queriesOf } from './live-aws-fleet';
import { accountOfRole, assumeRoleReply } from './live-aws-org';

export const ACCOUNT = '123456789012';
export const TOPIC_ARN = `arn:aws:sns:us-east-1:${ACCOUNT}:replication-guard-alerts`;

export interface WorldInstance {
  readonly id: string;
  readonly region: string;
  /** Source instance id (same region) or `id@region` for a cross-region source. */
  readonly source?: string;
  readonly tags?: Readonly<Record<string, string>>;
  /** The account it lives in. @default ACCOUNT (the deploying account) */
  readonly account?: string;
  /** The read replication status; `replicating` when omitted on a replica. */
  status?: 'replicating' | 'error' | 'stopped';
  /** Its DB parameter group. @default 'default.mysql8.0' */
  readonly parameterGroup?: string;
}

/** A fault an SNS Publish answers with: an error code (SNS's Query protocol) or a hold until released. */
export type SnsFault = { readonly status: number; readonly code: string; readonly message: string } | 'hold';

export interface SentMessage {
  readonly subject: string;
  readonly email: string;
  readonly sms: string;
  /** The message attributes, by name: what SNS matches subscription filter policies against. */
  readonly attributes: Readonly<Record<string, string>>;
  /** One entry per alert named in the email: "NEW REPLICATION_BROKEN orders-ro". */
  readonly news: readonly string[];
}

const SNS_NS = 'https://sns.amazonaws.com/doc/2010-03-31/';
const HEADINGS: Record<string, string> = {
  NEW: 'NEW',
  ESCALATED: 'ESCALATED',
  'STILL OPEN': 'STILL',
  RESOLVED: 'RESOLVED',
  'GONE (deleted)': 'GONE',
};

/** The alerts an email names, by section: "NEW CODE resource", "RESOLVED CODE resource", ... */
export function newsOf(email: string): string[] {
  const out: string[] = [];
  let section: string | undefined;
  for (const line of email.split('\n')) {
    const heading = /^== (.+?)(?: \(reminder[^)]*\))? \(\d+\) ==$/.exec(line);
    if (heading) {
      section = HEADINGS[heading[1]!];
      continue;
    }
    const entry = /^-? ?\[[A-Z]+\] ([A-Z_]+) on (\S+) \(/.exec(line);
    if (entry && section) out.push(`${section} ${entry[1]} ${entry[2]}`);
  }
  return out;
}

/** `MessageAttributes.entry.N.Name` / `.Value.StringValue` pairs of a Query-protocol Publish. */
function messageAttributesOf(form: URLSearchParams): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (let n = 1; form.has(`MessageAttributes.entry.${n}.Name`); n++) {
    attributes[form.get(`MessageAttributes.entry.${n}.Name`)!] = form.get(`MessageAttributes.entry.${n}.Value.StringValue`) ?? '';
  }
  return attributes;
}

export class FaultWorld {
  readonly instances = new Map<string, WorldInstance>();
  /** Lag in seconds by replica id (0 when not set). */
  readonly lag = new Map<string, number>();
  /**
   * User-set values of DB parameter groups by `account:group` (DescribeDBParameters answers them
   * with Source `user`); a group not listed has none.
   */
  readonly parameterGroups = new Map<string, Readonly<Record<string, string>>>();
  /** Regions whose RDS calls all answer ThrottlingException. */
  readonly throttled = new Set<string>();
  /** When set, CloudWatch PutMetricData fails with a 500. */
  putMetricDataFails = false;
  /** Answers to the next SNS Publish calls, in order; then success. */
  readonly snsFaults: SnsFault[] = [];
  /** Messages SNS accepted (answered 200). */
  readonly sent: SentMessage[] = [];
  /** Publish requests received, accepted or not. */
  publishAttempts = 0;
  /** Fleet reads started (first DescribeDBInstances page in us-east-1). */
  reads = 0;
  /** Called once a fleet read has been answered (before the answer is sent); may hold the run there. */
  onRead: () => Promise<void> | void = () => undefined;
  private held: (() => void)[] = [];
  /** Resolves once a Publish is being held. */
  private heldWaiters: (() => void)[] = [];
  /** The virtual time of the check, for the metric series. */
  now: () => Date = () => new Date();

  constructor() {
    this.add({ id: 'orders', region: 'us-east-1', tags: { 'replguard:dr': 'required' } });
    this.add({ id: 'orders-ro', region: 'us-east-1', source: 'orders' });
    this.add({ id: 'orders-dr', region: 'us-west-2', source: 'orders@us-east-1' });
  }

  /** Member accounts whose role refuses AssumeRole (STS AccessDenied). */
  readonly deniedAccounts = new Set<string>();

  /** Instances of a member account are keyed `account:id`, the deploying account's by id. */
  add(instance: WorldInstance): void {
    const key = instance.account && instance.account !== ACCOUNT ? `${instance.account}:${instance.id}` : instance.id;
    this.instances.set(key, { ...instance });
  }

  /** The account whose credentials signed a request: assumed-role keys name it (see assumeRoleReply). */
  accountOf(r: RecordedRequest): string {
    return /^ASIA(\d{12})S/.exec(r.accessKeyId)?.[1] ?? ACCOUNT;
  }

  get(id: string): WorldInstance {
    const found = this.instances.get(id);
    if (!found) throw new Error(`no instance ${id} in the world`);
    return found;
  }

  /** Lets every held Publish go on (answering it with an error: the invocation that made it is gone). */
  releaseHeld(): void {
    for (const release of this.held.splice(0)) release();
  }

  /** Resolves once a Publish is held. */
  publishHeld(): Promise<void> {
    return new Promise((resolve) => this.heldWaiters.push(resolve));
  }

  private arn(i: WorldInstance) {
    return `arn:aws:rds:${i.region}:${i.account ?? ACCOUNT}:db:${i.id}`;
  }

  private instanceXml(i: WorldInstance): string {
    const source = i.source ? this.sourceOf(i) : undefined;
    // Read replicas never span accounts: only this account's replicas are listed.
    const replicas = [...this.instances.values()].filter(
      (r) => r.source && (r.account ?? ACCOUNT) === (i.account ?? ACCOUNT) && this.sourceOf(r)?.id === i.id,
    );
    const tags = Object.entries(i.tags ?? {})
      .map(([k, v]) => `<Tag><Key>${k}</Key><Value>${v}</Value></Tag>`)
      .join('');
    const status = i.source
      ? `<StatusInfos><DBInstanceStatusInfo><StatusType>read replication</StatusType><Normal>${(i.status ?? 'replicating') === 'replicating'}</Normal>` +
        `<Status>${i.status ?? 'replicating'}</Status>${i.status === 'error' ? '<Message>Error 1062: duplicate entry</Message>' : ''}</DBInstanceStatusInfo></StatusInfos>`
      : '';
    return (
      `<DBInstance><DBInstanceIdentifier>${i.id}</DBInstanceIdentifier><DBInstanceArn>${this.arn(i)}</DBInstanceArn>` +
      `<DBInstanceClass>db.r6g.large</DBInstanceClass><Engine>mysql</Engine><EngineVersion>8.0.35</EngineVersion>` +
      `<DBInstanceStatus>available</DBInstanceStatus><AllocatedStorage>100</AllocatedStorage><BackupRetentionPeriod>7</BackupRetentionPeriod>` +
      `<DBParameterGroups><DBParameterGroup><DBParameterGroupName>${i.parameterGroup ?? 'default.mysql8.0'}</DBParameterGroupName><ParameterApplyStatus>in-sync</ParameterApplyStatus></DBParameterGroup></DBParameterGroups>` +
      (source ? `<ReadReplicaSourceDBInstanceIdentifier>${source.region === i.region ? source.id : this.arn(source)}</ReadReplicaSourceDBInstanceIdentifier>` : '') +
      `<ReadReplicaDBInstanceIdentifiers>${replicas
        .map((r) => `<ReadReplicaDBInstanceIdentifier>${r.region === i.region ? r.id : this.arn(r)}</ReadReplicaDBInstanceIdentifier>`)
        .join('')}</ReadReplicaDBInstanceIdentifiers>` +
      `<TagList>${tags}</TagList>${status}</DBInstance>`
    );
  }

  private sourceOf(replica: WorldInstance): WorldInstance | undefined {
    if (!replica.source) return undefined;
    const [id, region = replica.region] = replica.source.split('@') as [string, string?];
    const account = replica.account && replica.account !== ACCOUNT ? replica.account : undefined;
    const source = this.instances.get(account ? `${account}:${id}` : id);
    return source && source.region === region ? source : { id, region };
  }

  private async rds(r: RecordedRequest): Promise<Reply> {
    if (this.throttled.has(r.region)) return rdsError(400, 'Throttling', 'Rate exceeded');
    switch (r.operation) {
      case 'DescribeDBInstances': {
        const account = this.accountOf(r);
        const here = [...this.instances.values()].filter((i) => i.region === r.region && (i.account ?? ACCOUNT) === account);
        const reply = rdsResponse('DescribeDBInstances', `<DBInstances>${here.map((i) => this.instanceXml(i)).join('')}</DBInstances>`);
        if (r.region === 'us-east-1' && account === ACCOUNT && !r.form.get('Marker')) {
          this.reads++;
          // After the answer is made: what the hook changes, this read does not see.
          await this.onRead();
        }
        return reply;
      }
      case 'DescribeDBClusters':
        return rdsResponse('DescribeDBClusters', '<DBClusters/>');
      case 'DescribeGlobalClusters':
        return rdsResponse('DescribeGlobalClusters', '<GlobalClusters/>');
      case 'DescribeDBInstanceAutomatedBackups':
        // No instance keeps replicated backups in this world.
        return rdsResponse('DescribeDBInstanceAutomatedBackups', '<DBInstanceAutomatedBackups/>');
      case 'DescribeDBParameters': {
        const values = this.parameterGroups.get(`${this.accountOf(r)}:${r.form.get('DBParameterGroupName')}`) ?? {};
        const parameters = Object.entries(values)
          .map(
            ([name, value]) =>
              `<Parameter><ParameterName>${name}</ParameterName><ParameterValue>${value}</ParameterValue><Source>user</Source>` +
              `<ApplyType>dynamic</ApplyType><DataType>${/^\d+$/.test(value) ? 'integer' : 'string'}</DataType><IsModifiable>true</IsModifiable>` +
              `<ApplyMethod>immediate</ApplyMethod></Parameter>`,
          )
          .join('');
        return rdsResponse('DescribeDBParameters', `<Parameters>${parameters}</Parameters>`);
      }
      default:
        return { status: 400, body: `unexpected RDS ${r.operation}` };
    }
  }

  private cloudwatch(r: RecordedRequest): Reply {
    if (r.operation === 'PutMetricData') {
      return this.putMetricDataFails ? cloudwatchError(500, 'InternalServiceFault', 'InternalServiceError', 'Internal failure', 'Receiver') : cloudwatchResponse({});
    }
    if (r.operation !== 'GetMetricData') return { status: 400, body: `unexpected CloudWatch ${r.operation}` };
    const end = this.now().getTime();
    return cloudwatchResponse({
      MetricDataResults: queriesOf(r).map((q) => {
        const id = q.MetricStat.Metric.Dimensions.find((d) => d.Name === 'DBInstanceIdentifier')?.Value ?? '';
        return {
          Id: q.Id,
          Label: q.MetricStat.Metric.MetricName,
          Timestamps: Array.from({ length: 10 }, (_, i) => (end - (10 - i) * 60_000) / 1000),
          Values: Array.from({ length: 10 }, () => this.lag.get(id) ?? 0),
          StatusCode: 'Complete',
        };
      }),
      Messages: [],
    });
  }

  private async sns(r: RecordedRequest): Promise<Reply> {
    if (r.operation !== 'Publish') return { status: 400, body: `unexpected SNS ${r.operation}` };
    this.publishAttempts++;
    const fault = this.snsFaults.shift();
    if (fault === 'hold') {
      await new Promise<void>((resolve) => {
        this.held.push(resolve);
        for (const w of this.heldWaiters.splice(0)) w();
      });
      return { status: 500, body: 'connection lost' };
    }
    if (fault) {
      return {
        status: fault.status,
        headers: { 'content-type': 'text/xml' },
        body: `<ErrorResponse xmlns="${SNS_NS}"><Error><Type>Sender</Type><Code>${fault.code}</Code><Message>${fault.message}</Message></Error><RequestId>f1</RequestId></ErrorResponse>`,
      };
    }
    const structured = JSON.parse(r.form.get('Message') ?? '{}') as { email?: string; sms?: string };
    const email = structured.email ?? '';
    this.sent.push({ subject: r.form.get('Subject') ?? '', email, sms: structured.sms ?? '', attributes: messageAttributesOf(r.form), news: newsOf(email) });
    return {
      headers: { 'content-type': 'text/xml' },
      body:
        `<PublishResponse xmlns="${SNS_NS}"><PublishResult><MessageId>m-${this.sent.length}</MessageId></PublishResult>` +
        `<ResponseMetadata><RequestId>p-${this.sent.length}</RequestId></ResponseMetadata></PublishResponse>`,
    };
  }

  /** The local endpoint serving this world: RDS and SNS (Query protocol), CloudWatch (JSON 1.0). */
  start(): Promise<LocalAwsEndpoint> {
    return startLocalAwsEndpoint((r) => {
      const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(r.headers.authorization ?? '')?.[1];
      if (scope === 'sns') return this.sns(r);
      if (r.service === 'cloudwatch') return this.cloudwatch(r);
      if (r.service === 'rds') return this.rds(r);
      if (r.service === 'sts' && r.operation === 'AssumeRole') {
        const account = accountOfRole(r.form.get('RoleArn'));
        if (this.deniedAccounts.has(account)) return stsError(403, 'AccessDenied', `User is not authorized to perform: sts:AssumeRole on resource: ${r.form.get('RoleArn')}`);
        return assumeRoleReply(account, new Date(this.now().getTime() + 3_600_000));
      }
      return { status: 400, body: `unexpected service ${scope}` };
    });
  }
}

/* ---------- DynamoDB: a proxy in front of dynalite that can fail or hold a call ---------- */

export interface DynamoCall {
  /** DynamoDB_20120810.<Operation> */
  readonly operation: string;
  readonly body: Record<string, unknown>;
}

/** What to do with a call: undefined forwards it; a reply answers it instead; a promise holds it first. */
export type DynamoHook = (call: DynamoCall) => Promise<DynamoReply | undefined> | DynamoReply | undefined;
export interface DynamoReply {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

export interface DynamoProxy {
  readonly url: string;
  hook: DynamoHook;
  close(): Promise<void>;
}

export async function startDynamoProxy(target: string): Promise<DynamoProxy> {
  const proxy: DynamoProxy = { url: '', hook: () => undefined, close: async () => undefined };
  const upstream = new URL(target);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks);
        const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
        const reply = await proxy.hook({ operation, body: raw.length ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {} });
        if (reply) {
          res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.0' });
          res.end(JSON.stringify({ __type: `com.amazonaws.dynamodb.v20120810#${reply.type}`, message: reply.message }));
          return;
        }
        const forward = httpRequest(
          { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
          (answer) => {
            res.writeHead(answer.statusCode ?? 500, answer.headers);
            answer.pipe(res);
          },
        );
        forward.on('error', (error) => {
          res.writeHead(502);
          res.end(error.message);
        });
        forward.end(raw);
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(proxy, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
