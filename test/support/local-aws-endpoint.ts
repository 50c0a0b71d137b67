/**
 * A local AWS endpoint on 127.0.0.1 for tests that run the real SDK clients (their serializers,
 * signers, retry and deserializers) against documented AWS response bodies.
 *
 * It speaks the wire protocols the installed clients use: the AWS Query protocol of RDS and STS
 * (form-encoded POST, XML responses), CloudWatch's AWS JSON 1.0 protocol in query-compatible mode
 * (`X-Amz-Target: GraniteServiceVersion20100801.<Operation>`, JSON bodies, `x-amzn-query-error`)
 * and Organizations' AWS JSON 1.1 (`X-Amz-Target: AWSOrganizationsV20161128.<Operation>`).
 * The signing region is read from the SigV4 credential scope, so one endpoint can play several regions.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface RecordedRequest {
  readonly service: 'rds' | 'cloudwatch' | 'sts' | 'organizations' | 'unknown';
  /** The signing region from the Authorization header's credential scope. */
  readonly region: string;
  /** The access key the request was signed with (which account's credentials were used). */
  readonly accessKeyId: string;
  /** performance.now() when the request arrived. */
  readonly receivedAt: number;
  readonly operation: string;
  /** Query protocol parameters (RDS). */
  readonly form: URLSearchParams;
  /** JSON protocol body (CloudWatch). */
  readonly json: Record<string, unknown>;
  readonly headers: IncomingMessage['headers'];
}

export interface Reply {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Accept the request and never answer (for timeout tests). */
  readonly hang?: boolean;
}

export type Route = (request: RecordedRequest) => Reply | Promise<Reply>;

export interface LocalAwsEndpoint {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

const FIXTURES = fileURLToPath(new URL('../fixtures/aws/', import.meta.url));

/** A fixture file under test/fixtures/aws, e.g. `fixture('rds-api/describe-db-clusters.xml')`. */
export const fixture = (path: string): string => readFileSync(join(FIXTURES, path), 'utf8');

/** Static keys for the SigV4 signer; the endpoint never checks signatures. */
export const FAKE_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

/** Parses a request as the endpoint sees it (also for in-process handlers that skip the socket). */
export function recordRequest(headers: IncomingMessage['headers'], body: string): RecordedRequest {
  return parse({ headers } as IncomingMessage, body);
}

function parse(req: IncomingMessage, body: string): RecordedRequest {
  const scope = /Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\//.exec(req.headers.authorization ?? '');
  const accessKeyId = scope?.[1] ?? '';
  const region = scope?.[2] ?? '';
  const signingName = scope?.[3];
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    return {
      service: signingName === 'monitoring' ? 'cloudwatch' : signingName === 'organizations' ? 'organizations' : 'unknown',
      region,
      accessKeyId,
      receivedAt: performance.now(),
      operation: target.split('.').pop() ?? '',
      form: new URLSearchParams(),
      json: body ? (JSON.parse(body) as Record<string, unknown>) : {},
      headers: req.headers,
    };
  }
  const form = new URLSearchParams(body);
  return {
    service: signingName === 'rds' ? 'rds' : signingName === 'sts' ? 'sts' : 'unknown',
    region,
    accessKeyId,
    receivedAt: performance.now(),
    operation: form.get('Action') ?? '',
    form,
    json: {},
    headers: req.headers,
  };
}

export async function startLocalAwsEndpoint(route: Route): Promise<LocalAwsEndpoint> {
  const requests: RecordedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        let reply: Reply;
        try {
          const recorded = parse(req, Buffer.concat(chunks).toString('utf8'));
          requests.push(recorded);
          reply = await route(recorded);
        } catch (error) {
          reply = { status: 599, body: `local endpoint route failed: ${(error as Error).message}` };
        }
        if (reply.hang) return;
        res.writeHead(reply.status ?? 200, reply.headers ?? {});
        res.end(reply.body ?? '');
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/* ---------- RDS (AWS Query protocol, XML) ---------- */

const RDS_NS = 'http://rds.amazonaws.com/doc/2014-10-31/';

/** Wraps a `<XxxResult>` body the way the Query protocol does: `<XxxResponse><XxxResult>…`. */
export function rdsResponse(operation: string, result: string, requestId = 'c1a0f5c5-0000-4000-8000-000000000000'): Reply {
  return {
    headers: { 'content-type': 'text/xml' },
    body:
      `<${operation}Response xmlns="${RDS_NS}"><${operation}Result>${result}</${operation}Result>` +
      `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`,
  };
}

/** A Query-protocol error: `<ErrorResponse><Error><Type/><Code/><Message/></Error>…`. */
export function rdsError(status: number, code: string, message: string, type = 'Sender'): Reply {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body:
      `<ErrorResponse xmlns="${RDS_NS}"><Error><Type>${type}</Type><Code>${code}</Code>` +
      `<Message>${message}</Message></Error><RequestId>e1a0f5c5-0000-4000-8000-000000000000</RequestId></ErrorResponse>`,
  };
}

/** Replaces `<Marker>…</Marker>` in a fixture's result body (or removes it with `undefined`). */
export function withMarker(result: string, marker: string | undefined): string {
  const bare = result.replace(/<Marker>[^<]*<\/Marker>/, '');
  return marker === undefined ? bare : `${bare}<Marker>${marker}</Marker>`;
}

/* ---------- CloudWatch (AWS JSON 1.0, query-compatible) ---------- */

export function cloudwatchResponse(body: unknown): Reply {
  return { headers: { 'content-type': 'application/x-amz-json-1.0' }, body: JSON.stringify(body) };
}

/**
 * A JSON 1.0 error as a query-compatible service sends it: `__type` in the body and the Query
 * error code and fault in `x-amzn-query-error`.
 */
export function cloudwatchError(status: number, type: string, queryCode: string, message: string, fault = 'Sender'): Reply {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-query-error': `${queryCode};${fault}` },
    body: JSON.stringify({ __type: type, message }),
  };
}

/* ---------- STS (AWS Query protocol, XML) ---------- */

const STS_NS = 'https://sts.amazonaws.com/doc/2011-06-15/';

export function stsResponse(operation: string, result: string): Reply {
  return {
    headers: { 'content-type': 'text/xml' },
    body:
      `<${operation}Response xmlns="${STS_NS}"><${operation}Result>${result}</${operation}Result>` +
      `<ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata></${operation}Response>`,
  };
}

export function stsError(status: number, code: string, message: string): Reply {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body:
      `<ErrorResponse xmlns="${STS_NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error>` +
      `<RequestId>e6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ErrorResponse>`,
  };
}

/* ---------- Organizations (AWS JSON 1.1) ---------- */

export function organizationsResponse(body: unknown): Reply {
  return { headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) };
}

/** A JSON 1.1 error: the shape name in `__type`, the text in `Message`. */
export function organizationsError(status: number, type: string, message: string): Reply {
  return { status, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ __type: type, Message: message }) };
}
