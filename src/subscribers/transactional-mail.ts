import type { OutgoingEmail } from '../deliver/mailer.ts';
import type { Deps } from '../deps.ts';
import { renderTransactional, type TransactionalKind } from '../render/transactional.ts';
import { randomToken } from '../security/random-token.ts';

/**
 * Builds a confirmation, sign-in or goodbye email. These are not editions: they go straight
 * to the mailer, never through the outbox, and carry no List-Unsubscribe (nothing to leave).
 */
export function transactionalEmail(
  deps: Pick<Deps, 'config'>,
  to: string,
  kind: TransactionalKind,
  actionUrl: string,
): OutgoingEmail {
  const rendered = renderTransactional(kind, { actionUrl });
  const id = randomToken();
  const host = new URL(deps.config.baseUrl).hostname;
  return {
    to,
    from: deps.config.SIFT_MAIL_FROM,
    subject: rendered.subject,
    html: rendered.html,
    text: rendered.text,
    headers: { 'Auto-Submitted': 'auto-generated' },
    messageId: `<${kind}.${id}@${host}>`,
    idempotencyKey: `${kind}-${id}`,
  };
}
