import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Config } from '../lambdas/core/config';
import {
  CLOUDTRAIL_API_CALL,
  CLUSTER_EVENT_IDS,
  DRIFT_API_CALLS,
  PARAMETER_GROUP_EVENT_IDS,
  RDS_CLUSTER_EVENT,
  RDS_EVENT_SOURCE,
  RDS_INSTANCE_EVENT,
  RDS_PARAMETER_GROUP_EVENT,
  REPLICATION_EVENT_IDS,
  type ScheduledCheckInput,
} from '../lambdas/checker/trigger';

export interface CheckTriggersProps {
  readonly config: Config;
  readonly checker: lambda.IFunction;
  /** Events EventBridge could not deliver to the checker. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * The fan-out: the health schedule starts it instead of invoking the checker, which then runs
   * once on the merged read. Event-triggered checks still invoke the checker.
   * @default - the schedule invokes the checker
   */
  readonly healthStateMachine?: sfn.IStateMachine;
}

/**
 * What runs a check. The schedules guarantee detection; the RDS and CloudTrail events only make
 * it faster (EventBridge delivery is best effort, and only events of this stack's region arrive).
 */
export class CheckTriggers extends Construct {
  readonly healthSchedule: events.Rule;
  readonly replicationEvents: events.Rule;
  readonly clusterEvents: events.Rule;
  readonly driftSchedule?: events.Rule;
  readonly parameterGroupEvents?: events.Rule;
  readonly driftApiCalls?: events.Rule;

  constructor(scope: Construct, id: string, props: CheckTriggersProps) {
    super(scope, id);
    const { config } = props;
    const target = (input?: ScheduledCheckInput) =>
      new targets.LambdaFunction(props.checker, {
        ...(input ? { event: events.RuleTargetInput.fromObject(input) } : {}),
        deadLetterQueue: props.deadLetterQueue,
        retryAttempts: 2,
        maxEventAge: Duration.hours(1),
      });

    this.healthSchedule = new events.Rule(this, 'HealthSchedule', {
      description: `Replication Guard health check every ${config.schedule.checkRateMinutes} min`,
      schedule: events.Schedule.rate(Duration.minutes(config.schedule.checkRateMinutes)),
      // The schedule's time decides what the run reads (status, lag or everything: lambdas/core/fleet/cadence).
      targets: [
        props.healthStateMachine
          ? new targets.SfnStateMachine(props.healthStateMachine, {
              input: events.RuleTargetInput.fromObject({ scope: 'health', time: events.EventField.time }),
              deadLetterQueue: props.deadLetterQueue,
              retryAttempts: 2,
              maxEventAge: Duration.hours(1),
            })
          : target({ scope: 'health', time: events.EventField.time }),
      ],
    });
    // The raw event goes to the checker: it maps the detail type to the scope.
    this.replicationEvents = new events.Rule(this, 'ReplicationEvents', {
      description: 'Replication error, resumed, streaming terminated or stopped: health check at once',
      eventPattern: {
        source: [RDS_EVENT_SOURCE],
        detailType: [RDS_INSTANCE_EVENT],
        detail: { EventID: [...REPLICATION_EVENT_IDS] },
      },
      targets: [target()],
    });
    this.clusterEvents = new events.Rule(this, 'ClusterEvents', {
      description: 'Aurora or Multi-AZ DB cluster failover, stop/start, or global database failover: health check at once',
      eventPattern: {
        source: [RDS_EVENT_SOURCE],
        detailType: [RDS_CLUSTER_EVENT],
        detail: { EventID: [...CLUSTER_EVENT_IDS] },
      },
      targets: [target()],
    });

    if (!config.drift.enabled) return;
    this.driftSchedule = new events.Rule(this, 'DriftSchedule', {
      description: `Replication Guard drift check every ${config.schedule.driftRateMinutes} min`,
      schedule: events.Schedule.rate(Duration.minutes(config.schedule.driftRateMinutes)),
      targets: [target({ scope: 'drift' })],
    });
    this.parameterGroupEvents = new events.Rule(this, 'ParameterGroupEvents', {
      description: 'A parameter group was updated: drift check at once',
      eventPattern: {
        source: [RDS_EVENT_SOURCE],
        detailType: [RDS_PARAMETER_GROUP_EVENT],
        detail: { EventID: [...PARAMETER_GROUP_EVENT_IDS] },
      },
      targets: [target()],
    });
    this.driftApiCalls = new events.Rule(this, 'DriftApiCalls', {
      description: 'Parameter group, instance or cluster modified (CloudTrail, needs a trail): drift check at once',
      eventPattern: {
        source: [RDS_EVENT_SOURCE],
        detailType: [CLOUDTRAIL_API_CALL],
        detail: { eventSource: ['rds.amazonaws.com'], eventName: [...DRIFT_API_CALLS] },
      },
      targets: [target()],
    });
  }
}
