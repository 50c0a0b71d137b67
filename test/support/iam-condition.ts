/**
 * Evaluates the Condition block of an IAM policy statement against a request context, following
 * the IAM User Guide ("IAM JSON policy elements: Condition operators": string and ARN condition
 * operators; "Creating a condition with multiple keys or values": keys and operators are ANDed,
 * the values of one key are ORed; a key missing from the request context does not match).
 * Test tooling: stack tests judge the synthesized topic and key policies with it. An operator it
 * does not implement makes it throw instead of guessing.
 */

export class UnsupportedConditionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedConditionError';
  }
}

/** Request context: condition key → value (single-valued keys only). */
export type RequestContext = Readonly<Record<string, string | undefined>>;

/** `*` any run of characters, `?` exactly one; everything else literal and case-sensitive. */
function globMatches(pattern: string, value: string): boolean {
  // Iterative wildcard match with backtracking to the last `*` (linear in practice, no regex).
  let p = 0;
  let v = 0;
  let star = -1;
  let mark = 0;
  while (v < value.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === value[v])) {
      p++;
      v++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = p++;
      mark = v;
    } else if (star !== -1) {
      p = star + 1;
      v = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.length && pattern[p] === '*') p++;
  return p === pattern.length;
}

/** The six components of an ARN (the resource part may itself hold colons). */
function arnParts(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}

function arnMatches(pattern: string, value: string): boolean {
  const p = arnParts(pattern);
  const v = arnParts(value);
  if (!p || !v) return false;
  return p.every((part, i) => globMatches(part, v[i]!));
}

const OPERATORS: Record<string, (expected: string, actual: string) => boolean> = {
  StringEquals: (expected, actual) => expected === actual,
  StringLike: globMatches,
  // The guide gives ArnEquals and ArnLike the same component-wise matching with wildcards.
  ArnEquals: arnMatches,
  ArnLike: arnMatches,
};

/**
 * A condition value's policy variables (`${aws:PrincipalOrgID}`) replaced with the request's
 * values ("IAM policy elements: Variables and tags"); undefined when a variable's key is missing
 * from the request, which then does not match.
 */
function withPolicyVariables(value: string, context: RequestContext): string | undefined {
  let missing = false;
  const out = value.replace(/\$\{([^}]+)\}/g, (_, key: string) => {
    const v = context[key];
    if (v === undefined) missing = true;
    return v ?? '';
  });
  return missing ? undefined : out;
}

/** True when every condition of the block holds for the request context. */
export function conditionsHold(condition: Readonly<Record<string, unknown>> | undefined, context: RequestContext): boolean {
  if (condition === undefined) return true;
  return Object.entries(condition).every(([operator, keys]) => {
    const test = OPERATORS[operator];
    if (!test) throw new UnsupportedConditionError(`condition operator ${operator} is not supported by this evaluator`);
    if (keys === null || typeof keys !== 'object' || Array.isArray(keys)) {
      throw new UnsupportedConditionError(`${operator} must map condition keys to values: ${JSON.stringify(keys)}`);
    }
    return Object.entries(keys).every(([key, expected]) => {
      const actual = context[key];
      if (actual === undefined) return false;
      const values = [expected].flat();
      if (!values.every((e): e is string => typeof e === 'string')) {
        throw new UnsupportedConditionError(`${operator} ${key}: values must be strings (resolve the template first): ${JSON.stringify(expected)}`);
      }
      return values.some((e) => {
        const substituted = withPolicyVariables(e, context);
        return substituted !== undefined && test(substituted, actual);
      });
    });
  });
}

/**
 * Replaces the pseudo parameters and `Fn::Join`s a synthesized template leaves in policy values
 * with their values for one deployment. Anything else throws: a policy that references another
 * resource cannot be judged without deploying it.
 */
export function resolveTemplateValue(
  value: unknown,
  pseudo: Readonly<Record<string, string>>,
  parameters: Readonly<Record<string, string | readonly string[]>> = {},
): unknown {
  const resolve = (v: unknown) => resolveTemplateValue(v, pseudo, parameters);
  if (Array.isArray(value)) return value.map(resolve);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [fn, arg] = entries[0]!;
    if (fn === 'Ref' && typeof arg === 'string' && arg.startsWith('AWS::')) {
      const resolved = pseudo[arg];
      if (resolved === undefined) throw new UnsupportedConditionError(`no value given for ${arg}`);
      return resolved;
    }
    if (fn === 'Ref' && typeof arg === 'string' && parameters[arg] !== undefined) return parameters[arg];
    if (fn === 'Fn::Select' && Array.isArray(arg)) {
      const [index, list] = [Number(arg[0]), resolve(arg[1])];
      if (!Array.isArray(list) || list[index] === undefined) throw new UnsupportedConditionError(`cannot select ${index} from ${JSON.stringify(list)}`);
      return list[index];
    }
    if (fn === 'Fn::Split' && Array.isArray(arg)) {
      const [separator, source] = [arg[0] as string, resolve(arg[1])];
      if (typeof source !== 'string') throw new UnsupportedConditionError(`cannot split ${JSON.stringify(source)}`);
      return source.split(separator);
    }
    if (fn === 'Fn::Join' && Array.isArray(arg)) {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map((p) => {
        const resolved = resolve(p);
        if (typeof resolved !== 'string') throw new UnsupportedConditionError(`cannot join ${JSON.stringify(p)}`);
        return resolved;
      }).join(separator);
    }
    if (fn === 'Ref' || fn.startsWith('Fn::')) throw new UnsupportedConditionError(`cannot resolve ${JSON.stringify(value)} without deploying`);
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, resolve(v)]));
}
