/** `replguard` entry: dispatches to a command and maps errors to exit codes. */
import packageJson from '../../package.json';
import { COMMANDS } from './commands';
import { EXIT_BAD_INPUT, EXIT_OK, UsageError, type CliIo } from './types';

/** Errors that mean "your input was wrong": message only, exit 2. */
const INPUT_ERRORS = ['ConfigError', 'SnapshotError', 'BaselineError', 'UsageError', 'LiveReaderOptionsError', 'CredentialsError', 'SetupError', 'OrganizationsAccessError'];

function generalUsage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Usage: replguard <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run "replguard <command> --help" for the options of a command; "replguard --version" for the version.',
    '',
  ].join('\n');
}

/**
 * A stream whose reader went away (`replguard check | head -1`): further output is dropped and the
 * command still ends with its own exit status, instead of dying on an unhandled EPIPE.
 */
function writer(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    closed = true;
  });
  return (text) => {
    if (!closed) stream.write(text);
  };
}

export function processIo(): CliIo {
  return {
    stdout: writer(process.stdout),
    stderr: writer(process.stderr),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    env: process.env,
  };
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    (name === undefined ? io.stderr : io.stdout)(generalUsage());
    return name === undefined ? EXIT_BAD_INPUT : EXIT_OK;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout(`replguard ${packageJson.version}\n`);
    return EXIT_OK;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr(`replguard: unknown command "${name}"\n\n${generalUsage()}`);
    return EXIT_BAD_INPUT;
  }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(`${command.usage}\n`);
    return EXIT_OK;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`replguard ${command.name}: ${error.message}\n\n${command.usage}\n`);
      return EXIT_BAD_INPUT;
    }
    if (error instanceof Error && INPUT_ERRORS.includes(error.name)) {
      io.stderr(`replguard ${command.name}: ${error.message}\n`);
      return EXIT_BAD_INPUT;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`replguard ${command.name}: unexpected error: ${message}\n`);
    if (io.env.REPLGUARD_DEBUG && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
    return EXIT_BAD_INPUT;
  }
}
