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

/** A failed send; `permanent` failures are not retried. */
export class MailError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'MailError';
  }
}
