/**
 * Replays a CloudWatch metric alarm over a series of period values, following the CloudWatch User
 * Guide ("Using Amazon CloudWatch alarms": evaluation period, datapoints to alarm, "Configuring how
 * CloudWatch alarms treat missing data"). Test tooling, simplified: one datapoint per period, no
 * evaluation delay, and missing data handled per period as TreatMissingData says.
 */

export interface AlarmDefinition {
  readonly Threshold: number;
  readonly ComparisonOperator: string;
  readonly EvaluationPeriods: number;
  readonly DatapointsToAlarm?: number;
  readonly TreatMissingData?: string;
}

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

function breaches(alarm: AlarmDefinition, value: number): boolean {
  switch (alarm.ComparisonOperator) {
    case 'GreaterThanThreshold':
      return value > alarm.Threshold;
    case 'GreaterThanOrEqualToThreshold':
      return value >= alarm.Threshold;
    case 'LessThanThreshold':
      return value < alarm.Threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= alarm.Threshold;
    default:
      throw new Error(`comparison ${alarm.ComparisonOperator} is not supported here`);
  }
}

/** The alarm's state after each period; `undefined` is a period without a datapoint. */
export function replayAlarm(alarm: AlarmDefinition, values: readonly (number | undefined)[]): AlarmState[] {
  const needed = alarm.DatapointsToAlarm ?? alarm.EvaluationPeriods;
  const missing = alarm.TreatMissingData ?? 'missing';
  let state: AlarmState = 'INSUFFICIENT_DATA';
  return values.map((_, i) => {
    const window = values.slice(Math.max(0, i - alarm.EvaluationPeriods + 1), i + 1);
    const present = window.filter((v): v is number => v !== undefined);
    if (present.length === 0) {
      if (missing === 'ignore') return state;
      if (missing === 'missing') return (state = 'INSUFFICIENT_DATA');
    }
    const bad = window.filter((v) => (v === undefined ? missing === 'breaching' : breaches(alarm, v))).length;
    state = bad >= needed ? 'ALARM' : 'OK';
    return state;
  });
}

/** How many times the alarm went into ALARM, i.e. how many notifications its alarm action sent. */
export function alarmNotifications(states: readonly AlarmState[]): number {
  return states.filter((s, i) => s === 'ALARM' && (i === 0 || states[i - 1] !== 'ALARM')).length;
}
