/**
 * The live reader: reads a fleet from the AWS APIs into a `replguard-snapshot/v1` object.
 *
 * Per region, in parallel: the RDS describe calls (all pages), then the CloudWatch series that
 * `planMetricQueries` asks for, 500 queries per GetMetricData call. A failing call becomes a
 * `ReadError` in its region and never hides what the other calls and regions returned.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { RDSClient } from '@aws-sdk/client-rds';
import { fromIni } from '@aws-sdk/credential-providers';
import type { ReadLevel } from '../core/fleet/cadence';
import { MetricIndex, planFollowUps, planMetricQueries, type MetricQuery } from '../core/fleet/metric-plan';
import {
  SNAPSHOT_FORMAT,
  type AutomatedBackup,
  type DbCluster,
  type DbInstance,
  type FleetSnapshot,
  type GlobalCluster,
  type MetricSeries,
  type Parameter,
  type ReadError,
  type RegionSnapshot,
} from '../core/fleet/model';
import type { FleetReader } from '../core/fleet/reader';
import { buildTopology } from '../core/fleet/topology';
import { sdkRequestHandler, type SdkTimeouts } from './sdk-client-config';
import {
  CONCURRENCY_PER_REGION,
  describeAllAutomatedBackups,
  describeAllClusters,
  describeAllGlobalClusters,
  describeAllInstances,
  describeClusterParameterGroup,
  describeDbParameterGroup,
  describeParameterGroups,
  getMetricSeries,
  mapLimit,
  readError,
  type Retry,
} from './live-reader-calls';
import type { AwsCredentials, SessionCredentialsProvider } from './assume-role';
import { withThrottlingRetry, type RetryOptions } from './throttling-retry';

/** GetMetricData accepts at most 500 MetricDataQueries per call. */
export const METRIC_QUERIES_PER_CALL = 500;

export interface RegionClients {
  readonly rds: RDSClient;
  readonly cloudwatch: CloudWatchClient;
}

export interface LiveReaderOptions {
  readonly regions: readonly string[];
  /** Minutes of 1-minute datapoints to read. @default 15 */
  readonly windowMinutes?: number;
  /** The check's "now" (the snapshot's capturedAt). @default () => new Date() */
  readonly now?: () => Date;
  /** Named profile from the shared config/credentials files; default credential chain otherwise. */
  readonly profile?: string;
  /** Credentials for the default clients (e.g. an assumed role's); wins over `profile`. */
  readonly credentials?: AwsCredentials | SessionCredentialsProvider | ReturnType<typeof fromIni>;
  /** Called once for each pair of default clients, e.g. to pace or retry their requests. */
  readonly customizeClients?: (clients: RegionClients, region: string) => void;
  /** Client factory (tests, benchmarks). Default: one RDS and one CloudWatch client per region. */
  readonly clients?: (region: string) => RegionClients;
  readonly onProgress?: (message: string) => void;
  /** Read every parameter group the databases use (needed by the drift rules). @default false */
  readonly includeParameters?: boolean;
  /** Read automated backups (needed by BACKUPS_NOT_REPLICATED). @default false */
  readonly includeAutomatedBackups?: boolean;
  /** Read the lag and activity metrics; the drift check does not need them (and each costs money). @default true */
  readonly includeMetrics?: boolean;
  /** Which series to read (lambdas/core/fleet/cadence): `status` reads none, `lag` one per replica. @default 'full' */
  readonly metricLevel?: ReadLevel;
  /**
   * On a full read, a PostgreSQL replica lagging more than this gets its source's WAL rate read in a second request
   * (`lowestLagThresholdSeconds` of the config). @default 0: every PostgreSQL replica with any lag
   */
  readonly walAboveSeconds?: number;
  /** Throttling retry; `sleep` is injectable so tests do not wait. */
  readonly retry?: RetryOptions;
  /** Connection and request timeouts of the default clients. @default 5 s and 30 s */
  readonly timeouts?: SdkTimeouts;
  /** One endpoint URL for the default clients (an AWS-compatible endpoint). @default the regional AWS endpoints */
  readonly endpoint?: string;
  /** The default clients' HTTP handler (benchmarks answer in-process). @default a NodeHttpHandler with `timeouts` */
  readonly requestHandler?: RequestHandlerOption;
}

