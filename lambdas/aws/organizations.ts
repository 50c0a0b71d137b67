/**
 * Lists the accounts under organization roots and OUs, child OUs included, through AWS
 * Organizations: ListAccountsForParent (the accounts directly under a parent) and
 * ListOrganizationalUnitsForParent (its child OUs), every page of each until NextToken is absent,
 * even after an empty page (the API reference says List* operations can return one mid-list).
 */
import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import type { OrganizationAccount } from '../core/fleet/accounts';
import { withThrottlingRetry, type RetryOptions } from './throttling-retry';

/** Organizations refused or failed the listing; the message says what to change. */
export class OrganizationsAccessError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = 'OrganizationsAccessError';
  }
}

const NOT_ADMIN = new Set(['AccessDeniedException', 'AWSOrganizationsNotInUseException']);

function explain(operation: string, parentId: string, error: unknown): OrganizationsAccessError {
  const e = (error ?? {}) as { name?: unknown; message?: unknown };
  const code = typeof e.name === 'string' ? e.name : undefined;
  const detail = `organizations:${operation} on ${parentId} failed${code ? ` (${code})` : ''}: ${typeof e.message === 'string' ? e.message : String(error)}`;
  if (code && NOT_ADMIN.has(code)) {
    return new OrganizationsAccessError(
      `${detail}. Reading organization.ouIds needs the organization's management account or a delegated administrator, ` +
        'with organizations:ListAccountsForParent and organizations:ListOrganizationalUnitsForParent; ' +
        'run the checker there, or list the member accounts under "accounts" instead.',
      code,
    );
  }
  if (code === 'ParentNotFoundException') {
    return new OrganizationsAccessError(`${detail}. organization.ouIds: ${parentId} is not a root or OU of this organization.`, code);
  }
  return new OrganizationsAccessError(detail, code);
}

export interface DiscoverOptions {
  readonly retry?: RetryOptions;
  readonly onProgress?: (message: string) => void;
}

/** Every account under `parentIds` and their child OUs, once each, in listing order. */
export async function discoverOrganizationAccounts(
  client: Pick<OrganizationsClient, 'send'>,
  parentIds: readonly string[],
  options: DiscoverOptions = {},
): Promise<OrganizationAccount[]> {
  const accounts = new Map<string, OrganizationAccount>();
  const visited = new Set<string>();
  const queue = [...parentIds];
  let calls = 0;
  const call = async <T>(operation: string, parentId: string, send: () => Promise<T>): Promise<T> => {
    calls++;
    try {
      return await withThrottlingRetry(send, options.retry);
    } catch (error) {
      throw explain(operation, parentId, error);
    }
  };
  while (queue.length > 0) {
    const parentId = queue.shift()!;
    if (visited.has(parentId)) continue;
    visited.add(parentId);
    let token: string | undefined;
    const seen = new Set<string>();
    // A token seen before would page forever: the listing cannot be trusted.
    const next = (operation: string, value: string | null | undefined) => {
      if (!value) return undefined;
      if (seen.has(value)) {
        throw new OrganizationsAccessError(`organizations:${operation} on ${parentId} returned NextToken "${value}" again; the account list may be incomplete.`);
      }
      seen.add(value);
      return value;
    };
    do {
      const out = await call('ListAccountsForParent', parentId, () =>
        client.send(new ListAccountsForParentCommand({ ParentId: parentId, NextToken: token })),
      );
      for (const a of out.Accounts ?? []) {
        if (!a.Id || accounts.has(a.Id)) continue;
        // `Status` is retired in favour of `State`; an older answer has only `Status`.
        const state = a.State ?? a.Status;
        accounts.set(a.Id, { id: a.Id, ...(a.Name ? { name: a.Name } : {}), ...(state ? { state } : {}) });
      }
      token = next('ListAccountsForParent', out.NextToken);
    } while (token);
    do {
      const out = await call('ListOrganizationalUnitsForParent', parentId, () =>
        client.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parentId, NextToken: token })),
      );
      for (const ou of out.OrganizationalUnits ?? []) if (ou.Id) queue.push(ou.Id);
      token = next('ListOrganizationalUnitsForParent', out.NextToken);
    } while (token);
  }
  options.onProgress?.(`AWS Organizations: ${accounts.size} accounts under ${visited.size} roots and OUs (${calls} calls)`);
  return [...accounts.values()];
}
