/**
 * The one configuration file shared by the CLI, the CDK app and the Lambdas.
 * Everything has a default, so `{}` is a valid config; anything present is checked strictly:
 * an unknown key, a negative or inverted threshold, an unknown region or a bad pattern fails
 * at load with the key and the value named.
 */
// A namespace import lets esbuild drop the parts of zod the schema does not use (its locales alone are 250 KB).
import * as z from 'zod';
import { DEFAULT_RUNBOOK_BASE_URL, FINDING_CODES } from './findings';
import { partitionOf, regionProblem } from './shared/regions';
import { compilePattern, patternProblem } from './shared/patterns';
import { own, ownRecord } from './shared/records';
import { parseJson } from './shared/text';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export { compilePattern } from './shared/patterns';
import { cadenceProblem, PROFILE_NAMES } from './fleet/cadence';

/** An identifier pattern (see patterns.ts): a glob, or a /regular expression/ of a shape that cannot hang a check. */
export const patternSchema = z.string().superRefine((value, ctx) => {
  const problem = patternProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const regionSchema = z.string().superRefine((region, ctx) => {
  const problem = regionProblem(region);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/**
 * Every number has a range that makes sense, stated in its error: `reminderHours: 1e-300` would
 * send an SMS every run, `criticalSeconds: 1e300` would never alert.
 */
function range(min: number, max: number, unit: string, options: { readonly whole?: boolean } = {}) {
  const message = `must be ${options.whole ? 'a whole number ' : ''}between ${min.toLocaleString('en-US')} and ${max.toLocaleString('en-US')} ${unit}`;
  const base = z.number({ message: `must be a number ${message.slice('must be '.length)}` }).min(min, message).max(max, message);
  return options.whole ? base.refine(Number.isInteger, message) : base;
}

const DAY_SECONDS = 86_400;
const WEEK_SECONDS = 7 * DAY_SECONDS;
/** The largest RDS storage volume: a slot cannot hold back more WAL than that. */
const MAX_STORAGE_BYTES = 64 * 1024 ** 4;

/** Lag thresholds: up to a week, so delayed replicas (MySQL allows a day of delay) still fit. */
const lagSeconds = range(0, WEEK_SECONDS, 'seconds');
/** Datapoints are one a minute, and a check reads at most a day of them. */
const datapoints = range(1, 1440, 'datapoints', { whole: true });

/** Selects databases by identifier pattern and/or tags; every given condition must hold. */
export const matchSchema = z
  .strictObject({
    identifier: patternSchema.optional(),
    tags: ownRecord(z.string().min(1, 'must not be empty'), z.string()).optional(),
  })
  .refine((m) => m.identifier !== undefined || (m.tags !== undefined && Object.keys(m.tags).length > 0), {
    message: 'needs an identifier pattern or at least one tag',
  });
export type Match = z.infer<typeof matchSchema>;

const lagSchema = z
  .strictObject({
    warningSeconds: lagSeconds.default(30),
    criticalSeconds: lagSeconds.default(300),
    /** M: datapoints over the threshold needed to raise a finding... */
    datapointsToAlarm: datapoints.default(3),
    /** ...out of the last N datapoints. */
    evaluationPeriods: datapoints.default(5),
    /** How many minutes of 1-minute datapoints each check reads. */
    windowMinutes: range(1, 1440, 'minutes', { whole: true }).default(15),
  })
  .superRefine((lag, ctx) => {
    if (lag.warningSeconds >= lag.criticalSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['warningSeconds'],
        message: `must be below criticalSeconds (${lag.criticalSeconds})`,
        input: lag.warningSeconds,
      });
    }
    if (lag.datapointsToAlarm > lag.evaluationPeriods) {
      ctx.addIssue({
        code: 'custom',
        path: ['datapointsToAlarm'],
        message: `must not exceed evaluationPeriods (${lag.evaluationPeriods})`,
        input: lag.datapointsToAlarm,
      });
    }
    if (lag.evaluationPeriods > lag.windowMinutes) {
      ctx.addIssue({
        code: 'custom',
        path: ['evaluationPeriods'],
        message: `must not exceed windowMinutes (${lag.windowMinutes}): there are only that many datapoints`,
        input: lag.evaluationPeriods,
      });
    }
  });

const lagOverrideSchema = z
  .strictObject({
    match: matchSchema,
    warningSeconds: lagSeconds.optional(),
    criticalSeconds: lagSeconds.optional(),
  })
  .superRefine((o, ctx) => {
    if (o.warningSeconds !== undefined && o.criticalSeconds !== undefined && o.warningSeconds >= o.criticalSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['warningSeconds'],
        message: `must be below criticalSeconds (${o.criticalSeconds})`,
        input: o.warningSeconds,
      });
    }
    if (o.warningSeconds === undefined && o.criticalSeconds === undefined) {
      ctx.addIssue({ code: 'custom', message: 'needs warningSeconds and/or criticalSeconds' });
    }
  });

