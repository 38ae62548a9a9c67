/** Entry of the `sift` command: dispatches to one module per subcommand. Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'rank':
      return (await import('./rank.ts')).runRank(rest);
    case 'parse':
      return (await import('./parse.ts')).runParse(rest);
    case 'sources':
      return (await import('./sources.ts')).runSources(rest);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return 0;
    default:
      process.stderr.write(`sift: unknown command '${command}'\n\n${USAGE}`);
      return 2;
  }
}

const USAGE = `Usage: sift <command> [options]

Commands:
  rank     Rank items from a JSONL file for one preferences file (offline evaluation)
  parse    Parse local feed files with the ingestion pipeline; one JSON line per file
  sources  Add (validated by one fetch), list, check, pause, resume, remove, import/export OPML

Run 'sift <command> --help' for a command's options.
Exit codes: 0 success, 1 failure, 2 usage error.
`;
