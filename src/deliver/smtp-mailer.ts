import nodemailer from 'nodemailer';
import { MailError, type Mailer, mimeFields } from './mailer.ts';
import { isNoSuchUser } from './retry-policy.ts';

/** Settings for the SMTP transport beyond its URL. */
export interface SmtpOptions {
  /** Reuse connections (default true): one TLS handshake for many messages. */
  pool?: boolean;
  /** Open connections at most (default 3). */
  maxConnections?: number;
  /** Milliseconds to wait for a connection, greeting and each reply (default 30 s). */
  timeoutMs?: number;
}

// Errors that say nothing about the message itself: the server, network or credentials are at
// fault, so the message is retried later rather than failed (an operator can fix a password).
const TRANSIENT_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ETLS',
  'EAUTH',
  'ECONNRESET',
  'EPROTOCOL',
]);

/** Maps a nodemailer error to a MailError: 4xx and connection trouble are retried, 5xx are final. */
export function smtpError(e: unknown): MailError {
  const err = e as Error & { responseCode?: number; response?: string; code?: string };
  const code = err.responseCode ?? 0;
  const reply = err.response ?? err.message;
  if (code >= 500 && code < 600 && err.code !== 'EAUTH')
    return new MailError(`smtp: ${reply}`, true, undefined, {
      noSuchUser: isNoSuchUser(reply),
      status: code,
    });
  if (code >= 400 || TRANSIENT_CODES.has(err.code ?? '') || code === 0)
    return new MailError(`smtp: ${reply}`, false, undefined, { status: code || undefined });
  return new MailError(`smtp: ${reply}`, true, undefined, { status: code });
}

/**
 * SMTP transport (nodemailer). `smtps://` is TLS from the first byte (port 465); `smtp://`
 * upgrades with STARTTLS when the server offers it (add `?requireTLS=true` to insist). User and
 * password in the URL authenticate. Connections are pooled.
 */
export function createSmtpMailer(url: string, options: SmtpOptions = {}): Mailer {
  const timeout = options.timeoutMs ?? 30_000;
  const pool = options.pool ?? true;
  const transport = nodemailer.createTransport({
    url,
    pool,
    maxConnections: options.maxConnections ?? 3,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout * 2,
  } as Parameters<typeof nodemailer.createTransport>[0]);
  return {
    name: 'smtp',
    async send(email) {
      try {
        const info = await transport.sendMail(mimeFields(email));
        return { providerId: info.messageId };
      } catch (e) {
        throw smtpError(e);
      }
    },
    async close() {
      transport.close();
    },
  };
}
