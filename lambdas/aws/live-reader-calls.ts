/**
 * The live reader's AWS calls: the RDS describe pagers (all pages, keeping what was read when a
 * page fails) and GetMetricData batches, each turning a failure into a `ReadError`.
 */
import { GetMetricDataCommand, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import {
  DescribeDBClusterParametersCommand,
  DescribeDBClustersCommand,
  DescribeDBInstanceAutomatedBackupsCommand,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  DescribeGlobalClustersCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import type { MetricQuery } from '../core/fleet/metric-plan';
import { READ_ACTIONS } from '../core/fleet/read-actions';
import type {
  AutomatedBackup,
  DbCluster,
  DbInstance,
  GlobalCluster,
  MetricSeries,
  Parameter,
  ReadError,
} from '../core/fleet/model';

/** The largest page the RDS describe APIs return. */
const DESCRIBE_PAGE_SIZE = 100;
const METRIC_PERIOD_SECONDS = 60;
/** Concurrent calls per region and API family: well inside RDS's burst of 300 and CloudWatch's TPS. */
export const CONCURRENCY_PER_REGION = 5;

/** SDK response objects as snapshot JSON: Dates become ISO strings, undefined fields are dropped. */
function toSnapshotShape(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString();
  if (Array.isArray(value)) return value.map(toSnapshotShape);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const converted = toSnapshotShape(v);
      if (converted !== undefined) out[k] = converted;
    }
    return out;
  }
  return value;
}

function listOf<T>(items: readonly unknown[] | undefined): T[] {
  return (items ?? []).map((item) => toSnapshotShape(item) as T);
}

export function readError(operation: string, error: unknown, context?: string): ReadError {
  const e = (error ?? {}) as { name?: unknown; code?: unknown; message?: unknown };
  const code =
    typeof e.name === 'string' && e.name !== 'Error' ? e.name : typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' && e.message ? e.message : String(error);
  return { operation, message: context ? `${context}: ${message}` : message, ...(code ? { code } : {}) };
}

/** Runs `fn` over `items` with at most `limit` calls in flight, keeping the input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

interface Paged<T> {
  readonly items: T[];
  readonly pages: number;
  readonly error?: ReadError;
}

export type Retry = <T>(operation: string, call: () => Promise<T>) => Promise<T>;

/** Follows `Marker` until the last page; on failure keeps the pages already read. */
async function readAllPages<T>(
  operation: string,
  retry: Retry,
  fetchPage: (marker: string | undefined) => Promise<{ items: readonly unknown[] | undefined; marker?: string }>,
): Promise<Paged<T>> {
  const items: T[] = [];
  let marker: string | undefined;
  let pages = 0;
  const seen = new Set<string>();
  try {
    do {
      const page = await retry(operation, () => fetchPage(marker));
      pages++;
      items.push(...listOf<T>(page.items));
      marker = page.marker;
      // A marker seen before would loop forever: stop, and say the list may be incomplete.
      if (marker !== undefined && seen.has(marker)) {
        return {
          items,
          pages,
          error: {
            operation,
            code: 'RepeatedMarker',
            message: `returned Marker "${marker}" again after ${pages} pages; paging stopped and the list may be incomplete`,
          },
        };
      }
      if (marker !== undefined) seen.add(marker);
    } while (marker);
  } catch (error) {
    return { items, pages, error: readError(operation, error) };
  }
  return { items, pages };
}

export function describeAllInstances(rds: RDSClient, retry: Retry): Promise<Paged<DbInstance>> {
  return readAllPages(READ_ACTIONS.dbInstances, retry, async (Marker) => {
    const out = await rds.send(new DescribeDBInstancesCommand({ Marker, MaxRecords: DESCRIBE_PAGE_SIZE }));
    return { items: out.DBInstances, marker: out.Marker };
  });
}

export function describeAllClusters(rds: RDSClient, retry: Retry): Promise<Paged<DbCluster>> {
  return readAllPages(READ_ACTIONS.dbClusters, retry, async (Marker) => {
    const out = await rds.send(new DescribeDBClustersCommand({ Marker, MaxRecords: DESCRIBE_PAGE_SIZE }));
    return { items: out.DBClusters, marker: out.Marker };
  });
}

export function describeAllGlobalClusters(rds: RDSClient, retry: Retry): Promise<Paged<GlobalCluster>> {
  return readAllPages(READ_ACTIONS.globalClusters, retry, async (Marker) => {
    const out = await rds.send(new DescribeGlobalClustersCommand({ Marker, MaxRecords: DESCRIBE_PAGE_SIZE }));
    return { items: out.GlobalClusters, marker: out.Marker };
  });
}

export function describeAllAutomatedBackups(rds: RDSClient, retry: Retry): Promise<Paged<AutomatedBackup>> {
  return readAllPages(READ_ACTIONS.automatedBackups, retry, async (Marker) => {
    const out = await rds.send(
      new DescribeDBInstanceAutomatedBackupsCommand({ Marker, MaxRecords: DESCRIBE_PAGE_SIZE }),
    );
    return { items: out.DBInstanceAutomatedBackups, marker: out.Marker };
  });
}

export function describeDbParameterGroup(rds: RDSClient, retry: Retry, name: string): Promise<Paged<Parameter>> {
  return readAllPages(READ_ACTIONS.dbParameters, retry, async (Marker) => {
    const out = await rds.send(
      new DescribeDBParametersCommand({ DBParameterGroupName: name, Marker, MaxRecords: DESCRIBE_PAGE_SIZE }),
    );
    return { items: out.Parameters, marker: out.Marker };
  });
}

