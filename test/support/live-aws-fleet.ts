/**
 * Routes for the local AWS endpoint that answer like RDS and CloudWatch for the documented
 * example fleet under test/fixtures/aws (a MySQL instance and its read replica, an Aurora MySQL
 * cluster that is the primary of a global cluster, their parameter groups and automated backups).
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import {
  cloudwatchResponse,
  startLocalAwsEndpoint,
  type LocalAwsEndpoint,
  type Route,
  fixture,
  rdsResponse,
  withMarker,
  type RecordedRequest,
  type Reply,
} from './local-aws-endpoint';


interface MetricResult {
  readonly Id: string;
  readonly Label?: string;
  readonly Timestamps: unknown[];
  readonly Values: number[];
  readonly StatusCode: string;
}

/** The documented GetMetricData result, one copy per requested query Id. */
export function metricResultsFor(request: RecordedRequest, patch: (r: MetricResult, query: MetricQueryJson) => MetricResult = (r) => r): MetricResult[] {
  const [template] = (JSON.parse(fixture('cloudwatch-api/get-metric-data.json')) as { MetricDataResults: MetricResult[] })
    .MetricDataResults as [MetricResult];
  return queriesOf(request).map((q) => patch({ ...template, Id: q.Id, Label: q.MetricStat.Metric.MetricName }, q));
}

export interface MetricQueryJson {
  readonly Id: string;
  readonly MetricStat: {
    readonly Metric: { readonly Namespace: string; readonly MetricName: string; readonly Dimensions: { Name: string; Value: string }[] };
    readonly Period: number;
    readonly Stat: string;
  };
}

export const queriesOf = (request: RecordedRequest): MetricQueryJson[] =>
  (request.json.MetricDataQueries as MetricQueryJson[] | undefined) ?? [];

/** RDS describe answers from the fixtures; DescribeDBInstances comes in two pages joined by Marker. */
export function describeFleet(request: RecordedRequest): Reply | undefined {
  switch (request.operation) {
    case 'DescribeDBInstances':
      return request.form.get('Marker') === 'page-2-marker'
        ? rdsResponse('DescribeDBInstances', fixture('rds-api/describe-db-instances-page-2.xml'))
        : rdsResponse('DescribeDBInstances', fixture('rds-api/describe-db-instances-page-1.xml'));
    case 'DescribeDBClusters':
      return rdsResponse('DescribeDBClusters', fixture('rds-api/describe-db-clusters.xml'));
    case 'DescribeGlobalClusters':
      return rdsResponse('DescribeGlobalClusters', fixture('rds-api/describe-global-clusters.xml'));
    case 'DescribeDBClusterParameters':
      return rdsResponse('DescribeDBClusterParameters', fixture('rds-api/describe-db-cluster-parameters.xml'));
    case 'DescribeDBParameters': {
      // Two pages: one Parameter each.
      const all = fixture('rds-api/describe-db-cluster-parameters.xml');
      const [first, second] = all.match(/<Parameter>[\s\S]*?<\/Parameter>/g) as [string, string];
      return request.form.get('Marker') === 'params-2'
        ? rdsResponse('DescribeDBParameters', `<Parameters>${second}</Parameters>`)
        : rdsResponse('DescribeDBParameters', withMarker(`<Parameters>${first}</Parameters>`, 'params-2'));
    }
    case 'DescribeDBInstanceAutomatedBackups':
      return rdsResponse('DescribeDBInstanceAutomatedBackups', fixture('rds-api/describe-db-instance-automated-backups.xml'));
    default:
      return undefined;
  }
}

/** Describes the fixture fleet and answers every GetMetricData query with the documented series. */
export function fleetRoute(request: RecordedRequest): Reply {
  const described = describeFleet(request);
  if (described) return described;
  if (request.operation === 'GetMetricData') return cloudwatchResponse({ MetricDataResults: metricResultsFor(request), Messages: [] });
  return { status: 400, body: `unexpected ${request.service} ${request.operation}` };
}

/** Sets static fake credentials for the default credential chain; returns the restore function. */
export function useFakeCredentialEnv(): () => void {
  const names = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE', 'AWS_EC2_METADATA_DISABLED'] as const;
  const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]));
  process.env.AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE';
  process.env.AWS_SECRET_ACCESS_KEY = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  return () => {
    for (const n of names) {
      if (saved[n] === undefined) delete process.env[n];
      else process.env[n] = saved[n];
    }
  };
}

/**
 * For a test file of the live reader: fake AWS credentials in the environment while it runs, and
 * every endpoint a test starts through `start` closed after that test.
 */
export function localAwsEndpoints(): { start(route: Route): Promise<LocalAwsEndpoint> } {
  let restoreEnv: () => void;
  const open: LocalAwsEndpoint[] = [];
  beforeAll(() => {
    restoreEnv = useFakeCredentialEnv();
  });
  afterAll(() => restoreEnv());
  afterEach(async () => {
    await Promise.all(open.splice(0).map((endpoint) => endpoint.close()));
  });
  return {
    start: async (route) => {
      const endpoint = await startLocalAwsEndpoint(route);
      open.push(endpoint);
      return endpoint;
    },
  };
}
