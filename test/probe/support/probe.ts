/** Runs the real probe and the rules the way the CLI does, for the integration tests. */
import { createServer, type Server } from 'node:net';
import { parseConfig } from '../../../lambdas/core/config';
import type { Finding } from '../../../lambdas/core/findings';
import { evaluateProbes, type ProbeResult } from '../../../lambdas/core/rules/probe/probe-rules';
import { runProbe, type ProbeRun } from '../../../lambdas/probe/run-probe';
import { parseTargets } from '../../../lambdas/probe/targets';

/** Low lag thresholds so a few seconds of real lag crosses them. */
export const TEST_CONFIG = parseConfig({ lag: { warningSeconds: 1, criticalSeconds: 30 } });

export async function probe(urls: readonly string[]): Promise<ProbeRun & ProbeResult & { readonly elapsedMs: number }> {
  const started = Date.now();
  const run = await runProbe(parseTargets(urls), { connectTimeoutMs: 1500, queryTimeoutMs: 2000, heartbeatWaitMs: 1000 });
  const result = evaluateProbes(run.observations, TEST_CONFIG);
  return { ...run, ...result, elapsedMs: Date.now() - started };
}

export const codesOf = (findings: readonly Finding[], resource?: string) =>
  findings.filter((f) => resource === undefined || f.resource === resource).map((f) => f.code);

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `write` every `everyMs` until stopped; stop() resolves when the last write has finished. */
export function writeLoad(write: () => Promise<unknown>, everyMs = 20): { stop(): Promise<number> } {
  let running = true;
  let count = 0;
  const loop = (async () => {
    while (running) {
      await write();
      count++;
      await sleep(everyMs);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return count;
    },
  };
}

/** A port that accepts TCP connections and never says a word: a database that hangs. */
export async function silentPort(): Promise<{ readonly port: number; close(): Promise<void> }> {
  const sockets = new Set<import('node:net').Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port with nothing listening on it. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
