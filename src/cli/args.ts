import { parseArgs as nodeParseArgs } from 'node:util';

/** A mistake in how a command was called: exit code 2 with the command's usage. */
export class UsageError extends Error {}

type Spec = Record<string, { type: 'boolean' | 'string'; short?: string }>;

/**
 * Parses options strictly (unknown options and missing values are usage errors) with Node's
 * util.parseArgs; `--help`/`-h` is always accepted.
 */
export function parseArgs<S extends Spec>(argv: string[], options: S) {
  try {
    const { values, positionals } = nodeParseArgs({
      args: argv,
      options: { help: { type: 'boolean', short: 'h' }, ...options },
      allowPositionals: true,
      strict: true,
    });
    return {
      values: values as { [K in keyof S]?: S[K]['type'] extends 'boolean' ? boolean : string } & {
        help?: boolean;
      },
      positionals,
    };
  } catch (e) {
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/** A positive integer argument (an id), or a usage error naming what was expected. */
export function positiveInt(value: string | undefined, what: string): number {
  const n = Number(value);
  if (!value || !Number.isSafeInteger(n) || n <= 0)
    throw new UsageError(`expected ${what} (a positive whole number)`);
  return n;
}
