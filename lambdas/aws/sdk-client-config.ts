/**
 * Settings every AWS SDK client of the project shares.
 *
 * Without timeouts an endpoint that accepts the connection and never answers blocks a check run
 * until the Lambda times out (or a CLI run forever), and no region's results come out. The
 * NodeHttpHandler only throws on `requestTimeout` when `throwOnRequestTimeout` is set; otherwise
 * it merely logs a warning and keeps waiting.
 */
export interface SdkTimeouts {
  /** Milliseconds to establish the TCP/TLS connection. @default 5000 */
  readonly connectionMs?: number;
  /** Milliseconds from sending the request to the end of the response. @default 30000 */
  readonly requestMs?: number;
}

export const DEFAULT_CONNECTION_TIMEOUT_MS = 5_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** The `requestHandler` options (NodeHttpHandlerOptions) that bound every call in time. */
export function sdkRequestHandler(timeouts: SdkTimeouts = {}) {
  return {
    connectionTimeout: timeouts.connectionMs ?? DEFAULT_CONNECTION_TIMEOUT_MS,
    requestTimeout: timeouts.requestMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    throwOnRequestTimeout: true,
  };
}
