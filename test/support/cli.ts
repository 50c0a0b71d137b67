import { execFile } from 'node:child_process';
import { main } from '../../bin/cli/main';
import type { CliIo } from '../../bin/cli/types';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI in-process with captured output. */
export async function runCli(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    env,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** A child that runs longer than this is killed: a hung CLI fails its test instead of the suite. */
export const CHILD_TIMEOUT_MS = 30_000;

/** Runs the real `replguard` launcher in a child process, as a user would. */
export function runReplguard(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const options = { env: { ...process.env, NO_COLOR: '1', ...env }, timeout: CHILD_TIMEOUT_MS };
    execFile(process.execPath, ['bin/replguard.mjs', ...args], options, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}
