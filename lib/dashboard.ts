import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { Config } from '../lambdas/core/config';
import { METRIC_DIMENSIONS, METRIC_NAMES } from '../lambdas/core/outputs/metrics';
import { readsMemberAccounts } from './cross-account-access';

/**
 * The dimension the checker puts the account id in, on the per-account counts of a run over
 * several accounts and on the per-replica series.
 */
export const ACCOUNT_DIMENSION = 'AccountId';

export interface GuardDashboardProps {
  readonly config: Config;
  readonly dashboardName: string;
  readonly alarms: readonly cloudwatch.IAlarm[];
  readonly checker: lambda.IFunction;
}

/**
 * A namespace or dimension name in a SEARCH metric schema goes in double quotes unless it is only
 * letters, digits and `/` ("CloudWatch search expression syntax"; AWS's own examples leave
 * `AWS/EC2` bare). Inside the quotes `"` and `\` are escaped.
 */
export function searchSchemaName(name: string): string {
  return /^[A-Za-z0-9/]+$/.test(name) ? name : `"${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** SEARCH over one metric of a namespace, one line per combination of the dimensions. */
export function searchExpression(namespace: string, dimensions: readonly string[], metricName: string, periodSeconds: number): string {
  const schema = [namespace, ...dimensions].map(searchSchemaName).join(',');
  return `SEARCH('{${schema}} MetricName="${metricName}"', 'Maximum', ${periodSeconds})`;
}

/**
 * One SEARCH per monitored region and lag metric: replicas created after the deploy show up
 * without a redeploy. SEARCH runs in one region, so each carries its region.
 */
function lagSearchExpression(metricName: string, dimensions: readonly string[]): string {
  return searchExpression('AWS/RDS', dimensions, metricName, 60);
}

const RDS_LAG_SECONDS = [
  { metricName: 'ReplicaLag', dimensions: ['DBInstanceIdentifier'] },
  { metricName: 'AuroraBinlogReplicaLag', dimensions: ['DBClusterIdentifier'] },
  // Aurora PostgreSQL cluster replicating from an RDS PostgreSQL instance.
  { metricName: 'RDSToAuroraPostgreSQLReplicaLag', dimensions: ['DBClusterIdentifier'] },
] as const;
const AURORA_LAG_MS = [
  { metricName: 'AuroraReplicaLag', dimensions: ['DBInstanceIdentifier'] },
  { metricName: 'AuroraGlobalDBReplicationLag', dimensions: ['DBClusterIdentifier', 'SourceRegion'] },
  // What the RPO rule reads first: the data a failover to the secondary would lose.
  { metricName: 'AuroraGlobalDBRPOLag', dimensions: ['DBClusterIdentifier', 'SourceRegion'] },
] as const;

/**
 * Lag axes start below -1: ReplicaLag and AuroraBinlogReplicaLag report -1 when replication is
 * not running, and an axis starting at 0 would hide exactly that line.
 */
const LAG_AXIS_MIN = -2;
const brokenLine = (): cloudwatch.HorizontalAnnotation => ({ value: -1, label: '-1: replication not running', color: cloudwatch.Color.RED });

/** The checker's own per-replica lag metric, one line per replica found by a SEARCH over `dimensions`. */
function checkerLagPerReplica(title: string, namespace: string, dimensions: readonly string[], period: Duration): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({
    title,
    width: 24,
    left: [
      new cloudwatch.MathExpression({
        expression: searchExpression(namespace, dimensions, METRIC_NAMES.replicaLagSeconds, period.toSeconds()),
        label: '',
        period,
      }),
    ],
    leftYAxis: { min: LAG_AXIS_MIN, label: 'seconds', showUnits: false },
    leftAnnotations: [brokenLine()],
  });
}

/** The operator's view: what is wrong now, per replica, and whether the checker itself runs. */
export class GuardDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: GuardDashboardProps) {
    super(scope, id);
    const { config } = props;
    const namespace = config.metrics.namespace;
    const period = Duration.minutes(Math.min(config.schedule.checkRateMinutes, 1440));
    const own = (metricName: string, label: string, statistic = 'Maximum', dimensionsMap?: Record<string, string>) =>
      new cloudwatch.Metric({ namespace, metricName, statistic, period, label, ...(dimensionsMap ? { dimensionsMap } : {}) });
    const scopeDims = (scope: string, extra: Record<string, string> = {}) => ({ [METRIC_DIMENSIONS.scope]: scope, ...extra });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });

    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        width: 8,
        height: 6,
        markdown: [
          '# Replication Guard',
          `Monitoring ${config.regions.join(', ')}: health every ${config.schedule.checkRateMinutes} min` +
            (config.drift.enabled ? `, drift every ${config.schedule.driftRateMinutes} min.` : '.'),
          '',
          `**Runbook:** [${config.runbookBaseUrl}](${config.runbookBaseUrl}) (one section per finding code).`,
          '',
          'Read top-down: alarms, then fleet counts, then the per-replica lag lines of each region.',
          'A flat line at the top of a lag graph is one replica, not the fleet: find its name in the legend.',
          'Unknown is not healthy: a replica without lag data counts as unhealthy.',
          'For a review meeting: `replguard report --out review.html` draws the topology, DR and findings on one page (docs/report.md).',
        ].join('\n'),
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', width: 16, height: 6, alarms: [...props.alarms] }),
    );

    this.dashboard.addWidgets(
      new cloudwatch.GraphWidget({
        title: 'Fleet',
        width: 8,
        left: [
          own(METRIC_NAMES.replicasMonitored, 'replicas monitored'),
          own(METRIC_NAMES.unhealthyReplicas, 'unhealthy replicas'),
          own(METRIC_NAMES.replicasOverCriticalLag, 'over their critical lag'),
        ],
        leftYAxis: { min: 0, showUnits: false },
      }),
      new cloudwatch.GraphWidget({
        // Raw: a replica with a lagOverride may sit above these lines without any alert.
        title: 'Worst replica lag (s), before per-replica overrides',
        width: 8,
        left: [own(METRIC_NAMES.maxReplicaLagSeconds, 'max lag')],
        leftYAxis: { min: LAG_AXIS_MIN, label: 'seconds', showUnits: false },
        leftAnnotations: [
          brokenLine(),
          { value: config.lag.warningSeconds, label: 'warning', color: cloudwatch.Color.ORANGE },
          { value: config.lag.criticalSeconds, label: 'critical', color: cloudwatch.Color.RED },
        ],
      }),
      new cloudwatch.GraphWidget({
        title: 'Open findings by severity (health check)',
        width: 8,
        stacked: true,
        left: (['critical', 'warning', 'info'] as const).map((s) =>
          own(METRIC_NAMES.findings, s, 'Maximum', scopeDims('health', { [METRIC_DIMENSIONS.severity]: s })),
        ),
        leftYAxis: { min: 0, showUnits: false },
      }),
    );

    for (const region of config.regions) {
      const search = (metricName: string, dimensions: readonly string[], label: string) =>
        new cloudwatch.MathExpression({
          expression: lagSearchExpression(metricName, dimensions),
          label,
          period: Duration.minutes(1),
          searchRegion: region,
        });
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: `Replica lag (s), ${region}: RDS read replicas, Aurora binlog and RDS-to-Aurora PostgreSQL replicas`,
          region,
          width: 12,
          left: RDS_LAG_SECONDS.map((m) => search(m.metricName, m.dimensions, '')),
          leftYAxis: { min: LAG_AXIS_MIN, label: 'seconds', showUnits: false },
          leftAnnotations: [brokenLine(), { value: config.lag.criticalSeconds, label: 'critical', color: cloudwatch.Color.RED }],
        }),
        new cloudwatch.GraphWidget({
          title: `Aurora lag (ms), ${region}: readers and global secondaries`,
          region,
          width: 12,
          left: AURORA_LAG_MS.map((m) => search(m.metricName, m.dimensions, '')),
          // Below zero too: a negative value is never drawn out of sight.
          leftYAxis: { min: LAG_AXIS_MIN, label: 'milliseconds', showUnits: false },
        }),
      );
    }

    const bottom: cloudwatch.IWidget[] = [
      new cloudwatch.GraphWidget({
        title: 'DR readiness (primaries that need a replica in another region)',
        width: 8,
        left: [own(METRIC_NAMES.drReadyPrimaries, 'ready'), own(METRIC_NAMES.drNotReadyPrimaries, 'not ready or unknown')],
        leftYAxis: { min: 0, showUnits: false },
      }),
    ];
    if (config.drift.enabled) {
      const driftPeriod = Duration.minutes(Math.min(config.schedule.driftRateMinutes, 1440));
      bottom.push(
        new cloudwatch.GraphWidget({
          title: 'Drift findings (parameters and replica/source parity)',
          width: 8,
          left: [
            new cloudwatch.Metric({ namespace, metricName: METRIC_NAMES.driftFindings, statistic: 'Maximum', period: driftPeriod, label: 'drift findings' }),
          ],
          leftYAxis: { min: 0, showUnits: false },
        }),
      );
    }
    bottom.push(
      new cloudwatch.GraphWidget({
        title: 'Checker',
        width: 8,
        left: [
          own(METRIC_NAMES.heartbeat, 'health checks', 'Sum', scopeDims('health')),
          props.checker.metricErrors({ period, statistic: 'Sum', label: 'errors' }),
        ],
        right: [own(METRIC_NAMES.checkDurationMs, 'health check duration (ms)', 'Maximum', scopeDims('health'))],
        leftYAxis: { min: 0, showUnits: false },
        rightYAxis: { min: 0, showUnits: false },
      }),
    );
    this.dashboard.addWidgets(...bottom);

    if (readsMemberAccounts(config)) {
      // SEARCH over the account dimension: an account added to the organization shows up without a redeploy.
      const perAccount = (metricName: string) =>
        new cloudwatch.MathExpression({ expression: searchExpression(namespace, [ACCOUNT_DIMENSION], metricName, period.toSeconds()), label: '', period });
      this.dashboard.addWidgets(
        new cloudwatch.TextWidget({
          width: 24,
          height: 2,
          markdown:
            '## Accounts\nOne line per account (legend: the account id). An account whose read failed sends no count: ' +
            'a gap here is CHECK_DEGRADED for that account, not health.',
        }),
      );
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: 'Unhealthy replicas by account',
          width: 12,
          left: [perAccount(METRIC_NAMES.unhealthyReplicas)],
          leftYAxis: { min: 0, showUnits: false },
        }),
        new cloudwatch.GraphWidget({
          title: 'Replicas over their critical lag by account',
          width: 12,
          left: [perAccount(METRIC_NAMES.replicasOverCriticalLag)],
          leftYAxis: { min: 0, showUnits: false },
        }),
      );
      if (config.metrics.perReplica) {
        this.dashboard.addWidgets(
          checkerLagPerReplica('Lag per replica and account as the checker saw it (s)', namespace, [ACCOUNT_DIMENSION, METRIC_DIMENSIONS.region, METRIC_DIMENSIONS.replicaId], period),
        );
      }
    }

    if (config.metrics.perReplica) {
      this.dashboard.addWidgets(
        checkerLagPerReplica('Lag per replica as the checker saw it (s)', namespace, [METRIC_DIMENSIONS.region, METRIC_DIMENSIONS.replicaId], period),
      );
    }
  }
}
