import { describe, expect, it } from 'vitest';
import { parseTarget, parseTargets, redactUrl, TargetError } from '../../lambdas/probe/targets';

describe('probe targets from URLs', () => {
  it('reads engine, endpoint, user, role, source and heartbeat table from a URL', () => {
    // Act
    const t = parseTarget('postgres://mon:s3cr%40t@10.0.0.5:6432/app?name=orders-ro&role=replica&source=orders&heartbeat=ops.hb&tls=require');
    // Assess
    expect(t).toMatchObject({
      name: 'orders-ro',
      engine: 'postgres',
      host: '10.0.0.5',
      port: 6432,
      user: 'mon',
      password: 's3cr@t',
      database: 'app',
      role: 'replica',
      source: 'orders',
      heartbeat: { schema: 'ops', table: 'hb' },
      tls: 'require',
      region: 'probe',
    });
  });

  it('names an RDS endpoint by its identifier and region, and verifies TLS off loopback by default', () => {
    const t = parseTarget('mysql://mon:pw@orders-ro-1.c9akciq32.eu-west-1.rds.amazonaws.com/');
    expect(t).toMatchObject({ name: 'orders-ro-1', region: 'eu-west-1', engine: 'mysql', port: 3306, tls: 'verify' });
    expect(parseTarget('mariadb://mon:pw@127.0.0.1:3307').tls).toBe('off');
  });

  it.each([
    ['not a url', /is not a URL/],
    ['http://mon:pw@db:80', /unsupported scheme "http:"/],
    ['mysql://db:3306', /has no user/],
    ['mysql://mon:pw@db?role=primary', /role must be "source" or "replica" \(got "primary"\)/],
    ['mysql://mon:pw@db?heartbeat=x.y;drop', /heartbeat must be schema.table/],
    ['mysql://mon:pw@db?colour=red', /unknown option "colour"/],
    ['mysql://mon:pw@db?tls=maybe', /tls must be off, require or verify/],
  ])('rejects %s with a message naming the problem', (raw, message) => {
    expect(() => parseTarget(raw)).toThrow(message);
  });

  it('never shows the password in an error', () => {
    // Act
    let error: unknown;
    try {
      parseTarget('mysql://mon:hunter2@db?role=primary', '--target #1');
    } catch (e) {
      error = e;
    }
    // Assess
    expect(error).toBeInstanceOf(TargetError);
    expect((error as Error).message).toContain('--target #1 "mysql://mon:***@db?role=primary"');
    expect((error as Error).message).not.toContain('hunter2');
    expect(redactUrl('postgres://a:b@c/d')).toBe('postgres://a:***@c/d');
  });

  it('requires distinct names and sources that are targets', () => {
    expect(() => parseTargets(['mysql://m:p@a:1?name=x', 'mysql://m:p@b:1?name=x'])).toThrow(/two targets are named "x"/);
    expect(() => parseTargets(['mysql://m:p@a:1?source=nowhere'])).toThrow(/names source "nowhere", which is not one of the targets/);
  });
});