const postgresIdleSchema = z.strictObject({
  /**
   * RDS switches WAL segments every 5 minutes, so an idle source's replica never reports more
   * than ~300 s; 10% on top covers the switch's own timing and metric sampling jitter.
   */
  maxLagSeconds: range(0, 3600, 'seconds').default(330),
  /**
   * Mean WAL rate above which the source is busy, not idle. An idle source writes RDS's heartbeat
   * and switches one 64 MiB segment every 5 minutes; twice that, because a window's edges can
   * catch one switch more than its length holds.
   */
  maxSourceWalBytesPerSecond: range(0, 1024 ** 3, 'bytes per second').default(Math.round((2 * 64 * 1024 ** 2) / 300)),
  /** The source's OldestReplicationSlotLag above this contradicts "idle" (WAL is waiting for a slot). */
  maxSourceSlotLagBytes: range(0, MAX_STORAGE_BYTES, 'bytes').default(128 * 1024 ** 2),
});

const slotSchema = z
  .strictObject({
    warningBytes: range(1024 ** 2, MAX_STORAGE_BYTES, 'bytes (1 MiB to 64 TiB)').default(5 * 1024 ** 3),
    criticalBytes: range(1024 ** 2, MAX_STORAGE_BYTES, 'bytes (1 MiB to 64 TiB)').default(20 * 1024 ** 3),
  })
  .refine((s) => s.warningBytes < s.criticalBytes, {
    path: ['warningBytes'],
    message: 'must be below criticalBytes',
  });

const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const notificationsSchema = z.strictObject({
  emails: z.array(z.string().regex(EMAIL, 'is not an email address')).default([]),
  smsNumbers: z
    .array(z.string().regex(E164, 'is not an E.164 phone number (e.g. +14155550100)'))
    .default([]),
  /** While a finding stays open, remind every this many hours (at most one reminder an hour, at least one a month). */
  reminderHours: range(1, 720, 'hours').default(4),
  /** Findings below this severity never notify (they still show in the report and metrics). */
  minSeverity: z.enum(['critical', 'warning', 'info']).default('warning'),
  /** SMS goes out only for runs with news at or above this severity. */
  smsMinSeverity: z.enum(['critical', 'warning', 'info']).default('critical'),
});

const scheduleSchema = z.strictObject({
  // Under 7 days: a CloudWatch alarm looks back at most 7 days, so a slower schedule could not be told from a stopped checker.
  checkRateMinutes: range(1, 10_079, 'minutes', { whole: true }).default(1),
  driftRateMinutes: range(1, 10_080, 'minutes', { whole: true }).default(15),
  /**
   * How often the scheduled health runs read CloudWatch (see lambdas/core/fleet/cadence): the other runs
   * read only the free describe calls (replication status). `fast` reads everything every run.
   */
  profile: z.enum(PROFILE_NAMES).default('standard'),
  /** Read the lag series every this many minutes (a multiple of checkRateMinutes that divides a day). @default the profile's */
  lagEveryMinutes: range(1, 1440, 'minutes', { whole: true }).optional(),
  /** Read every series (slot lag, source WAL, RPO lag, fallbacks) every this many minutes (a multiple of lagEveryMinutes that divides a day). @default the profile's */
  detailEveryMinutes: range(1, 1440, 'minutes', { whole: true }).optional(),
}).superRefine((schedule, ctx) => {
  const problem = cadenceProblem(schedule);
  if (problem) ctx.addIssue({ code: 'custom', path: [problem.path], message: problem.message });
});

