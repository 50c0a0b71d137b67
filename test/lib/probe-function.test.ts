import { Match, type Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConfigInput } from '../../lambdas/core/config';
import { EXAMPLE_CONFIG, policyStatements, synthGuard } from './synth';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-orders-AbCdEf';
const KEY = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
const PROBES: ConfigInput = {
  ...EXAMPLE_CONFIG,
  schedule: { checkRateMinutes: 2 },
  probes: {
    vpcs: [
      { name: 'app', vpcId: 'vpc-0a0a0a0a0a0a0a0a0', subnetIds: ['subnet-0a0a0a0a0a0a0a0a1', 'subnet-0a0a0a0a0a0a0a0a2'], securityGroupIds: ['sg-0a0a0a0a0a0a0a0a1'] },
      { name: 'data', vpcId: 'vpc-0b0b0b0b0b0b0b0b0', subnetIds: ['subnet-0b0b0b0b0b0b0b0b1'], securityGroupIds: ['sg-0b0b0b0b0b0b0b0b1'] },
    ],
    targets: [
      { match: { identifier: 'orders*' }, vpc: 'app', credentials: { secretArn: SECRET, kmsKeyArn: KEY } },
      { match: { tags: { team: 'data' } }, vpc: 'data', credentials: { iamUser: 'replguard_probe' } },
    ],
  },
};

type Resource = { Properties: Record<string, unknown> };
const probeFunctions = (template: Template) =>
  Object.values(template.findResources('AWS::Lambda::Function')).filter((f) =>
    String((f as Resource).Properties.Description ?? '').startsWith('Replication Guard probe'),
  ) as Resource[];

describe('ProbeFunction in the stack', () => {
  let template: Template;
  let app: ReturnType<typeof synthGuard>['app'];
  beforeAll(() => {
    ({ template, app } = synthGuard(PROBES));
  });

  it('deploys no probe without a probes section', () => {
    expect(probeFunctions(synthGuard().template)).toHaveLength(0);
  });

  it('runs one arm64 function per VPC, in its subnets and security groups, on the health check rate', () => {
    const functions = probeFunctions(template);
    expect(functions).toHaveLength(2);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('VPC app$'),
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      VpcConfig: { SubnetIds: ['subnet-0a0a0a0a0a0a0a0a1', 'subnet-0a0a0a0a0a0a0a0a2'], SecurityGroupIds: ['sg-0a0a0a0a0a0a0a0a1'] },
      Environment: { Variables: Match.objectLike({ PROBE_VPC: 'app', PROBE_CA_BUNDLE_FILE: '/var/runtime/ca-cert.pem' }) },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      Description: Match.stringLikeRegexp('probe in VPC data'),
      ScheduleExpression: 'rate(2 minutes)',
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0, DestinationConfig: { OnFailure: Match.anyValue() } });
  });

  it('grants the named secret and key to the VPC that uses them, and rds-db:connect on the exact user to the other', () => {
    const statements = policyStatements(template);
    const of = (sid: string) => statements.filter((s) => s.Sid === sid);
    expect(of('ReadCredentials')).toEqual([expect.objectContaining({ Action: 'secretsmanager:GetSecretValue', Resource: SECRET })]);
    expect(of('DecryptCredentials')).toEqual([expect.objectContaining({ Action: 'kms:Decrypt', Resource: KEY })]);
    expect(of('ConnectAsProbeUser')).toHaveLength(1);
    expect(JSON.stringify(of('ConnectAsProbeUser')[0]!.Resource)).toContain(':dbuser:*/replguard_probe');
    expect(of('WriteResults')).toHaveLength(2);
    expect(of('WriteResults')[0]).toMatchObject({ Action: 'dynamodb:PutItem', Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['probe-results'] } } });
    expect(statements.some((s) => s.Action === 'secretsmanager:GetSecretValue' && s.Resource === '*')).toBe(false);
    // The VPC access policy Lambda needs for its network interfaces (acknowledged next to the role).
    expect(JSON.stringify(template.findResources('AWS::IAM::Role'))).toContain('service-role/AWSLambdaVPCAccessExecutionRole');
  });

  it('leaves cdk-nag nothing unacknowledged', () => {
    const report = new AwsSolutionsChecks(app).validateScope(app);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  it('fails synth naming the download command when the CA bundle file is missing', () => {
    expect(() => synthGuard(PROBES, { props: { probeCaBundleFile: '/nonexistent/global-bundle.pem' } })).toThrow(
      /caBundleFile \/nonexistent\/global-bundle\.pem does not exist[\s\S]*truststore\.pki\.rds\.amazonaws\.com\/global\/global-bundle\.pem/,
    );
  });
});
