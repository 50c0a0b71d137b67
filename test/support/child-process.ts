/**
 * Longest a child process started by a test may run before it is killed (pass it as `timeout`
 * with `killSignal: 'SIGKILL'`): a hung child must fail its test, not hold the run.
 */
export const CHILD_PROCESS_TIMEOUT_MS = 60_000;
