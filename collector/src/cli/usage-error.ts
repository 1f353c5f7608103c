/**
 * A command used wrongly (unknown command or flag, a file that is not there): exit code 2.
 *
 * @module
 */

export class UsageError extends Error {
  readonly code = 'CLI_USAGE';
}
