import type { ReadLevel } from '../fleet/cadence';
import type { Config } from '../config';
import type { MetricIndex } from '../fleet/metric-plan';
import type { FleetSnapshot } from '../fleet/model';
import type { Topology } from '../fleet/topology';

/** Everything a rule may read. Rules are pure functions of this. */
export interface EvaluationContext {
  readonly snapshot: FleetSnapshot;
  readonly topology: Topology;
  readonly metrics: MetricIndex;
  readonly config: Config;
  /** Evaluation time: the snapshot's `capturedAt`. */
  readonly now: Date;
  /** What the read included (lambdas/core/fleet/cadence); rules needing more are not evaluated. @default 'full' */
  readonly reads?: ReadLevel;
}
