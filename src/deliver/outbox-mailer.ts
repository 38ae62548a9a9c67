import { mkdir, readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { type BrowsableMailer, mimeFields, type OutboxEntry, type OutgoingEmail } from './mailer.ts';

/** Builds the raw RFC 5322 message (multipart/alternative: text, then HTML). */
export function composeMime(email: OutgoingEmail): Promise<Buffer> {
  return new MailComposer(mimeFields(email)).compile().build();
}

// Names we wrote: stamp, address and key from [A-Za-z0-9@._-] only, so no path can sneak in.
const SAFE_NAME = /^[A-Za-z0-9@._-]{1,200}$/;

/**
 * The default transport: writes each email as an `.eml` file (open it in any mail client) and
 * an `.html` copy into a folder. Files are written under a temporary name and renamed, so a
 * crash never leaves half a message. A `.json` sidecar keeps recipient and subject for listing.
 */
export function createOutboxMailer(dir: string): BrowsableMailer {
  let ready: Promise<unknown> | null = null;
  const put = async (file: string, data: string | Buffer) => {
    await writeFile(`${file}.tmp`, data);
    await rename(`${file}.tmp`, file);
  };
  return {
    name: 'outbox',
    async send(email) {
      ready ??= mkdir(dir, { recursive: true });
      await ready;
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const safeTo = email.to.replace(/[^a-zA-Z0-9@._-]/g, '_');
      const base = join(dir, `${stamp}-${safeTo}-${email.idempotencyKey.replace(/[^a-zA-Z0-9._-]/g, '_')}`);
      const raw = await composeMime(email);
      await put(`${base}.html`, email.html);
      await put(`${base}.json`, JSON.stringify({ to: email.to, subject: email.subject }));
      // The .eml last: its presence means the message is complete.
      await put(`${base}.eml`, raw);
      return { providerId: base };
    },
    async listMessages(limit = 200) {
      let files: string[];
      try {
        files = await readdir(dir);
      } catch {
        return [];
      }
      const names = files
        .filter((f) => f.endsWith('.eml'))
        .map((f) => f.slice(0, -4))
        .sort()
        .reverse()
        .slice(0, limit);
      return Promise.all(
        names.map(async (name): Promise<OutboxEntry> => {
          const meta = await readFile(join(dir, `${name}.json`), 'utf8')
            .then((t) => JSON.parse(t) as { to?: string; subject?: string })
            .catch(() => ({}) as { to?: string; subject?: string });
          const info = await stat(join(dir, `${name}.eml`));
          return {
            name,
            to: meta.to ?? '',
            subject: meta.subject ?? '(no subject)',
            writtenAt: info.mtimeMs,
          };
        }),
      );
    },
    async readMessage(name, kind) {
      if (!SAFE_NAME.test(name) || name.includes('..')) return null;
      return readFile(join(dir, `${name}.${kind}`)).catch(() => null);
    },
  };
}