const metricsSchema = z.strictObject({
  namespace: z
    .string()
    .regex(/^[A-Za-z0-9./#:_-]{1,255}$/, 'must be 1-255 characters of letters, digits and . / # : _ -')
    .refine((ns) => !ns.startsWith('AWS/'), 'must not start with AWS/ (reserved)')
    .default('ReplicationGuard'),
  /** Publish lag and health for every replica (one custom metric each: see `replguard cost`). */
  perReplica: z.boolean().default(false),
});

const driftSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Baseline file, relative to the config file and inside its folder; the shipped default baseline when omitted. */
  baseline: z
    .string()
    .superRefine((path, ctx) => {
      const problem = baselinePathProblem(path);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .optional(),
});

/** RPO targets: one second to one day. */
const rpoSeconds = range(1, DAY_SECONDS, 'seconds');

/**
 * The baseline is read at synth and bundled into the Lambda: a path that leaves the config's
 * folder (absolute, or through "..") could read any file on the deploying machine.
 */
export function baselinePathProblem(path: string): string | undefined {
  if (path.trim() === '') return 'must name a file';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'must not contain control characters';
  if (/^([/\\~]|[A-Za-z]:)/.test(path)) return "must be relative to the config file's folder (not absolute)";
  if (path.split(/[/\\]/).includes('..')) return 'must stay inside the config file\'s folder (no ".." segments)';
  return undefined;
}

const rpoOverrideSchema = z.strictObject({ match: matchSchema, rpoSeconds });

const drSchema = z.strictObject({
  /** Primaries carrying this tag with `tagValue` need a healthy replica in another region. */
  tagKey: z.string().min(1).default('replguard:dr'),
  tagValue: z.string().default('required'),
  /** Identifier patterns of primaries that need DR, in addition to the tag. */
  identifiers: z.array(patternSchema).default([]),
  rpoSeconds: rpoSeconds.default(60),
  rpoOverrides: z.array(rpoOverrideSchema).default([]),
  /** Also require the primary's automated backups to be replicated to another region. */
  requireReplicatedBackups: z.boolean().default(false),
});

/** A name the probe's resources and records carry: letters, digits and dashes. */
const probeNameSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/, 'must be 1-32 letters, digits or dashes, starting with a letter or digit');
const ARN_SECRET = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@!-]+$/;
const ARN_KMS_KEY = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const DB_USER = /^[A-Za-z_][A-Za-z0-9_$]{0,62}$/;

/** One VPC the probe runs in: a function per VPC, in these subnets with these security groups. */
const probeVpcSchema = z.strictObject({
  name: probeNameSchema,
  vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'must be a VPC id (vpc-...)'),
  subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'must be a subnet id (subnet-...)')).min(1, 'must list at least one subnet'),
  securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'must be a security group id (sg-...)')).min(1, 'must list at least one security group'),
});

/** Credentials: a Secrets Manager secret in the RDS shape (`username`, `password`), or IAM database authentication. */
const probeCredentialsSchema = z.union([
  z.strictObject({
    secretArn: z.string().regex(ARN_SECRET, 'must be a Secrets Manager secret ARN'),
    /** The secret's customer managed key; omit for the AWS managed key. */
    kmsKeyArn: z.string().regex(ARN_KMS_KEY, 'must be a KMS key ARN').optional(),
  }),
  z.strictObject({
    /** The database user granted `rds_iam` (PostgreSQL) or created with AWSAuthenticationPlugin (MySQL/MariaDB). */
    iamUser: z.string().regex(DB_USER, 'must be a plain database user name'),
  }),
], { message: 'must be { secretArn[, kmsKeyArn] } or { iamUser }' });

