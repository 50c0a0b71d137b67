import { describe, expect, it } from 'vitest';
import { alarmNotifications, replayAlarm } from './alarm-evaluation';

const over0 = { Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1 };

describe('replayAlarm', () => {
  it('goes to ALARM on a breaching datapoint and back to OK on the next good one', () => {
    expect(replayAlarm({ ...over0, TreatMissingData: 'notBreaching' }, [0, 2, undefined, 1])).toEqual(['OK', 'ALARM', 'OK', 'ALARM']);
  });

  it('treats missing data as the definition says', () => {
    const heartbeat = { Threshold: 1, ComparisonOperator: 'LessThanThreshold', EvaluationPeriods: 3, DatapointsToAlarm: 3 };
    expect(replayAlarm({ ...heartbeat, TreatMissingData: 'breaching' }, [1, undefined, undefined, undefined])).toEqual(['OK', 'OK', 'OK', 'ALARM']);
    expect(replayAlarm({ ...over0, TreatMissingData: 'ignore' }, [1, undefined])).toEqual(['ALARM', 'ALARM']);
    expect(replayAlarm({ ...over0, TreatMissingData: 'missing' }, [1, undefined])).toEqual(['ALARM', 'INSUFFICIENT_DATA']);
  });

  it('counts one notification per transition into ALARM', () => {
    expect(alarmNotifications(['OK', 'ALARM', 'ALARM', 'OK', 'ALARM'])).toBe(2);
  });
});