export function describeClusterParameterGroup(rds: RDSClient, retry: Retry, name: string): Promise<Paged<Parameter>> {
  return readAllPages(READ_ACTIONS.dbClusterParameters, retry, async (Marker) => {
    const out = await rds.send(
      new DescribeDBClusterParametersCommand({ DBClusterParameterGroupName: name, Marker, MaxRecords: DESCRIBE_PAGE_SIZE }),
    );
    return { items: out.Parameters, marker: out.Marker };
  });
}

interface GroupsRead {
  readonly groups: Record<string, Parameter[]>;
  readonly errors: ReadError[];
  readonly calls: number;
}

/**
 * Each named group once, all pages. A group whose read failed is left out rather than kept
 * partial: half a parameter list would look like drift.
 */
export async function describeParameterGroups(
  names: readonly string[],
  describe: (name: string) => Promise<Paged<Parameter>>,
): Promise<GroupsRead> {
  const results = await mapLimit([...new Set(names)].sort(), CONCURRENCY_PER_REGION, async (name) => ({
    name,
    read: await describe(name),
  }));
  const groups: Record<string, Parameter[]> = {};
  const errors: ReadError[] = [];
  let calls = 0;
  for (const { name, read } of results) {
    calls += read.pages + (read.error ? 1 : 0);
    if (read.error) errors.push({ ...read.error, message: `parameter group ${name}: ${read.error.message}` });
    else groups[name] = read.items;
  }
  return { groups, errors, calls };
}

interface SeriesRead {
  readonly series: MetricSeries[];
  readonly errors: ReadError[];
  readonly calls: number;
}

/** Per-series statuses after which the series is not trusted, whatever later pages say. */
const FINAL_FAILURES = new Set(['Forbidden', 'InternalError']);

const describeQuery = (q: MetricQuery) =>
  `${q.metricName}(${Object.entries(q.dimensions).map(([k, v]) => `${k}=${v}`).join(',')})`;

/**
 * One GetMetricData request (≤500 queries), following NextToken. Series with no datapoints are
 * left out: the rules treat a missing series and an empty one alike. If any page fails, the
 * whole batch is dropped, since an ascending scan cut short would lose the newest datapoints.
 */
export async function getMetricSeries(
  cloudwatch: CloudWatchClient,
  retry: Retry,
  batch: readonly MetricQuery[],
  window: { readonly start: Date; readonly end: Date },
  onMessage: (message: string) => void,
): Promise<SeriesRead> {
  const operation = READ_ACTIONS.metricData;
  const queries: MetricDataQuery[] = batch.map((q, i) => ({
    Id: `q${i}`,
    MetricStat: {
      Metric: {
        Namespace: q.namespace,
        MetricName: q.metricName,
        Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: q.period || METRIC_PERIOD_SECONDS,
      Stat: q.stat,
    },
    ReturnData: true,
  }));
  const points = batch.map(() => ({ timestamps: [] as string[], values: [] as number[], status: 'Complete' }));
  let calls = 0;
  let NextToken: string | undefined;
  try {
    do {
      const out = await retry(operation, () =>
        cloudwatch.send(
          new GetMetricDataCommand({
            MetricDataQueries: queries,
            StartTime: window.start,
            EndTime: window.end,
            ScanBy: 'TimestampAscending',
            NextToken,
          }),
        ),
      );
      calls++;
      for (const message of out.Messages ?? []) onMessage(`${message.Code ?? 'Message'}: ${message.Value ?? ''}`);
      for (const result of out.MetricDataResults ?? []) {
        const index = result.Id?.startsWith('q') ? Number(result.Id.slice(1)) : NaN;
        const target = points[index];
        if (!target) continue;
        const timestamps = result.Timestamps ?? [];
        const values = result.Values ?? [];
        for (let i = 0; i < Math.min(timestamps.length, values.length); i++) {
          const t = timestamps[i]!;
          const time = t instanceof Date ? t : new Date(t);
          if (Number.isNaN(time.getTime())) continue;
          target.timestamps.push(time.toISOString());
          target.values.push(values[i]!);
        }
        // Forbidden/InternalError stick. PartialData with a NextToken means "more on the next
        // page"; on the last page it means the series is incomplete (its newest points missing).
        if (FINAL_FAILURES.has(target.status)) continue;
        if (result.StatusCode === 'PartialData') target.status = out.NextToken ? 'Complete' : 'PartialData';
        else if (result.StatusCode) target.status = result.StatusCode;
      }
      NextToken = out.NextToken;
    } while (NextToken);
  } catch (error) {
    return {
      series: [],
      errors: [readError(operation, error, `${batch.length} series not read`)],
      calls: calls + 1,
    };
  }

  const series: MetricSeries[] = [];
  const failed = new Map<string, MetricQuery[]>();
  batch.forEach((q, i) => {
    const p = points[i]!;
    if (FINAL_FAILURES.has(p.status) || p.status === 'PartialData') {
      failed.set(p.status, [...(failed.get(p.status) ?? []), q]);
      return;
    }
    if (p.values.length === 0) return;
    series.push({
      namespace: q.namespace,
      metricName: q.metricName,
      dimensions: { ...q.dimensions },
      stat: q.stat,
      period: q.period || METRIC_PERIOD_SECONDS,
      timestamps: p.timestamps,
      values: p.values,
    });
  });
  const errors: ReadError[] = [...failed].map(([code, qs]) => ({
    operation,
    code,
    message:
      `${qs.length} series returned ${code}: ${qs.slice(0, 3).map(describeQuery).join(', ')}` +
      (qs.length > 3 ? ` and ${qs.length - 3} more` : ''),
  }));
  return { series, errors, calls };
}
