/**
 * `--name N` options of a bench (`npm run bench -- rank --subscribers 1000`). A value that is
 * not a positive number stops the bench with its name, rather than running on NaN.
 */
export function numberArg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return dflt;
  const value = Number(process.argv[i + 1]);
  if (!(value > 0))
    throw new Error(`bench: --${name} needs a positive number, got '${process.argv[i + 1] ?? ''}'`);
  return value;
}

/** A `--name VALUE` option of a bench, or undefined when it is not given. */
export function stringArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}
