import { MailError, type Mailer } from './mailer.ts';
import { parseRetryAfter } from './retry-policy.ts';

/** Settings for an HTTP email API. */
export interface HttpMailerOptions {
  apiKey: string;
  /** API root (default https://api.resend.com); tests point it at a local server. */
  apiUrl?: string;
  /** fetch to use (Workers and Node both have one). */
  fetch?: typeof fetch;
  /** Milliseconds before a request is abandoned and retried later (default 30 s). */
  timeoutMs?: number;
  /** Clock for Retry-After dates. */
  now?: () => number;
}

/** The HTTP providers Sift speaks. */
export type HttpProvider = 'resend';

/**
 * Resend's email API over fetch (runs on Node and in Workers). The outbox row's key goes in
 * the `Idempotency-Key` header: if a sender crashed after Resend accepted a message, the retry
 * carries the same key and Resend answers with the first result instead of sending it again.
 * 429 and 5xx (and a rejected API key) are retried, honouring Retry-After; other 4xx are final.
 */
export function createResendMailer(options: HttpMailerOptions): Mailer {
  if (!options.apiKey) throw new Error('deliver: the http mailer needs an API key (SIFT_HTTP_API_KEY)');
  const root = (options.apiUrl ?? 'https://api.resend.com').replace(/\/+$/, '');
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init));
  const now = options.now ?? Date.now;
  return {
    name: 'http:resend',
    async send(email) {
      let res: Response;
      try {
        res = await doFetch(`${root}/emails`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${options.apiKey}`,
            'content-type': 'application/json',
            'idempotency-key': email.idempotencyKey,
            'user-agent': 'Sift',
          },
          body: JSON.stringify({
            from: email.from,
            to: [email.to],
            subject: email.subject,
            html: email.html,
            text: email.text,
            headers: { ...email.headers, 'Message-ID': email.messageId },
          }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
        });
      } catch (e) {
        throw new MailError(`http: request to ${root} failed: ${(e as Error).message}`, false);
      }
      const body = await res.text().catch(() => '');
      let json: { id?: string; name?: string; message?: string } = {};
      try {
        json = JSON.parse(body);
      } catch {
        // Not JSON (a proxy's error page): the status alone decides.
      }
      if (res.ok) return { providerId: json.id };
      const detail = `${res.status} ${json.name ?? ''} ${json.message ?? body.slice(0, 200)}`.replace(
        /\s+/g,
        ' ',
      );
      // The same key with a different body: the first request was accepted, so this one was sent.
      if (res.status === 409 && json.name === 'invalid_idempotent_request')
        return { providerId: 'duplicate' };
      // 401/403 mean our key is wrong, not the message: keep the rows until the operator fixes it.
      const transient = [401, 403, 408, 409, 429].includes(res.status) || res.status >= 500;
      throw new MailError(
        `http: ${detail.trim()}`,
        !transient,
        transient ? parseRetryAfter(res.headers.get('retry-after'), now()) : undefined,
        { status: res.status },
      );
    },
  };
}

/** Creates the mailer for an HTTP provider by name. */
export function createHttpMailer(provider: HttpProvider, options: HttpMailerOptions): Mailer {
  if (provider === 'resend') return createResendMailer(options);
  throw new Error(`deliver: unknown http provider '${provider}' (supported: resend)`);
}