/** What an SDK client accepts as `requestHandler`. */
export type RequestHandlerOption = NonNullable<ConstructorParameters<typeof RDSClient>[0]>['requestHandler'];

export class LiveReaderOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LiveReaderOptionsError';
  }
}

interface RegionRead {
  readonly region: string;
  readonly dbInstances: DbInstance[];
  readonly dbClusters: DbCluster[];
  readonly globalClusters: GlobalCluster[];
  readonly errors: ReadError[];
}

interface RegionExtras {
  readonly dbParameters?: Record<string, Parameter[]>;
  readonly dbClusterParameters?: Record<string, Parameter[]>;
  readonly automatedBackups?: AutomatedBackup[];
  readonly errors: ReadError[];
}

export class LiveFleetReader implements FleetReader {
  private readonly clientCache = new Map<string, RegionClients>();
  private readonly regions: readonly string[];
  private readonly windowMinutes: number;
  private credentials?: ReturnType<typeof fromIni>;

  constructor(private readonly options: LiveReaderOptions) {
    this.regions = [...new Set(options.regions)];
    if (this.regions.length === 0) throw new LiveReaderOptionsError('LiveFleetReader: "regions" must name at least one region.');
    this.windowMinutes = options.windowMinutes ?? 15;
    if (!Number.isInteger(this.windowMinutes) || this.windowMinutes < 1 || this.windowMinutes > 1440) {
      throw new LiveReaderOptionsError(
        `LiveFleetReader: "windowMinutes" must be a whole number of minutes from 1 to 1440 (got ${options.windowMinutes}).`,
      );
    }
  }

  async read(): Promise<FleetSnapshot> {
    const now = this.options.now?.() ?? new Date();
    const window = { start: new Date(now.getTime() - this.windowMinutes * 60_000), end: now };

    // Parameters and backups of a region only need its own describes, so they overlap the metrics.
    const reads = this.regions.map((region) => {
      const core = this.describeRegion(region);
      const extras = core.then((read) => this.readExtras(read));
      return { core, extras };
    });
    const cores = await Promise.all(reads.map((r) => r.core));

    const described: FleetSnapshot = {
      format: SNAPSHOT_FORMAT,
      capturedAt: now.toISOString(),
      regions: Object.fromEntries(
        cores.map((r) => [r.region, { dbInstances: r.dbInstances, dbClusters: r.dbClusters, globalClusters: r.globalClusters }]),
      ),
    };
    const topology = buildTopology(described);
    const level = this.options.metricLevel ?? 'full';
    const queries = this.options.includeMetrics === false ? [] : planMetricQueries(topology, level);
    const readAll = async (planned: readonly MetricQuery[]) =>
      Promise.all(this.regions.map((region) => this.readMetrics(region, planned.filter((q) => q.region === region), window)));
    const readLag = async () => {
      const first = await readAll(queries);
      if (queries.length === 0) return first;
      // Only what the first answer calls for costs a second request: fallbacks of empty series, WAL of lagging PostgreSQL sources.
      const firstRead: FleetSnapshot = {
        ...described,
        regions: Object.fromEntries(this.regions.map((region, i) => [region, { metrics: first[i]!.series }])),
      };
      // A region whose first request failed is already CHECK_DEGRADED: asking it again only repeats the error.
      const failed = new Set(this.regions.filter((_, i) => first[i]!.errors.length > 0));
      const followUps = planFollowUps(topology, new MetricIndex(firstRead), { level, walAboveSeconds: this.options.walAboveSeconds ?? 0 });
      const fallbacks = await readAll(followUps.filter((q) => !failed.has(q.region)));
      return first.map((m, i) => ({ series: [...m.series, ...fallbacks[i]!.series], errors: [...m.errors, ...fallbacks[i]!.errors] }));
    };
    const [metrics, extras] = await Promise.all([readLag(), Promise.all(reads.map((r) => r.extras))]);

    const regions: Record<string, RegionSnapshot> = {};
    cores.forEach((core, i) => {
      const extra = extras[i]!;
      const metric = metrics[i]!;
      const errors = [...core.errors, ...extra.errors, ...metric.errors];
      regions[core.region] = {
        dbInstances: core.dbInstances,
        dbClusters: core.dbClusters,
        globalClusters: core.globalClusters,
        ...(extra.dbParameters ? { dbParameters: extra.dbParameters } : {}),
        ...(extra.dbClusterParameters ? { dbClusterParameters: extra.dbClusterParameters } : {}),
        ...(extra.automatedBackups ? { automatedBackups: extra.automatedBackups } : {}),
        metrics: metric.series,
        ...(errors.length > 0 ? { errors } : {}),
      };
    });
    return { format: SNAPSHOT_FORMAT, capturedAt: now.toISOString(), regions };
  }

