import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { Mailer, OutgoingEmail } from './mailer.ts';

/** Builds the raw RFC 5322 message (multipart/alternative: text, then HTML). */
export function composeMime(email: OutgoingEmail): Promise<Buffer> {
  return new MailComposer({
    from: email.from,
    to: email.to,
    subject: email.subject,
    text: email.text,
    html: email.html,
    messageId: email.messageId,
    date: new Date(),
    headers: email.headers,
  })
    .compile()
    .build();
}

/**
 * The default transport: writes each email as an `.eml` file (open it in any mail client) and
 * an `.html` copy into a folder. Files are written under a temporary name and renamed, so a
 * crash never leaves half a message.
 */
export function createOutboxMailer(dir: string): Mailer {
  let ready: Promise<unknown> | null = null;
  return {
    name: 'outbox',
    async send(email) {
      ready ??= mkdir(dir, { recursive: true });
      await ready;
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const safeTo = email.to.replace(/[^a-zA-Z0-9@._-]/g, '_');
      const base = join(dir, `${stamp}-${safeTo}-${email.idempotencyKey}`);
      const raw = await composeMime(email);
      await writeFile(`${base}.html.tmp`, email.html);
      await rename(`${base}.html.tmp`, `${base}.html`);
      await writeFile(`${base}.eml.tmp`, raw);
      await rename(`${base}.eml.tmp`, `${base}.eml`);
      return { providerId: base };
    },
  };
}
