/** REPLICATION_SLOT_LAG_HIGH at its edges, asserted on the evidence a responder reads. */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../../lambdas/core/config';
import { evaluate } from '../../../../lambdas/core/rules/evaluate';
import type { ReadLevel } from '../../../../lambdas/core/fleet/cadence';
import { fleet, instance, series } from '../../../support/fleet';

const GiB = 1024 ** 3;
const check = (engine: string, values: readonly number[], reads?: ReadLevel) =>
  evaluate(
    fleet({
      'us-east-1': {
        dbInstances: [instance('events', { Engine: engine })],
        metrics: [series('OldestReplicationSlotLag', { DBInstanceIdentifier: 'events' }, values)],
      },
    }),
    { config: parseConfig({}), scope: 'health', reads },
  ).findings;

describe('REPLICATION_SLOT_LAG_HIGH evidence', () => {
  it('warns with the latest bytes, the warning threshold and when the streak began', () => {
    const findings = check('postgres', [GiB, GiB, 6 * GiB, 6 * GiB, 7 * GiB]);

    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ code: 'REPLICATION_SLOT_LAG_HIGH', severity: 'warning', resource: 'events' });
    expect(findings[0]!.evidence).toEqual({
      metric: 'OldestReplicationSlotLag',
      bytes: 7 * GiB,
      thresholdBytes: 5 * GiB,
      datapointsOver: 3,
      evaluatedDatapoints: 5,
      since: 'since 2026-11-24T09:58:00.000Z',
    });
  });

  it('is critical against the critical threshold, over since the window began', () => {
    const findings = check('postgres', [21 * GiB, 21 * GiB, 22 * GiB]);

    expect(findings.map((f) => f.severity)).toEqual(['critical']);
    expect(findings[0]!.evidence).toMatchObject({
      bytes: 22 * GiB,
      thresholdBytes: 20 * GiB,
      datapointsOver: 3,
      since: 'since at least 2026-11-24T09:58:00.000Z',
    });
  });

  it('stays silent at exactly the threshold: over means more than', () => {
    expect(check('postgres', [5 * GiB, 5 * GiB, 5 * GiB])).toEqual([]);
  });

  it('reads the slot lag of PostgreSQL only', () => {
    expect(check('mysql', [30 * GiB, 30 * GiB, 30 * GiB])).toEqual([]);
  });

  it('dates the streak from the first datapoint over the threshold, not one at it', () => {
    const findings = check('postgres', [GiB, 5 * GiB, 6 * GiB, 6 * GiB, 7 * GiB]);

    expect(findings.map((f) => f.severity)).toEqual(['warning']);
    expect(findings[0]!.evidence).toMatchObject({ datapointsOver: 3, since: 'since 2026-11-24T09:58:00.000Z' });
  });

  // Slot lag is read on full runs only (cadence): a lighter run must neither raise nor clear it.
  it.each(['status', 'lag'] as const)('is not evaluated on a %s run', (reads) => {
    expect(check('postgres', [30 * GiB, 30 * GiB, 30 * GiB], reads)).toEqual([]);
  });

  it('is evaluated on a full run', () => {
    expect(check('postgres', [30 * GiB, 30 * GiB, 30 * GiB], 'full').map((f) => `${f.code}:${f.severity}`)).toEqual(['REPLICATION_SLOT_LAG_HIGH:critical']);
  });
});