const probeTargetSchema = z.strictObject({
  /** The databases this entry covers (identifier pattern and/or tags). */
  match: matchSchema,
  /** The `probes.vpcs[].name` the databases are reachable from. */
  vpc: probeNameSchema,
  credentials: probeCredentialsSchema,
  /** Database to connect to (PostgreSQL). @default postgres on PostgreSQL, none on MySQL/MariaDB */
  database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/, 'must be a plain database name').optional(),
  /** The pt-heartbeat table, schema.table. */
  heartbeat: z.string().regex(/^[A-Za-z_][A-Za-z0-9_$]{0,62}\.[A-Za-z_][A-Za-z0-9_$]{0,62}$/, 'must be schema.table with plain identifiers').default('replguard.heartbeat'),
});

/** The in-database probe, deployed one function per VPC (docs/probe.md, "Deploying the probe"). TLS is always verified. */
const probesSchema = z
  .strictObject({
    vpcs: z.array(probeVpcSchema).min(1, 'must list at least one VPC'),
    targets: z.array(probeTargetSchema).min(1, 'must list at least one target'),
  })
  .superRefine((probes, ctx) => {
    const names = new Set<string>();
    probes.vpcs.forEach((vpc, i) => {
      if (names.has(vpc.name)) ctx.addIssue({ code: 'custom', path: ['vpcs', i, 'name'], message: `is used by two VPCs`, input: vpc.name });
      names.add(vpc.name);
    });
    probes.targets.forEach((target, i) => {
      if (!names.has(target.vpc)) {
        ctx.addIssue({ code: 'custom', path: ['targets', i, 'vpc'], message: `names no VPC in probes.vpcs (${[...names].join(', ')})`, input: target.vpc });
      }
    });
  });
export type ProbesConfig = z.infer<typeof probesSchema>;

/** A 12-digit AWS account id: IAM and Organizations accept no other form. */
export const ACCOUNT_ID = /^\d{12}$/;
const accountIdSchema = z.string().regex(ACCOUNT_ID, 'must be a 12-digit AWS account id (e.g. 111122223333)');
// IAM role names and paths (IAM API reference, CreateRole: RoleName, Path).
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc):iam::(\d{12}):role\/(?:[\x21-\x7e]{0,510}\/)?[\w+=,.@-]{1,64}$/;
// STS AssumeRole ExternalId: 2-1224 characters of [\w+=,.@:/-].
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
// Organizations API reference: root ids r-..., OU ids ou-<root>-<suffix>.
const OU_OR_ROOT_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

const roleNameSchema = z.string().regex(ROLE_NAME, 'must be an IAM role name: 1-64 letters, digits or +=,.@_-');

/** The read-only role Replication Guard assumes in every member account. */
const memberRoleSchema = z.strictObject({
  name: roleNameSchema.default('ReplicationGuardReader'),
  /** Sent as sts:ExternalId and required by the role's trust policy when set. */
  externalId: z.string().regex(EXTERNAL_ID, 'must be 2-1224 characters of letters, digits or +=,.@:/_-').optional(),
});

const accountSchema = z
  .strictObject({
    id: accountIdSchema,
    name: z.string().min(1, 'must not be empty').max(128, 'must be at most 128 characters').optional(),
    /** Regions to read in this account. @default the top-level `regions` */
    regions: z.array(regionSchema).min(1, 'must list at least one region').optional(),
    /** Role to assume by name (in this account). @default `memberRole.name` */
    roleName: roleNameSchema.optional(),
    /** Role to assume by full ARN, for a role with a path or another name. */
    roleArn: z.string().regex(ROLE_ARN, 'must be an IAM role ARN (arn:aws:iam::111122223333:role/Name)').optional(),
  })
  .superRefine((account, ctx) => {
    if (account.roleName && account.roleArn) ctx.addIssue({ code: 'custom', path: ['roleArn'], message: 'give roleName or roleArn, not both' });
    const arnAccount = account.roleArn ? ROLE_ARN.exec(account.roleArn)?.[2] : undefined;
    if (arnAccount && arnAccount !== account.id) {
      ctx.addIssue({ code: 'custom', path: ['roleArn'], message: `names account ${arnAccount}, not this entry's id ${account.id}` });
    }
  });
