/**
 * The EventBridge pattern matcher against the examples of the Amazon EventBridge User Guide
 * (section named in each test): the documented event, pattern and verdict.
 */
import { describe, expect, it } from 'vitest';
import { eventPatternMatches, UnsupportedPatternError } from './event-pattern';

// "Amazon EventBridge event patterns": the EC2 example event.
const EC2 = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};

// "Matching null values and empty strings": the Auto Scaling example event.
const AUTOSCALING = {
  version: '0',
  id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
  'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling',
  account: '123456789012',
  time: '2015-11-11T21:31:47Z',
  region: 'us-east-1',
  resources: [],
  detail: { eventVersion: '', responseElements: null },
};

describe('eventPatternMatches: Amazon EventBridge event patterns', () => {
  it('matches the documented EC2 termination pattern, ignoring the fields it does not name', () => {
    const pattern = { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } };
    expect(eventPatternMatches(pattern, EC2)).toBe(true);
    expect(eventPatternMatches({ ...pattern, detail: { state: ['running'] } }, EC2)).toBe(false);
  });

  it('takes any of several values (match values)', () => {
    expect(eventPatternMatches({ source: ['aws.ec2', 'aws.fargate'] }, EC2)).toBe(true);
    expect(eventPatternMatches({ source: ['aws.rds', 'aws.fargate'] }, EC2)).toBe(false);
  });

  it('needs every named field, with the same nesting', () => {
    expect(eventPatternMatches({ detail: { 'c-count': [5] } }, EC2)).toBe(false);
    expect(eventPatternMatches({ state: ['terminated'] }, EC2)).toBe(false);
  });

  it('matches strings character by character, without case folding', () => {
    expect(eventPatternMatches({ detail: { state: ['Terminated'] } }, EC2)).toBe(false);
  });

  it('matches nested values (the Macie example)', () => {
    const macie = { source: 'aws.macie', 'detail-type': 'Macie Alert', detail: { 'risk-score': 80, trigger: { 'alert-type': 'basic', risk: 8 } } };
    const pattern = { source: ['aws.macie'], 'detail-type': ['Macie Alert'], detail: { 'risk-score': [80], trigger: { risk: [8] } } };
    expect(eventPatternMatches(pattern, macie)).toBe(true);
    expect(eventPatternMatches({ ...pattern, detail: { 'risk-score': [80], trigger: { risk: [9] } } }, macie)).toBe(false);
  });
});

describe('eventPatternMatches: null values and empty strings', () => {
  it('matches "" and null, which are not interchangeable', () => {
    expect(eventPatternMatches({ detail: { eventVersion: [''] } }, AUTOSCALING)).toBe(true);
    expect(eventPatternMatches({ detail: { responseElements: [null] } }, AUTOSCALING)).toBe(true);
    expect(eventPatternMatches({ detail: { eventVersion: [null] } }, AUTOSCALING)).toBe(false);
    expect(eventPatternMatches({ detail: { responseElements: [''] } }, AUTOSCALING)).toBe(false);
  });
});

describe('eventPatternMatches: arrays', () => {
  it('matches an array in the event when the intersection is not empty', () => {
    const pattern = {
      resources: [
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
      ],
    };
    const event = {
      resources: [
        'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
        'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
      ],
    };
    expect(eventPatternMatches(pattern, event)).toBe(true);
    expect(eventPatternMatches(pattern, { resources: [event.resources[0]] })).toBe(false);
    expect(eventPatternMatches(pattern, { resources: [] })).toBe(false);
  });
});

