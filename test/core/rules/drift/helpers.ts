/** Builders for the drift tests: parameter listings and a one-call evaluation. */
import { DEFAULT_CONFIG, parseConfig, type ConfigInput } from '../../../../lambdas/core/config';
import { DEFAULT_BASELINE, parseBaseline, type Baseline, type BaselineInput } from '../../../../lambdas/core/rules/drift/baseline';
import { evaluateDrift } from '../../../../lambdas/core/rules/drift/rules';
import { createContext } from '../../../../lambdas/core/rules/evaluate';
import type { Finding, FindingCode } from '../../../../lambdas/core/findings';
import type { FleetSnapshot, Parameter } from '../../../../lambdas/core/fleet/model';

/** A parameter as DescribeDBParameters lists it; `Source` defaults to `user`. */
export function param(name: string, value: string | undefined, fields: Partial<Parameter> = {}): Parameter {
  return {
    ParameterName: name,
    ...(value === undefined ? {} : { ParameterValue: value }),
    Source: 'user',
    IsModifiable: true,
    ...fields,
  };
}

/** `{ binlog_format: 'ROW', ... }` → a group listing, all user-set. */
export function group(values: Record<string, string>): Parameter[] {
  return Object.entries(values).map(([name, value]) => param(name, value));
}

export function baselineOf(entries: BaselineInput['entries']): Baseline {
  return parseBaseline({ format: 'replguard-baseline/v1', entries }, 'test baseline');
}

/** An empty baseline: only the instance-level and parity rules speak. */
export const NO_BASELINE: Baseline = baselineOf([]);

export function drift(snapshot: FleetSnapshot, baseline: Baseline = DEFAULT_BASELINE, config: ConfigInput = {}): Finding[] {
  const ctx = createContext(snapshot, Object.keys(config).length ? parseConfig(config) : DEFAULT_CONFIG);
  return evaluateDrift(ctx, baseline);
}

export function only(findings: readonly Finding[], code: FindingCode): Finding[] {
  return findings.filter((f) => f.code === code);
}
