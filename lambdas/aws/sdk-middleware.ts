/**
 * Two places to hook into an AWS SDK v3 client's request: around each send (outside the SDK's
 * retries, credential resolution and signing) and around each HTTP attempt (inside the retries,
 * before signing). Typed structurally so any client of the project fits.
 */
type Next = (args: unknown) => Promise<unknown>;
type Around = (next: Next, args: unknown) => Promise<unknown>;

interface StackOf {
  readonly middlewareStack: {
    add(middleware: never, options: { step: 'initialize'; name: string; override: boolean }): void;
    addRelativeTo(middleware: never, options: { relation: 'before'; toMiddleware: string; name: string; override: boolean }): void;
  };
}

const middleware = (around: Around) => ((next: Next) => (args: unknown) => around(next, args)) as never;

/** `around` runs once per `client.send`; calling `next` again repeats the whole request, credentials included. */
export function aroundEachSend(client: StackOf, name: string, around: Around): void {
  client.middlewareStack.add(middleware(around), { step: 'initialize', name, override: true });
}

/** `around` runs for every HTTP attempt, the SDK's own retries included, before the request is signed. */
export function aroundEachAttempt(client: StackOf, name: string, around: Around): void {
  client.middlewareStack.addRelativeTo(middleware(around), { relation: 'before', toMiddleware: 'httpSigningMiddleware', name, override: true });
}
