import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG, matches, parseConfig } from '../../../lambdas/core/config';
import { evaluate } from '../../../lambdas/core/rules/evaluate';
import { tagsToRecord } from '../../../lambdas/core/fleet/model';
import { parseSnapshotText } from '../../../lambdas/core/fleet/snapshot';
import { fleet, instance, replica } from '../../support/fleet';
import { baselineOf, drift, group, NO_BASELINE, only } from './drift/helpers';

/** Names that are also properties of every plain object. */
const DANGEROUS = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'] as const;
const REGION = 'us-east-1';

/** A MySQL source and replica whose parameter groups carry the given names. */
function pairWithGroups(sourceGroup: string, replicaGroup: string, listed: boolean) {
  return fleet({
    [REGION]: {
      dbInstances: [
        instance('src', { DBParameterGroups: [{ DBParameterGroupName: sourceGroup, ParameterApplyStatus: 'in-sync' }] }),
        replica('ro', 'src', { DBParameterGroups: [{ DBParameterGroupName: replicaGroup, ParameterApplyStatus: 'in-sync' }] }),
      ],
      // Either no listing for these names at all (the lookup must say "missing"), or a real one.
      dbParameters: listed
        ? Object.fromEntries([
            [sourceGroup, group({ read_only: '0', max_allowed_packet: '67108864' })],
            [replicaGroup, group({ read_only: '0', max_allowed_packet: '16777216' })],
          ])
        : { other: group({ read_only: '1' }) },
    },
  });
}

describe('names that are also object properties', () => {
  for (const name of DANGEROUS) {
    it(`drift runs when a parameter group named "${name}" was not read`, () => {
      // Prepare: the replica's group is named after an Object.prototype property and is absent from the listing.
      const snapshot = pairWithGroups('src-params', name, false);

      // Act
      const findings = drift(snapshot, NO_BASELINE);

      // Assess: no crash, no parity finding invented from Object.prototype
      expect(only(findings, 'REPLICA_WRITABLE')).toHaveLength(0);
      expect(only(findings, 'REPLICA_PARAM_BELOW_SOURCE')).toHaveLength(0);
    });

    it(`drift reads a parameter group named "${name}" through the snapshot reader`, () => {
      // Prepare: a snapshot file whose parameter groups are named "name" (replica) and "src-params" (source)
      const text = JSON.stringify(pairWithGroups('src-params', name, true));

      // Act
      const snapshot = parseSnapshotText(text, 'fleet.json');
      const findings = drift(snapshot, NO_BASELINE);

      // Assess: the group survives parsing and its parameters are judged
      expect(Object.keys(snapshot.regions[REGION]!.dbParameters!)).toContain(name);
      expect(only(findings, 'REPLICA_WRITABLE').map((f) => f.resource)).toEqual(['ro']);
      expect(only(findings, 'REPLICA_PARAM_MISMATCH').map((f) => f.evidence.parameter)).toContain('max_allowed_packet');
    });

    it(`a tag key "${name}" is kept and matched`, () => {
      // Prepare
      const tags = tagsToRecord([{ Key: name, Value: 'yes' }]);
      const config = parseConfig(JSON.parse(`{"lagOverrides":[{"match":{"tags":{"${name}":"yes"}},"warningSeconds":1}]}`));

      // Act / Assess
      expect(Object.keys(tags)).toEqual([name]);
      expect(Object.keys(config.lagOverrides[0]!.match.tags!)).toEqual([name]);
      expect(matches(config.lagOverrides[0]!.match, 'db', tags)).toBe(true);
      expect(matches(config.lagOverrides[0]!.match, 'db', tagsToRecord([]))).toBe(false);
    });

    it(`a baseline entry scoped to tag "${name}" applies only where the tag is set`, () => {
      // Prepare
      const baseline = baselineOf([
        { parameter: 'read_only', expect: '1', severity: 'warning', reason: 'Replicas are read-only.', engine: 'mysql', tags: JSON.parse(`{"${name}":"x"}`) },
      ]);
      const untagged = pairWithGroups('src-params', 'ro-params', true);

      // Act
      const findings = only(drift(untagged, baseline), 'PARAM_DRIFT');

      // Assess
      expect(findings).toHaveLength(0);
    });
  }

  it('evaluates a whole snapshot whose identifiers and groups are dangerous names', () => {
    const text = JSON.stringify(
      fleet({
        [REGION]: {
          dbInstances: [
            instance('constructor', { DBParameterGroups: [{ DBParameterGroupName: 'toString', ParameterApplyStatus: 'in-sync' }] }),
            replica('hasOwnProperty', 'constructor', { DBParameterGroups: [{ DBParameterGroupName: '__proto__', ParameterApplyStatus: 'in-sync' }] }),
          ],
          dbParameters: {},
        },
      }),
    );

    const report = evaluate(parseSnapshotText(text, 'fleet.json'), { config: DEFAULT_CONFIG, scope: 'all' });

    expect(report.replicas.map((r) => [r.id, r.sourceId])).toEqual([['hasOwnProperty', 'constructor']]);
  });
});
