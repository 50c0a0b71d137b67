import { baselineCommand } from './baseline';
import { checkCommand } from './check';
import { costCommand } from './cost';
import { drillCommand } from './drill';
import { probeCommand } from './probe';
import { reportCommand } from './report';
import { snapshotCommand } from './snapshot';
import type { CliCommand } from './types';

export const COMMANDS: readonly CliCommand[] = [
  checkCommand,
  snapshotCommand,
  baselineCommand,
  costCommand,
  probeCommand,
  reportCommand,
  drillCommand,
];
