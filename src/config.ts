import { z } from 'zod';
import { ConfigError } from './errors.ts';

const port = z.coerce.number().int().min(1).max(65535);
const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//.test(u), 'expected an http(s) URL')
  .transform((u) => u.replace(/\/+$/, ''));

/** Every setting Sift reads, from environment variables (Node) or bindings (Workers). */
export const configSchema = z.object({
  PORT: port.default(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  SIFT_DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z.string().min(1).optional(),
  DATABASE_AUTH_TOKEN: z.string().min(1).optional(),
  SIFT_BASE_URL: httpUrl.optional(),
  SIFT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SIFT_MAIL_FROM: z.string().min(3).default('Sift <sift@localhost>'),
  SIFT_UNSUBSCRIBE_MAILTO: z.string().email().optional(),
  SIFT_MAILER: z.enum(['outbox', 'smtp', 'http']).default('outbox'),
  /** Email API used by SIFT_MAILER=http (over fetch, so it also works on Workers). */
  SIFT_HTTP_PROVIDER: z.enum(['resend']).default('resend'),
  /** API key of the http provider (a secret on Workers). */
  SIFT_HTTP_API_KEY: z.string().min(8, 'must be the provider API key').optional(),
  /** API root of the http provider; only set it for a proxy or a test server. */
  SIFT_HTTP_API_URL: httpUrl.optional(),
  /** Messages sent per second at most (0: no limit). */
  SIFT_SEND_RATE: z.coerce.number().min(0).max(10_000).default(10),
  /** Shared secret of the bounce/complaint webhooks (Resend's whsec_… signing secret, or any ≥ 24 chars for the generic form). */
  SIFT_WEBHOOK_SECRET: z.string().min(24, 'must be at least 24 characters').optional(),
  /** Dev-only outbox viewer at /dev/outbox: auto (on for the outbox mailer on a localhost base URL), on, off. */
  SIFT_OUTBOX_VIEWER: z.enum(['auto', 'on', 'off']).default('auto'),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'expected smtp://user:pass@host:port or smtps://…')
    .optional(),
  SIFT_DEMO: z.enum(['auto', 'on', 'off']).default('auto'),
  SIFT_DEMO_EMAIL: z.string().email().default('demo@example.com'),
  SIFT_CRON_INGEST: z.string().min(9).default('*/15 * * * *'),
  SIFT_CRON_EDITIONS: z.string().min(9).default('*/5 * * * *'),
  SIFT_CRON_SEND: z.string().min(9).default('* * * * *'),
  SIFT_CRON: z.enum(['on', 'off']).default('on'),
  /** Sentence vectors (Node): `off` ranks with words and word vectors only. */
  SIFT_SENTENCES: z.enum(['on', 'off']).default('on'),
  /** An edition missed by downtime is still sent if at most this many hours late; else skipped. */
  SIFT_CATCH_UP_HOURS: z.coerce.number().min(0).max(168).default(12),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  /** Hosts (or host:port) sources may reach although they resolve to private addresses, comma-separated. */
  SIFT_ALLOW_PRIVATE_HOSTS: z.string().optional(),
  /** Total time for one feed fetch (connect, redirects, body), in seconds. */
  SIFT_FETCH_TIMEOUT: z.coerce.number().positive().max(300).default(20),
  /** TCP + TLS connect timeout for one feed fetch, in seconds. */
  SIFT_FETCH_CONNECT_TIMEOUT: z.coerce.number().positive().max(120).default(10),
  /** Largest feed body read, in MiB after decompression. */
  SIFT_FETCH_MAX_MB: z.coerce.number().positive().max(200).default(10),
  /** Minutes between checks of a healthy source (the publisher's Cache-Control max-age can lengthen it). */
  SIFT_CHECK_INTERVAL: z.coerce.number().int().min(1).max(1440).default(30),
  /** Sources fetched at once per ingest run, and at most this many per host. */
  SIFT_INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  SIFT_INGEST_PER_HOST: z.coerce.number().int().min(1).max(16).default(2),
  /** Sources checked per ingest run at most (0: all due); Workers' subrequest limit needs one. */
  SIFT_INGEST_MAX_PER_RUN: z.coerce.number().int().min(0).max(1_000_000).default(0),
  /** Consecutive failures after which a source is paused with the reason stored (0: never). */
  SIFT_PAUSE_AFTER_FAILURES: z.coerce.number().int().min(0).max(1000).default(10),
  /** Sign-up and sign-in link requests allowed per client IP per hour (then 429). */
  SIFT_RATE_LIMIT_IP: z.coerce.number().int().min(1).max(100_000).default(30),
  /** Sign-up and sign-in link requests allowed per email address per hour (then 429). */
  SIFT_RATE_LIMIT_ADDRESS: z.coerce.number().int().min(1).max(1000).default(5),
  /** Request header holding the client IP behind a reverse proxy (e.g. x-forwarded-for); empty: the socket. */
  SIFT_CLIENT_IP_HEADER: z
    .string()
    .regex(/^[A-Za-z0-9-]+$/, 'expected a header name such as x-forwarded-for')
    .optional(),
  /** Bearer token for /api/admin and the /admin dashboard; both are disabled while unset. */
  SIFT_ADMIN_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters (e.g. openssl rand -base64 32)')
    .optional(),
  /** DKIM selector `sift doctor` looks up for the sender domain (else a few common ones are tried). */
  SIFT_DKIM_SELECTOR: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/, 'expected a DNS label such as s1 or mail')
    .optional(),
});

export type RawConfig = z.output<typeof configSchema>;

/** Resolved settings: every default applied and derived values filled in. */
export interface Config extends RawConfig {
  baseUrl: string;
}

/**
 * Parses settings from a flat string record. Empty strings count as unset, so `FOO=` in a
 * .env file means "use the default". Throws ConfigError naming each bad variable.
 */
export function parseConfig(record: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(
    Object.keys(configSchema.shape).map((k) => [k, record[k] === '' ? undefined : record[k]]),
  );
  const result = configSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => {
      const key = String(i.path[0]);
      return `  ${key}=${JSON.stringify(cleaned[key] ?? '')}: ${i.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const raw = result.data;
  if (raw.SIFT_MAILER === 'smtp' && !raw.SMTP_URL) {
    throw new ConfigError(
      'invalid configuration:\n  SMTP_URL: required when SIFT_MAILER=smtp (smtp://user:pass@host:587)',
    );
  }
  if (raw.SIFT_MAILER === 'http' && !raw.SIFT_HTTP_API_KEY) {
    throw new ConfigError(
      'invalid configuration:\n  SIFT_HTTP_API_KEY: required when SIFT_MAILER=http (your Resend API key, re_…)',
    );
  }
  return { ...raw, baseUrl: raw.SIFT_BASE_URL ?? `http://localhost:${raw.PORT}` };
}