describe('eventPatternMatches: content filtering', () => {
  it('prefix matching', () => {
    const pattern = { time: [{ prefix: '2017-10-02' }] };
    expect(eventPatternMatches(pattern, { time: '2017-10-02T18:43:48Z' })).toBe(true);
    expect(eventPatternMatches(pattern, { time: '2017-10-03T18:43:48Z' })).toBe(false);
  });

  it('anything-but matching with a string, a number, lists and a prefix', () => {
    expect(eventPatternMatches({ detail: { state: [{ 'anything-but': 'initializing' }] } }, { detail: { state: 'running' } })).toBe(true);
    expect(eventPatternMatches({ detail: { state: [{ 'anything-but': 'initializing' }] } }, { detail: { state: 'initializing' } })).toBe(false);
    expect(eventPatternMatches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, { detail: { 'x-limit': 124 } })).toBe(true);
    expect(eventPatternMatches({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, { detail: { 'x-limit': 123 } })).toBe(false);
    const list = { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } };
    expect(eventPatternMatches(list, { detail: { state: 'running' } })).toBe(true);
    expect(eventPatternMatches(list, { detail: { state: 'overloaded' } })).toBe(false);
    const numbers = { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } };
    expect(eventPatternMatches(numbers, { detail: { 'x-limit': 150 } })).toBe(true);
    expect(eventPatternMatches(numbers, { detail: { 'x-limit': 200 } })).toBe(false);
    const prefix = { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } };
    expect(eventPatternMatches(prefix, { detail: { state: 'running' } })).toBe(true);
    expect(eventPatternMatches(prefix, { detail: { state: 'initializing' } })).toBe(false);
  });

  it('numeric matching: every condition of every field must hold', () => {
    const pattern = {
      detail: {
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ numeric: ['=', 3.018e2] }],
      },
    };
    expect(eventPatternMatches(pattern, { detail: { 'c-count': 5, 'd-count': 9, 'x-limit': 301.8 } })).toBe(true);
    expect(eventPatternMatches(pattern, { detail: { 'c-count': 0, 'd-count': 9, 'x-limit': 301.8 } })).toBe(false);
    expect(eventPatternMatches(pattern, { detail: { 'c-count': 5, 'd-count': 10, 'x-limit': 301.8 } })).toBe(false);
    expect(eventPatternMatches(pattern, { detail: { 'c-count': '5', 'd-count': 9, 'x-limit': 301.8 } })).toBe(false);
  });

  it('exists matching on leaf nodes only', () => {
    const pattern = { detail: { 'c-count': [{ exists: false }] } };
    expect(eventPatternMatches(pattern, { detail: { state: ['initializing', 'running'] } })).toBe(true);
    // c-count is not a leaf here, so it does not exist for the pattern.
    expect(eventPatternMatches(pattern, { detail: { state: ['initializing', 'running'], 'c-count': { c1: 100 } } })).toBe(true);
    expect(eventPatternMatches(pattern, { detail: { 'c-count': 3 } })).toBe(false);
    expect(eventPatternMatches({ detail: { 'c-count': [{ exists: true }] } }, { detail: { 'c-count': 3 } })).toBe(true);
    expect(eventPatternMatches({ detail: { 'c-count': [{ exists: true }] } }, { detail: {} })).toBe(false);
  });

  it('the complex example combines them', () => {
    const pattern = {
      time: [{ prefix: '2017-10-02' }],
      detail: {
        state: [{ 'anything-but': 'initializing' }],
        'c-count': [{ numeric: ['>', 0, '<=', 5] }],
        'd-count': [{ numeric: ['<', 10] }],
        'x-limit': [{ 'anything-but': [100, 200, 300] }],
      },
    };
    const event = { time: '2017-10-02T18:43:48Z', detail: { state: 'running', 'c-count': 1, 'd-count': 2, 'x-limit': 150 } };
    expect(eventPatternMatches(pattern, event)).toBe(true);
    expect(eventPatternMatches(pattern, { ...event, detail: { ...event.detail, 'x-limit': 300 } })).toBe(false);
  });

  it('throws on what it does not implement instead of guessing', () => {
    expect(() => eventPatternMatches({ detail: { ip: [{ cidr: '10.0.0.0/24' }] } }, { detail: { ip: '10.0.0.1' } })).toThrow(UnsupportedPatternError);
  });
});
