/** One fully rendered email, ready for any transport. */
export interface OutgoingEmail {
  to: string;
  from: string;
  subject: string;
  html: string;
  text: string;
  /** Extra headers, e.g. List-Unsubscribe (RFC 8058). */
  headers: Record<string, string>;
  /** RFC 5322 Message-ID, stable per outbox row so a retry is recognisable. */
  messageId: string;
  /** Stable per outbox row: providers that support it deduplicate retries with it. */
  idempotencyKey: string;
}

/** A transport. Resolves once the provider accepted the message; rejects with MailError otherwise. */
export interface Mailer {
  readonly name: string;
  send(email: OutgoingEmail): Promise<{ providerId?: string }>;
  close?(): Promise<void>;
}

/** One message in the outbox folder. */
export interface OutboxEntry {
  /** File name without extension; `.eml` and `.html` exist for it. */
  name: string;
  to: string;
  subject: string;
  writtenAt: number;
}

/** A mailer whose messages can be listed and read back (the dev outbox viewer uses it). */
export interface BrowsableMailer extends Mailer {
  listMessages(limit?: number): Promise<OutboxEntry[]>;
  /** The message's `.html` or `.eml` file, or null for an unknown name. */
  readMessage(name: string, kind: 'html' | 'eml'): Promise<Uint8Array | null>;
}

/** Whether a mailer can be browsed (the outbox mailer can). Kept here, free of node: imports. */
export function isBrowsable(mailer: Mailer): mailer is BrowsableMailer {
  return typeof (mailer as Partial<BrowsableMailer>).listMessages === 'function';
}

/** What a failed send means for the address, beyond this one message. */
export interface MailErrorDetails {
  /** The address does not exist (SMTP 5.1.1, 5.1.10 or the provider's equivalent): suppress it. */
  noSuchUser?: boolean;
  /** The provider's status (SMTP reply code or HTTP status), for the log and the outbox row. */
  status?: number;
}

/** A failed send; `permanent` failures are not retried; `retryAfterMs` is the server's own wish. */
export class MailError extends Error {
  readonly noSuchUser: boolean;
  readonly status?: number;
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly retryAfterMs?: number,
    details: MailErrorDetails = {},
  ) {
    super(message);
    this.name = 'MailError';
    this.noSuchUser = details.noSuchUser ?? false;
    this.status = details.status;
  }
}

/** The message fields every MIME-building transport passes to nodemailer. */
export function mimeFields(email: OutgoingEmail) {
  return {
    from: email.from,
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    messageId: email.messageId,
    date: new Date(),
    headers: email.headers,
  };
}
