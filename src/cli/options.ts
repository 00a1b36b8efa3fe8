/** Option parsers shared by the `alphaopt` commands: a bad value stops the command before any work, naming the option. */
import { InvalidArgumentError } from 'commander';

/** A positive integer, as typed (`5`, not `5.5`, `0`, `-3` or `abc`). */
export function positiveInteger(option: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(`${option} must be a positive integer (got '${value}')`);
    return n;
  };
}

export const DATA_DIR_HELP = 'where datasets are (searched first; then $ALPHAOPT_DATA, then the user cache)';
