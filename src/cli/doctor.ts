/**
 * `sift doctor`: checks an installation and says, per check, what is fine and what to fix:
 * configuration, data folder, database, migrations, mail transport, and the sender domain's
 * SPF / DKIM / DMARC records (skipped, and said so, when DNS cannot be reached).
 */
import { Resolver } from 'node:dns/promises';
import { accessSync, constants, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import { type Config, parseConfig } from '../config.ts';
import { openLibsql } from '../db/libsql.ts';
import { paths } from '../entry/node-deps.ts';
import { ConfigError } from '../errors.ts';
import {
  COMMON_DKIM_SELECTORS,
  evaluateDkim,
  evaluateDmarc,
  evaluateSpf,
  isPublicDomain,
  senderDomain,
  type Verdict,
} from '../operator/mail-auth.ts';
import { parseArgs, UsageError } from './args.ts';
import { type Io, printJson, reportError, shownDatabaseUrl, stdio } from './context.ts';

const USAGE = `Usage: sift doctor [--json] [--offline] [--dns-server IP[:PORT]] [--timeout SECONDS]

Checks this installation, reading the same environment as \`npm start\`:
  config       every setting is valid (names the variable and the expected form if not)
  data         SIFT_DATA_DIR exists (or can be created) and is writable
  database     DATABASE_URL opens and answers
  migrations   the database has every migration this version ships (none applied here)
  mail         the transport is reachable (SMTP: connects and logs in; http: the provider accepts
               the API key and knows the sender domain; outbox: folder writable)
  spf, dkim, dmarc
               the sender domain's DNS records, when DNS is reachable ("skipped: offline" if not)

Options:
  --json                 print {"ok", "checks": [{"name","status","detail"}]}
  --offline              skip the DNS checks
  --dns-server IP[:PORT] resolver for the DNS checks (default: the system's)
  --timeout SECONDS      per network check (default 10)
  -h, --help

Exit codes: 0 no check failed (warnings allowed), 1 at least one check failed, 2 usage error.
`;

/** One line of the report. */
export interface Check extends Verdict {
  name: string;
}

/** DNS answers that mean "the resolver cannot be reached", not "no such record". */
const OFFLINE_CODES = new Set([
  'ECONNREFUSED',
  'ETIMEOUT',
  'EAI_AGAIN',
  'ECONNRESET',
  'ESERVFAIL',
  'EREFUSED',
  'ECANCELLED',
]);

async function withTimeout<T>(ms: number, what: string, run: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms);
  });
  try {
    return await Promise.race([run(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function checkDataDir(config: Config): Check {
  const dir = resolve(config.SIFT_DATA_DIR);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
    return { name: 'data', status: 'ok', detail: `${dir} is writable` };
  } catch (e) {
    return { name: 'data', status: 'fail', detail: `${dir}: ${(e as Error).message}` };
  }
}

async function checkDatabase(config: Config): Promise<Check[]> {
  const url = config.DATABASE_URL ?? `file:${join(resolve(config.SIFT_DATA_DIR), 'sift.db')}`;
  const shown = shownDatabaseUrl(url);
  let handle: ReturnType<typeof openLibsql> | undefined;
  try {
    handle = openLibsql(url, config.DATABASE_AUTH_TOKEN);
    await handle.db.run('select 1');
  } catch (e) {
    handle?.close();
    const reason = ((e as Error).cause as Error | undefined)?.message ?? (e as Error).message;
    return [
      { name: 'database', status: 'fail', detail: `${shown}: ${reason}` },
      { name: 'migrations', status: 'skip', detail: 'skipped: the database did not open' },
    ];
  }
  const journal = JSON.parse(readFileSync(join(paths.migrations, 'meta/_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  };
  const known = journal.entries.length;
  let migrations: Check;
  try {
    const rows = await handle.db.all<{ n: number }>('select count(*) as n from __drizzle_migrations');
    const applied = Number(rows[0]?.n ?? 0);
    migrations =
      applied === known
        ? { name: 'migrations', status: 'ok', detail: `all ${known} applied` }
        : applied < known
          ? {
              name: 'migrations',
              status: 'warn',
              detail: `${known - applied} of ${known} pending: applied automatically at the next start (npm start or any sift command)`,
            }
          : {
              name: 'migrations',
              status: 'fail',
              detail: `the database has ${applied} migrations but this version of Sift knows ${known}: it was used by a newer Sift; upgrade this one`,
            };
  } catch {
    migrations = {
      name: 'migrations',
      status: 'warn',
      detail: `new database: its ${known} migrations are applied automatically at the first start`,
    };
  } finally {
    handle.close();
  }
  return [{ name: 'database', status: 'ok', detail: `${shown} opens and answers` }, migrations];
}

async function checkMail(config: Config, timeoutMs: number): Promise<Check> {
  if (config.SIFT_MAILER === 'outbox') {
    const dir = join(resolve(config.SIFT_DATA_DIR), 'outbox');
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
      return {
        name: 'mail',
        status: 'warn',
        detail: `SIFT_MAILER=outbox writes emails to ${dir} and sends nothing: set SIFT_MAILER=smtp and SMTP_URL to deliver`,
      };
    } catch (e) {
      return { name: 'mail', status: 'fail', detail: `outbox folder ${dir}: ${(e as Error).message}` };
    }
  }
  if (config.SIFT_MAILER === 'smtp' && config.SMTP_URL) {
    const url = new URL(config.SMTP_URL);
    const where = `${url.hostname}:${url.port || (url.protocol === 'smtps:' ? 465 : 587)}`;
    const transport = nodemailer.createTransport(config.SMTP_URL, {
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    } as object);
    try {
      await withTimeout(timeoutMs + 1000, `SMTP ${where}`, () => transport.verify());
      return {
        name: 'mail',
        status: 'ok',
        detail: `SMTP ${where} accepted the connection${url.username ? ' and the login' : ''}`,
      };
    } catch (e) {
      return { name: 'mail', status: 'fail', detail: `SMTP ${where}: ${(e as Error).message}` };
    } finally {
      transport.close();
    }
  }
  if (config.SIFT_MAILER === 'http' && config.SIFT_HTTP_API_KEY) return checkHttpProvider(config, timeoutMs);
  return {
    name: 'mail',
    status: 'skip',
    detail: `skipped: no reachability check for SIFT_MAILER=${config.SIFT_MAILER}`,
  };
}

/**
 * The http provider (Resend): lists the account's domains with the API key, which proves the
 * API answers and the key is accepted, and says whether the sender domain is verified there.
 */
async function checkHttpProvider(config: Config, timeoutMs: number): Promise<Check> {
  const root = config.SIFT_HTTP_API_URL ?? 'https://api.resend.com';
  const url = `${root}/domains`;
  const provider = config.SIFT_HTTP_PROVIDER;
  let res: Response;
  try {
    res = await fetch(url, {
      headers: { authorization: `Bearer ${config.SIFT_HTTP_API_KEY}` },
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const cause = ((e as Error).cause as { code?: string; message?: string } | undefined) ?? {};
    if (cause.code === 'ENOTFOUND' || cause.code === 'EAI_AGAIN')
      return {
        name: 'mail',
        status: 'skip',
        detail: `skipped: offline (cannot resolve ${new URL(root).hostname})`,
      };
    return { name: 'mail', status: 'fail', detail: `${url}: ${cause.message ?? (e as Error).message}` };
  }
  if (res.status === 401 || res.status === 403)
    return {
      name: 'mail',
      status: 'fail',
      detail: `${provider} refused SIFT_HTTP_API_KEY (HTTP ${res.status})`,
    };
  if (!res.ok) return { name: 'mail', status: 'fail', detail: `${url}: HTTP ${res.status}` };
  const domain = senderDomain(config.SIFT_MAIL_FROM);
  const body = (await res.json().catch(() => ({}))) as { data?: { name?: string; status?: string }[] };
  const entry = body.data?.find((d) => d.name?.toLowerCase() === domain);
  if (!entry)
    return {
      name: 'mail',
      status: 'warn',
      detail: `${provider} accepted the key, but ${domain} is not one of its domains: add and verify it there`,
    };
  return entry.status === 'verified'
    ? { name: 'mail', status: 'ok', detail: `${provider} accepted the key; ${domain} is verified` }
    : {
        name: 'mail',
        status: 'warn',
        detail: `${provider} accepted the key; ${domain} is ${entry.status ?? 'not verified'}`,
      };
}

async function checkDns(
  config: Config,
  options: { offline: boolean; server?: string; timeoutMs: number },
): Promise<Check[]> {
  const names = ['spf', 'dkim', 'dmarc'];
  const all = (status: Check['status'], detail: string) => names.map((name) => ({ name, status, detail }));
  const domain = senderDomain(config.SIFT_MAIL_FROM);
  if (!domain) return all('fail', `SIFT_MAIL_FROM "${config.SIFT_MAIL_FROM}" has no address with a domain`);
  if (!isPublicDomain(domain))
    return all('skip', `skipped: ${domain} is not a public domain (set SIFT_MAIL_FROM to your real sender)`);
  if (options.offline) return all('skip', 'skipped: offline (--offline)');
  const resolver = new Resolver({ timeout: Math.min(options.timeoutMs, 5000), tries: 1 });
  if (options.server) resolver.setServers([options.server]);
  // Probe first: a resolver that cannot answer for the root zone is offline, whatever it says
  // about our domain (some sandboxes answer NXDOMAIN for everything).
  try {
    await withTimeout(options.timeoutMs, 'DNS', () => resolver.resolveNs('.'));
  } catch (e) {
    const code = (e as { code?: string }).code ?? (e as Error).message;
    return all('skip', `skipped: offline (DNS not reachable: ${code})`);
  }
  const txt = async (name: string): Promise<string[][] | Error> => {
    try {
      return await withTimeout(options.timeoutMs, `DNS ${name}`, () => resolver.resolveTxt(name));
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'ENODATA' || code === 'ENOTFOUND') return [];
      return e as Error;
    }
  };
  const verdict = (name: string, answer: string[][] | Error, evaluate: (t: string[][]) => Verdict): Check => {
    if (answer instanceof Error) {
      const code = (answer as { code?: string }).code;
      return code && OFFLINE_CODES.has(code)
        ? { name, status: 'skip', detail: `skipped: offline (${code})` }
        : { name, status: 'fail', detail: answer.message };
    }
    return { name, ...evaluate(answer) };
  };
  const spf = verdict('spf', await txt(domain), evaluateSpf);
  const dmarc = verdict('dmarc', await txt(`_dmarc.${domain}`), evaluateDmarc);
  let dkim: Check;
  if (config.SIFT_DKIM_SELECTOR) {
    const s = config.SIFT_DKIM_SELECTOR;
    dkim = verdict('dkim', await txt(`${s}._domainkey.${domain}`), (t) => evaluateDkim(s, t));
  } else {
    dkim = {
      name: 'dkim',
      status: 'warn',
      detail: `no DKIM key under the common selectors (${COMMON_DKIM_SELECTORS.join(', ')}): set SIFT_DKIM_SELECTOR to the one your provider signs with`,
    };
    for (const s of COMMON_DKIM_SELECTORS) {
      const answer = await txt(`${s}._domainkey.${domain}`);
      if (answer instanceof Error || answer.length === 0) continue;
      dkim = { name: 'dkim', ...evaluateDkim(s, answer) };
      break;
    }
  }
  return [spf, dkim, dmarc];
}

/** Runs every check against an environment; never throws for a bad installation. */
export async function runChecks(
  env: Record<string, string | undefined>,
  options: { offline: boolean; server?: string; timeoutMs: number },
): Promise<Check[]> {
  let config: Config;
  try {
    config = parseConfig(env);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const rest = ['data', 'database', 'migrations', 'mail', 'spf', 'dkim', 'dmarc'].map((name) => ({
      name,
      status: 'skip' as const,
      detail: 'skipped: the configuration is invalid',
    }));
    return [{ name: 'config', status: 'fail', detail: e.message.replace(/\n\s*/g, ' ') }, ...rest];
  }
  const secret = config.SIFT_SECRET
    ? 'SIFT_SECRET set'
    : existsSync(join(resolve(config.SIFT_DATA_DIR), 'secret'))
      ? `link secret in ${join(resolve(config.SIFT_DATA_DIR), 'secret')}`
      : 'link secret generated at first start';
  const admin = config.SIFT_ADMIN_TOKEN
    ? 'admin API and dashboard on'
    : 'admin API and dashboard off (no SIFT_ADMIN_TOKEN)';
  const checks: Check[] = [
    { name: 'config', status: 'ok', detail: `valid; ${config.baseUrl}; ${secret}; ${admin}` },
  ];
  if (config.baseUrl.startsWith('http://') && !/localhost|127\.0\.0\.1/.test(config.baseUrl))
    checks[0] = {
      ...checks[0]!,
      status: 'warn',
      detail: `SIFT_BASE_URL ${config.baseUrl} is not https: links in emails travel in the clear`,
    };
  const data = checkDataDir(config);
  checks.push(data);
  checks.push(...(await checkDatabase(config)));
  checks.push(await checkMail(config, options.timeoutMs));
  checks.push(...(await checkDns(config, options)));
  return checks;
}

const MARK: Record<Check['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' };

/** Entry of `sift doctor`; returns the exit code. */
export async function runDoctor(argv: string[], io: Io = stdio, env = process.env): Promise<number> {
  let values: { json?: boolean; offline?: boolean; 'dns-server'?: string; timeout?: string; help?: boolean };
  try {
    const parsed = parseArgs(argv, {
      json: { type: 'boolean' },
      offline: { type: 'boolean' },
      'dns-server': { type: 'string' },
      timeout: { type: 'string' },
    });
    if (parsed.positionals.length) throw new UsageError(`unexpected argument '${parsed.positionals[0]}'`);
    values = parsed.values;
    if (values.timeout !== undefined && !(Number(values.timeout) > 0 && Number(values.timeout) <= 120))
      throw new UsageError('--timeout: expected seconds between 0 and 120');
  } catch (e) {
    return reportError('sift doctor', USAGE, io, e);
  }
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const checks = await runChecks(env, {
    offline: !!values.offline,
    server: values['dns-server'],
    timeoutMs: Number(values.timeout ?? 10) * 1000,
  });
  const failed = checks.filter((c) => c.status === 'fail').length;
  const warned = checks.filter((c) => c.status === 'warn').length;
  if (values.json) printJson(io, { ok: failed === 0, checks });
  else {
    for (const c of checks) io.out(`${MARK[c.status]}  ${c.name.padEnd(10)} ${c.detail}\n`);
    io.out(
      failed > 0
        ? `\n${failed} check${failed === 1 ? '' : 's'} failed: fix ${failed === 1 ? 'it' : 'them'} and run sift doctor again\n`
        : `\nno problems found${warned ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}\n`,
    );
  }
  return failed > 0 ? 1 : 0;
}
