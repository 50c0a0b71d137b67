import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/**
 * An ARN as cdk-nag names it in a finding: tokens of pseudo parameters as `<AWS::Name>`.
 * cdk-nag renders the resolved CloudFormation (Ref/Fn::Join) that way.
 */
export function iamNagArn(arn: string, scope: Construct): string {
  const resolved = Stack.of(scope).resolve(arn) as unknown;
  const render = (value: unknown): string => {
    if (typeof value === 'string') return value;
    if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      if (typeof v.Ref === 'string') return `<${v.Ref}>`;
      if (Array.isArray(v['Fn::Join'])) {
        const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
        return parts.map(render).join(separator);
      }
    }
    throw new Error(`cannot name ${JSON.stringify(value)} as cdk-nag does`);
  };
  return render(resolved);
}
