import { describe, expect, it } from 'vitest';
import { conditionsHold, resolveTemplateValue, UnsupportedConditionError } from './iam-condition';

const ALARM = 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:Guard-HeartbeatMissing';

describe('conditionsHold', () => {
  it('holds with no condition block', () => {
    expect(conditionsHold(undefined, {})).toBe(true);
  });

  it('compares StringEquals exactly and case-sensitively, any listed value matching', () => {
    const condition = { StringEquals: { 'aws:SourceAccount': ['111111111111', '123456789012'] } };
    expect(conditionsHold(condition, { 'aws:SourceAccount': '123456789012' })).toBe(true);
    expect(conditionsHold(condition, { 'aws:SourceAccount': '999999999999' })).toBe(false);
    expect(conditionsHold({ StringEquals: { k: 'Abc' } }, { k: 'abc' })).toBe(false);
  });

  it('fails a condition whose key the request does not carry', () => {
    expect(conditionsHold({ StringEquals: { 'aws:SourceAccount': '123456789012' } }, {})).toBe(false);
  });

  it('needs every key and every operator to hold', () => {
    const condition = { StringEquals: { 'aws:SourceAccount': '123456789012' }, ArnLike: { 'aws:SourceArn': ALARM } };
    expect(conditionsHold(condition, { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': ALARM })).toBe(true);
    expect(conditionsHold(condition, { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': `${ALARM}2` })).toBe(false);
    expect(conditionsHold(condition, { 'aws:SourceAccount': '999999999999', 'aws:SourceArn': ALARM })).toBe(false);
  });

  it('matches ARNs component by component, wildcards staying inside their component', () => {
    const like = (pattern: string, arn: string) => conditionsHold({ ArnLike: { 'aws:SourceArn': pattern } }, { 'aws:SourceArn': arn });
    expect(like('arn:aws:cloudwatch:eu-west-1:123456789012:alarm:Guard-*', ALARM)).toBe(true);
    expect(like('arn:aws:cloudwatch:*:123456789012:alarm:*', ALARM)).toBe(true);
    expect(like('arn:aws:cloudwatch:eu-west-?:123456789012:alarm:*', ALARM)).toBe(true);
    expect(like('arn:aws:cloudwatch:eu-west-1:123456789012:alarm:Other-*', ALARM)).toBe(false);
    // A * in the region does not swallow the account.
    expect(like('arn:aws:cloudwatch:*:alarm:*', ALARM)).toBe(false);
    expect(conditionsHold({ ArnEquals: { 'aws:SourceArn': ALARM } }, { 'aws:SourceArn': ALARM })).toBe(true);
    expect(conditionsHold({ ArnEquals: { 'aws:SourceArn': ALARM } }, { 'aws:SourceArn': ALARM.replace('Guard', 'guard') })).toBe(false);
  });

  it('fills policy variables in condition values from the request, and fails when the request lacks them', () => {
    const sameOrg = { StringEquals: { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' } };
    expect(conditionsHold(sameOrg, { 'aws:ResourceOrgID': 'o-abc1234567', 'aws:PrincipalOrgID': 'o-abc1234567' })).toBe(true);
    expect(conditionsHold(sameOrg, { 'aws:ResourceOrgID': 'o-other00000', 'aws:PrincipalOrgID': 'o-abc1234567' })).toBe(false);
    // Unsubstituted, the literal "${aws:PrincipalOrgID}" would match a request carrying that text.
    expect(conditionsHold(sameOrg, { 'aws:ResourceOrgID': '${aws:PrincipalOrgID}' })).toBe(false);
  });

  it('refuses operators it does not implement', () => {
    expect(() => conditionsHold({ StringNotEquals: { k: 'v' } }, { k: 'v' })).toThrow(UnsupportedConditionError);
  });
});

describe('resolveTemplateValue', () => {
  it('fills in pseudo parameters inside joins and refuses references to resources', () => {
    const joined = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sns:eu-west-1:123456789012:t']] };
    expect(resolveTemplateValue([joined], { 'AWS::Partition': 'aws' })).toEqual(['arn:aws:sns:eu-west-1:123456789012:t']);
    expect(() => resolveTemplateValue({ Ref: 'MyTopic' }, {})).toThrow(UnsupportedConditionError);
  });

  it('fills in given template parameters, and selects from splits of them', () => {
    const roles = ['arn:aws:iam::111122223333:role/a', 'arn:aws:iam::111122223333:role/b'];
    const account = { 'Fn::Select': [4, { 'Fn::Split': [':', { 'Fn::Select': [0, { Ref: 'Roles' }] }] }] };
    expect(resolveTemplateValue({ Ref: 'Roles' }, {}, { Roles: roles })).toEqual(roles);
    expect(resolveTemplateValue(account, {}, { Roles: roles })).toBe('111122223333');
    expect(() => resolveTemplateValue({ 'Fn::Select': [3, { Ref: 'Roles' }] }, {}, { Roles: roles })).toThrow(UnsupportedConditionError);
  });
});