  private clientsFor(region: string): RegionClients {
    let clients = this.clientCache.get(region);
    if (!clients) {
      clients = this.options.clients ? this.options.clients(region) : this.createClients(region);
      this.clientCache.set(region, clients);
    }
    return clients;
  }

  private tryClients(region: string): RegionClients | undefined {
    try {
      return this.clientsFor(region);
    } catch {
      return undefined;
    }
  }

  /** Closes the sockets of the clients this reader created (not those given through `clients`). */
  destroy(): void {
    if (!this.options.clients) {
      for (const clients of this.clientCache.values()) {
        clients.rds.destroy();
        clients.cloudwatch.destroy();
      }
    }
    this.clientCache.clear();
  }

  private createClients(region: string): RegionClients {
    if (this.options.profile && !this.options.credentials && !this.credentials) this.credentials = fromIni({ profile: this.options.profile });
    const credentials = this.options.credentials ?? this.credentials;
    // Adaptive mode paces calls client-side; throttling retries beyond one are withThrottlingRetry's,
    // so the two layers do not multiply into dozens of attempts.
    const config = {
      region,
      retryMode: 'adaptive',
      maxAttempts: 2,
      requestHandler: this.options.requestHandler ?? sdkRequestHandler(this.options.timeouts),
      ...(this.options.endpoint ? { endpoint: this.options.endpoint } : {}),
      ...(credentials ? { credentials } : {}),
    };
    const clients = { rds: new RDSClient(config), cloudwatch: new CloudWatchClient(config) };
    this.options.customizeClients?.(clients, region);
    return clients;
  }

  private progress(message: string): void {
    this.options.onProgress?.(message);
  }

  private retryIn(region: string): Retry {
    return (operation, call) =>
      withThrottlingRetry(call, {
        ...this.options.retry,
        onRetry: (event) => {
          this.options.retry?.onRetry?.(event);
          this.progress(
            `${region}: ${operation} throttled, retrying in ${event.delayMs} ms ` +
              `(attempt ${event.attempt + 1} of ${this.options.retry?.maxAttempts ?? 6})`,
          );
        },
      });
  }

  private reportErrors(region: string, errors: readonly ReadError[]): void {
    for (const e of errors) this.progress(`${region}: ${e.operation} failed${e.code ? ` (${e.code})` : ''}: ${e.message}`);
  }

  private async describeRegion(region: string): Promise<RegionRead> {
    const retry = this.retryIn(region);
    let rds: RDSClient;
    try {
      rds = this.clientsFor(region).rds;
    } catch (error) {
      const errors = [readError('rds:DescribeDBInstances', error, `cannot create a client for ${region}`)];
      this.reportErrors(region, errors);
      return { region, dbInstances: [], dbClusters: [], globalClusters: [], errors };
    }
    const [instances, clusters, globals] = await Promise.all([
      describeAllInstances(rds, retry),
      describeAllClusters(rds, retry),
      describeAllGlobalClusters(rds, retry),
    ]);
    const errors = [instances.error, clusters.error, globals.error].filter((e): e is ReadError => e !== undefined);
    this.progress(
      `${region}: ${instances.items.length} DB instances, ${clusters.items.length} clusters, ` +
        `${globals.items.length} global clusters (${instances.pages + clusters.pages + globals.pages} describe pages)`,
    );
    this.reportErrors(region, errors);
    return { region, dbInstances: instances.items, dbClusters: clusters.items, globalClusters: globals.items, errors };
  }

