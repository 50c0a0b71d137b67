import { checkCommand } from './check';
import { snapshotCommand } from './snapshot';
import type { CliCommand } from './types';

export const COMMANDS: readonly CliCommand[] = [checkCommand, snapshotCommand];
