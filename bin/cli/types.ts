/** What a CLI command may touch: injected so commands run in-process under test. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Colour and progress only when writing to a terminal. */
  readonly stdoutIsTTY: boolean;
  readonly stderrIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
}

export interface CliCommand {
  readonly name: string;
  /** One line for `replguard help`. */
  readonly summary: string;
  /** Full usage text printed by `replguard <name> --help` and on usage errors. */
  readonly usage: string;
  /** Every flag the command accepts (without `--`); each is described in `usage`. */
  readonly flags: readonly string[];
  /** Returns the process exit code: 0 ok, 1 critical findings, 2 bad input or usage. */
  run(args: readonly string[], io: CliIo): Promise<number>;
}

/** Bad flags or arguments: printed with the command's usage, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_CRITICAL = 1;
export const EXIT_BAD_INPUT = 2;
