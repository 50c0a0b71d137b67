import { describe, expect, it } from 'vitest';
import { CONCURRENCY_PER_REGION, mapLimit, readError } from '../../lambdas/aws/live-reader-calls';
import { LiveFleetReader, LiveReaderOptionsError } from '../../lambdas/aws/live-reader';

describe('readError: what CHECK_DEGRADED names of a failed call', () => {
  const named = (name: string, message: string) => Object.assign(new Error(message), { name });

  it.each([
    { name: 'an SDK service exception: its name is the code', error: named('ThrottlingException', 'Rate exceeded'), code: 'ThrottlingException', message: 'Rate exceeded' },
    { name: 'a plain Error: no code', error: new Error('socket hang up'), code: undefined, message: 'socket hang up' },
    { name: 'a Node system error: its code', error: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' },
    { name: 'a named error wins over its code', error: Object.assign(named('TimeoutError', 'timed out'), { code: 'ETIMEDOUT' }), code: 'TimeoutError', message: 'timed out' },
    { name: 'a non-string name falls back to the code', error: { name: 42, code: 'EPIPE', message: 'broken pipe' }, code: 'EPIPE', message: 'broken pipe' },
    { name: 'a thrown string is its own message', error: 'boom', code: undefined, message: 'boom' },
    { name: 'an empty message is replaced by the error text', error: named('AccessDenied', ''), code: 'AccessDenied', message: 'AccessDenied' },
    { name: 'a non-string message is replaced by the error text', error: { message: 7 }, code: undefined, message: '[object Object]' },
    { name: 'undefined', error: undefined, code: undefined, message: 'undefined' },
  ])('$name', ({ error, code, message }) => {
    const read = readError('rds:DescribeDBInstances', error);

    expect(read).toEqual({ operation: 'rds:DescribeDBInstances', message, ...(code ? { code } : {}) });
  });

  it('puts the context before the message', () => {
    expect(readError('cloudwatch:GetMetricData', new Error('x'), '3 series not read').message).toBe('3 series not read: x');
  });
});

describe('mapLimit', () => {
  it('keeps at most `limit` calls in flight and the results in input order', async () => {
    // Prepare: later items finish first.
    let inFlight = 0;
    let most = 0;
    const items = Array.from({ length: 12 }, (_, i) => i);

    // Act
    const results = await mapLimit(items, CONCURRENCY_PER_REGION, async (i) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 12 - i));
      inFlight--;
      return i * 10;
    });

    // Assess
    expect(most).toBe(CONCURRENCY_PER_REGION);
    expect(results).toEqual(items.map((i) => i * 10));
  });
});

describe('LiveFleetReader options', () => {
  it.each([
    { name: 'no regions', options: { regions: [] }, field: '"regions"' },
    { name: 'a window of 0 minutes', options: { regions: ['us-east-1'], windowMinutes: 0 }, field: '"windowMinutes"' },
    { name: 'a window over a day', options: { regions: ['us-east-1'], windowMinutes: 1441 }, field: '"windowMinutes"' },
    { name: 'a fractional window', options: { regions: ['us-east-1'], windowMinutes: 1.5 }, field: '"windowMinutes"' },
  ])('rejects $name, naming the option', ({ options, field }) => {
    const create = () => new LiveFleetReader(options);

    expect(create).toThrow(LiveReaderOptionsError);
    expect(create).toThrow(field);
  });

  it.each([1, 15, 1440])('accepts a window of %i minutes', (windowMinutes) => {
    expect(() => new LiveFleetReader({ regions: ['us-east-1'], windowMinutes })).not.toThrow();
  });

  it('names its error class, so the CLI can tell bad options from a failed read', () => {
    expect(new LiveReaderOptionsError('x').name).toBe('LiveReaderOptionsError');
  });
});
