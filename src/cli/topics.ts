/** `sift topics …`: the operator's topic catalogue (names subscribers pick, with seed terms). */
import { changeTopic, createTopic, findTopic, listTopicCatalogue, removeTopic } from '../operator/topics.ts';
import { parseArgs, UsageError } from './args.ts';
import { type Io, printJson, runSubcommand, type Subcommand, stdio } from './context.ts';

const USAGE = `Usage: sift topics <command> [options]

Commands:
  list                          The catalogue
  add NAME TERM [TERM …]        Add a topic with its seed terms
  update NAME [--name NEW] [--terms "a,b,c"]
                                Rename a topic and/or replace its terms (subscribers pick topics
                                by name: after a rename, those who chose the old name lose it)
  remove NAME                   Delete a topic

Options: --json prints JSON for scripts; -h, --help this help.
Exit codes: 0 success, 1 failure (unknown topic, name taken), 2 usage error.
`;

const COMMANDS: Record<string, Subcommand> = {
  async list(deps, argv, io) {
    const { values, positionals } = parseArgs(argv, { json: { type: 'boolean' } });
    if (positionals.length) throw new UsageError(`unexpected argument '${positionals[0]}'`);
    const rows = await listTopicCatalogue(deps);
    if (values.json) printJson(io, rows);
    else if (rows.length === 0) io.out('no topics yet: add one with `sift topics add NAME TERM…`\n');
    else for (const t of rows) io.out(`${t.name}\t${t.terms.join(', ')}\n`);
    return 0;
  },
  async add(deps, argv, io) {
    const { values, positionals } = parseArgs(argv, { json: { type: 'boolean' } });
    if (positionals.length < 2) throw new UsageError('expected NAME and at least one TERM');
    const [name, ...terms] = positionals;
    const row = await createTopic(deps, { name: name!, terms });
    if (values.json) printJson(io, row);
    else io.out(`added topic ${row.name}: ${row.terms.join(', ')}\n`);
    return 0;
  },
  async update(deps, argv, io) {
    const { values, positionals } = parseArgs(argv, {
      name: { type: 'string' },
      terms: { type: 'string' },
      json: { type: 'boolean' },
    });
    if (positionals.length !== 1) throw new UsageError('expected the topic NAME');
    if (values.name === undefined && values.terms === undefined)
      throw new UsageError('give --name and/or --terms');
    const current = await findTopic(deps, positionals[0]!);
    const row = await changeTopic(deps, {
      id: current.id,
      name: values.name,
      terms: values.terms?.split(','),
    });
    if (values.json) printJson(io, row);
    else io.out(`topic ${row.name}: ${row.terms.join(', ')}\n`);
    return 0;
  },
  async remove(deps, argv, io) {
    const { positionals } = parseArgs(argv, { json: { type: 'boolean' } });
    if (positionals.length !== 1) throw new UsageError('expected the topic NAME');
    const current = await findTopic(deps, positionals[0]!);
    await removeTopic(deps, { id: current.id });
    io.out(`removed topic ${current.name}\n`);
    return 0;
  },
};

/** Entry of `sift topics`; returns the exit code. */
export function runTopics(argv: string[], io: Io = stdio): Promise<number> {
  return runSubcommand('sift topics', USAGE, COMMANDS, argv, io);
}