  private async readExtras(read: RegionRead): Promise<RegionExtras> {
    const { includeParameters = false, includeAutomatedBackups = false } = this.options;
    if (!includeParameters && !includeAutomatedBackups) return { errors: [] };
    const { region } = read;
    const retry = this.retryIn(region);
    // A client that could not be created is already reported by the describe step.
    const rds = this.tryClients(region)?.rds;
    if (!rds) return { errors: [] };

    const dbGroupNames = read.dbInstances.flatMap((db) =>
      (db.DBParameterGroups ?? []).flatMap((g) => (g.DBParameterGroupName ? [g.DBParameterGroupName] : [])),
    );
    const clusterGroupNames = read.dbClusters.flatMap((c) => (c.DBClusterParameterGroup ? [c.DBClusterParameterGroup] : []));
    const [dbGroups, clusterGroups, backups] = await Promise.all([
      includeParameters ? describeParameterGroups(dbGroupNames, (n) => describeDbParameterGroup(rds, retry, n)) : undefined,
      includeParameters
        ? describeParameterGroups(clusterGroupNames, (n) => describeClusterParameterGroup(rds, retry, n))
        : undefined,
      includeAutomatedBackups ? describeAllAutomatedBackups(rds, retry) : undefined,
    ]);

    const errors = [...(dbGroups?.errors ?? []), ...(clusterGroups?.errors ?? []), ...(backups?.error ? [backups.error] : [])];
    if (dbGroups && clusterGroups) {
      this.progress(
        `${region}: ${Object.keys(dbGroups.groups).length} DB parameter groups, ` +
          `${Object.keys(clusterGroups.groups).length} cluster parameter groups (${dbGroups.calls + clusterGroups.calls} calls)`,
      );
    }
    if (backups) this.progress(`${region}: ${backups.items.length} automated backups`);
    this.reportErrors(region, errors);
    return {
      ...(dbGroups ? { dbParameters: dbGroups.groups } : {}),
      ...(clusterGroups ? { dbClusterParameters: clusterGroups.groups } : {}),
      ...(backups ? { automatedBackups: backups.items } : {}),
      errors,
    };
  }

  private async readMetrics(
    region: string,
    queries: readonly MetricQuery[],
    window: { readonly start: Date; readonly end: Date },
  ): Promise<{ series: MetricSeries[]; errors: ReadError[] }> {
    if (queries.length === 0) return { series: [], errors: [] };
    const retry = this.retryIn(region);
    const cloudwatch = this.tryClients(region)?.cloudwatch;
    if (!cloudwatch) {
      return { series: [], errors: [{ operation: 'cloudwatch:GetMetricData', message: `no CloudWatch client for ${region}` }] };
    }
    const batches: MetricQuery[][] = [];
    for (let i = 0; i < queries.length; i += METRIC_QUERIES_PER_CALL) batches.push(queries.slice(i, i + METRIC_QUERIES_PER_CALL));
    const reads = await mapLimit(batches, CONCURRENCY_PER_REGION, (batch) =>
      getMetricSeries(cloudwatch, retry, batch, window, (m) => this.progress(`${region}: GetMetricData: ${m}`)),
    );
    const series = reads.flatMap((r) => r.series);
    const errors = reads.flatMap((r) => r.errors);
    const calls = reads.reduce((n, r) => n + r.calls, 0);
    this.progress(`${region}: ${series.length} of ${queries.length} metric series with data (${calls} GetMetricData calls)`);
    this.reportErrors(region, errors);
    return { series, errors };
  }
}