export type AccountConfig = z.infer<typeof accountSchema>;

/** Accounts found through AWS Organizations, from the management account or a delegated administrator. */
const organizationSchema = z.strictObject({
  /** Roots (r-...) or OUs (ou-...) to read; child OUs are included. */
  ouIds: z.array(z.string().regex(OU_OR_ROOT_ID, 'must be an organization root id (r-...) or OU id (ou-...-...)')).min(1, 'must list at least one OU or root id'),
  /** Accounts to read even when outside `ouIds`. */
  includeAccounts: z.array(accountIdSchema).default([]),
  excludeAccounts: z.array(accountIdSchema).default([]),
  /** @default `memberRole.name` */
  roleName: roleNameSchema.optional(),
});
export type OrganizationConfig = z.infer<typeof organizationSchema>;

const suppressionSchema = z.strictObject({
  code: z.enum(FINDING_CODES),
  resource: patternSchema.optional(),
  region: regionSchema.optional(),
  reason: z.string().min(1, 'must say why'),
});

export const configSchema = z.strictObject({
  regions: z.array(regionSchema).min(1, 'must list at least one region').default(['us-east-1']),
  runbookBaseUrl: z
    .string()
    .regex(/^https?:\/\/[^\s\u0000-\u001f\u007f]+$/, 'must be an http(s) URL without spaces or control characters')
    .default(DEFAULT_RUNBOOK_BASE_URL),
  lag: lagSchema.default(lagSchema.parse({})),
  lagOverrides: z.array(lagOverrideSchema).default([]),
  postgresIdle: postgresIdleSchema.default(postgresIdleSchema.parse({})),
  replicationSlot: slotSchema.default(slotSchema.parse({})),
  schedule: scheduleSchema.default(scheduleSchema.parse({})),
  notifications: notificationsSchema.default(notificationsSchema.parse({})),
  metrics: metricsSchema.default(metricsSchema.parse({})),
  drift: driftSchema.default(driftSchema.parse({})),
  dr: drSchema.default(drSchema.parse({})),
  suppressions: z.array(suppressionSchema).default([]),
  probes: probesSchema.optional(),
  /** Member accounts listed by id (see docs/organization.md). */
  accounts: z.array(accountSchema).default([]),
  organization: organizationSchema.optional(),
  memberRole: memberRoleSchema.default(memberRoleSchema.parse({})),
  /** Read the account the checker runs in (with its own role, no AssumeRole). @default true */
  includeDeployingAccount: z.boolean().default(true),
})
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.accounts.forEach((account, index) => {
      if (seen.has(account.id)) ctx.addIssue({ code: 'custom', path: ['accounts', index, 'id'], message: `lists account ${account.id} twice` });
      seen.add(account.id);
    });
    // A role in another partition cannot be assumed with this partition's credentials.
    const partitions = new Set(config.regions.map(partitionOf));
    config.accounts.forEach((account, index) => {
      const arnPartition = account.roleArn?.split(':')[1];
      if (arnPartition && !partitions.has(arnPartition)) {
        ctx.addIssue({ code: 'custom', path: ['accounts', index, 'roleArn'], message: `is in partition ${arnPartition}, but the regions are in ${[...partitions].join(', ')}` });
      }
      for (const [r, region] of (account.regions ?? []).entries()) {
        if (!partitions.has(partitionOf(region))) ctx.addIssue({ code: 'custom', path: ['accounts', index, 'regions', r], message: `is not in the partition of the top-level regions (${[...partitions].join(', ')})` });
      }
    });
    const exclude = new Set(config.organization?.excludeAccounts ?? []);
    for (const id of config.organization?.includeAccounts ?? []) {
      if (exclude.has(id)) ctx.addIssue({ code: 'custom', path: ['organization', 'excludeAccounts'], message: `both includes and excludes account ${id}` });
    }
  });

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

