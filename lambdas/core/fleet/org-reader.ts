/**
 * An organization read made of one account's read: the checker's own account, read with its own
 * credentials, until member accounts are read too. The reader's regions become that account's.
 */
import type { AccountTarget } from './accounts';
import type { OrgSnapshot } from './model';
import type { FleetReader, OrgReader } from './reader';
import { asOrgSnapshot } from './org-snapshot';

export interface DeployingAccount {
  /** 12-digit id of the account the reader's credentials belong to. */
  readonly accountId: string;
  readonly name?: string;
}

/**
 * Reads `account` with `reader`, whatever the targets say: the single-account reader has no way to
 * read another account, so targets naming other accounts are not this reader's to serve.
 */
export function singleAccountOrgReader(reader: FleetReader, account: DeployingAccount): OrgReader {
  return {
    async read(_targets?: readonly AccountTarget[]): Promise<OrgSnapshot> {
      return asOrgSnapshot(await reader.read(), account.accountId, account.name);
    },
  };
}

/** The account id in an ARN (`arn:partition:service:region:account:...`), if it has one of 12 digits. */
export function accountIdOfArn(arn: string | undefined): string | undefined {
  const account = arn?.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}
