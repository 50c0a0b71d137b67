import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/core/config';
import { READ_ACTIONS, readActionsFor } from '../../lambdas/core/fleet/read-actions';
import { ORGANIZATIONS_READ_ACTIONS } from '../../lib/cross-account-access';

const SOURCE = readFileSync('lambdas/aws/live-reader-calls.ts', 'utf8');
const SERVICES: Record<string, string> = { '@aws-sdk/client-rds': 'rds', '@aws-sdk/client-cloudwatch': 'cloudwatch', '@aws-sdk/client-organizations': 'organizations' };

/** `service:Operation` of every SDK command the reader's calls construct, from the source. */
function commandsSent(source: string): string[] {
  const serviceOf = new Map<string, string>();
  for (const [, names, module] of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'([^']+)'/g)) {
    for (const name of names!.split(',').map((n) => n.trim())) {
      if (name.endsWith('Command') && SERVICES[module!]) serviceOf.set(name, SERVICES[module!]!);
    }
  }
  return [...source.matchAll(/new (\w+Command)\(/g)].map(([, name]) => {
    const service = serviceOf.get(name!);
    if (!service) throw new Error(`${name} is not imported from a known SDK client`);
    return `${service}:${name!.replace(/Command$/, '')}`;
  });
}

describe('READ_ACTIONS', () => {
  it('is exactly the set of calls the live reader sends', () => {
    // Act
    const sent = commandsSent(SOURCE);

    // Assess
    expect([...new Set(sent)].sort()).toEqual([...Object.values(READ_ACTIONS)].sort());
  });

  it('names each pager by the action of the command it sends', () => {
    const pairs = [...SOURCE.matchAll(/readAllPages\(READ_ACTIONS\.(\w+),[\s\S]*?new (\w+)Command\(/g)].map(([, key, command]) => [
      READ_ACTIONS[key as keyof typeof READ_ACTIONS],
      `rds:${command}`,
    ]);

    expect(pairs.length).toBe(6);
    for (const [named, sent] of pairs) expect(named).toBe(sent);
  });

  it('fails on a call that is not in the list (the check can fail)', () => {
    const extra = `${SOURCE}\nimport { DescribeDBSnapshotsCommand } from '@aws-sdk/client-rds';\nrds.send(new DescribeDBSnapshotsCommand({}));`;

    expect([...new Set(commandsSent(extra))]).toContain('rds:DescribeDBSnapshots');
  });
});

describe('readActionsFor', () => {
  it('adds parameter reads only with drift and backup reads only when DR requires them', () => {
    const base = readActionsFor(parseConfig({ drift: { enabled: false } }));
    const all = readActionsFor(parseConfig({ drift: { enabled: true }, dr: { requireReplicatedBackups: true } }));

    expect(base).toEqual(['rds:DescribeDBInstances', 'rds:DescribeDBClusters', 'rds:DescribeGlobalClusters', 'cloudwatch:GetMetricData']);
    expect([...all].sort()).toEqual([...Object.values(READ_ACTIONS)].sort());
  });
});

describe('ORGANIZATIONS_READ_ACTIONS', () => {
  it('is exactly the set of calls the deployed account discovery sends (nothing granted that is not called)', () => {
    // Act
    const sent = commandsSent(readFileSync('lambdas/aws/organizations.ts', 'utf8'));

    // Assess
    expect([...new Set(sent)].sort()).toEqual([...ORGANIZATIONS_READ_ACTIONS].sort());
  });
});