function describeValue(value: unknown): string {
  if (value === undefined) return '';
  const text = JSON.stringify(value);
  return ` (got ${text && text.length > 80 ? `${text.slice(0, 77)}...` : text})`;
}

/** Parses a config object; `source` names the file in error messages. */
export function parseConfig(raw: unknown, source = 'config'): Config {
  const result = configSchema.safeParse(raw ?? {}, { reportInput: true });
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const key = issue.path.length ? issue.path.join('.') : '(top level)';
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      return `  ${key}: ${message}`;
    }
    // zod's own type message is terse; ours ("must be a number between ...") says more.
    if (issue.code === 'invalid_type' && !message.startsWith('must ')) message = `must be ${issue.expected}`;
    return `  ${key}: ${message}${describeValue(issue.input)}`;
  });
  throw new ConfigError(`Invalid config in ${source}:\n${lines.join('\n')}`);
}

/** Parses config JSON text; `source` names the file in errors. Returns the raw input too (the CDK app ships it). */
export function parseConfigJson(text: string, source: string): { readonly raw: ConfigInput; readonly config: Config } {
  const parsed = parseJson(text);
  if (!parsed.ok) throw new ConfigError(`Config file ${source} is not valid JSON: ${parsed.error}`);
  const raw = parsed.value;
  const config = parseConfig(raw, source);
  // parseConfig accepted it, so the raw object has the input shape.
  return { raw: raw as ConfigInput, config };
}

export const DEFAULT_CONFIG: Config = parseConfig({});

/** Does a database match a selector? */
export function matches(match: Match, identifier: string, tags: Readonly<Record<string, string>>): boolean {
  if (match.identifier !== undefined && !compilePattern(match.identifier).test(identifier)) return false;
  for (const [key, value] of Object.entries(match.tags ?? {})) {
    if (own(tags, key) !== value) return false;
  }
  return true;
}

export interface LagThresholds {
  readonly warningSeconds: number;
  readonly criticalSeconds: number;
}

/** Global thresholds with the overrides that match applied in order; the last match wins. */
export function lagThresholdsFor(
  config: Config,
  identifier: string,
  tags: Readonly<Record<string, string>>,
): LagThresholds {
  let warningSeconds = config.lag.warningSeconds;
  let criticalSeconds = config.lag.criticalSeconds;
  for (const override of config.lagOverrides) {
    if (!matches(override.match, identifier, tags)) continue;
    warningSeconds = override.warningSeconds ?? warningSeconds;
    criticalSeconds = override.criticalSeconds ?? criticalSeconds;
  }
  // An override that only lowers one threshold drags the other along, so a stricter setting
  // never ends up switching alerting off.
  return { warningSeconds: Math.min(warningSeconds, criticalSeconds), criticalSeconds };
}

/** Does a suppression in the config silence this code on this resource in this region? */
export function isSuppressed(config: Config, code: string, region: string, resource: string): boolean {
  return config.suppressions.some(
    (s) =>
      s.code === code &&
      (s.region === undefined || s.region === region) &&
      (s.resource === undefined || compilePattern(s.resource).test(resource)),
  );
}

/**
 * The lowest lag, in seconds, any rule of this config judges: the lag warning threshold, the
 * per-replica overrides and the RPO targets. A replica whose lag stays at or below it cannot raise
 * a lag or RPO finding, so its source's WAL rate (the idle-source evidence) is not needed.
 */
export function lowestLagThresholdSeconds(config: Pick<Config, 'lag' | 'lagOverrides' | 'dr'>): number {
  const limits = [config.lag.warningSeconds, config.lag.criticalSeconds, config.dr.rpoSeconds];
  for (const o of config.lagOverrides) limits.push(...[o.warningSeconds, o.criticalSeconds].filter((v): v is number => v !== undefined));
  for (const o of config.dr.rpoOverrides) limits.push(o.rpoSeconds);
  return Math.min(...limits);
}
