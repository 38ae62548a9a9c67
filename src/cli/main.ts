/** Entry of the `sift` command: dispatches to one module per subcommand. Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'rank':
      return (await import('./rank.ts')).runRank(rest);
    case 'parse':
      return (await import('./parse.ts')).runParse(rest);
    case 'sources':
      return (await import('./sources.ts')).runSources(rest.map(sourcesAlias));
    case 'subscribers':
      return (await import('./subscribers.ts')).runSubscribers(rest);
    case 'topics':
      return (await import('./topics.ts')).runTopics(rest);
    case 'ingest':
      return (await import('./ingest.ts')).runIngest(rest);
    case 'editions':
      return (await import('./editions.ts')).runEditions(rest);
    case 'send':
      return (await import('./send.ts')).runSend(rest);
    case 'preview':
      return (await import('./preview.ts')).runPreview(rest);
    case 'stats':
      return (await import('./stats.ts')).runStats(rest);
    case 'doctor':
      return (await import('./doctor.ts')).runDoctor(rest);
    case 'backup':
      return (await import('./backup.ts')).runBackup(rest);
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

/** The spelling of the OPML subcommands, kept working next to `import` / `export`. */
function sourcesAlias(arg: string, i: number): string {
  if (i !== 0) return arg;
  return arg === 'import-opml' ? 'import' : arg === 'export-opml' ? 'export' : arg;
}

const USAGE = `Usage: sift <command> [options]

Sift reads the same environment as \`npm start\` (see README "Configuration"); every command
that touches the database applies pending migrations first, like the server does.

Commands:
  sources      Add (validated by one fetch), list, check, pause, resume, remove, import/export OPML
  subscribers  Add, list, show, set status, suppress, remove subscribers
  topics       The topic catalogue: list, add, update, remove
  ingest       Check due sources now (--all: every source)
  editions     Build editions now (--now, --dry-run), list them, resend one
  send         Send what is due in the outbox through the configured transport
  preview      Write a subscriber's rendered edition to .html and .txt files
  stats        Subscribers, sources, sends and feedback in numbers
  doctor       Check configuration, database, migrations, mail transport, SPF / DKIM / DMARC
  backup       Write a verified snapshot of the database file (safe while Sift runs)
  rank         Rank items from a JSONL file for one preferences file (offline evaluation)
  parse        Parse local feed files with the ingestion pipeline; one JSON line per file

Run 'sift <command> --help' for a command's options; most take --json for scripts.
Exit codes: 0 success, 1 failure (the reason is printed), 2 usage error.
`;
