import nodemailer from 'nodemailer';
import { MailError, type Mailer } from './mailer.ts';

/** SMTP transport (nodemailer: TLS, auth, pooling). 4xx replies are retried, 5xx are final. */
export function createSmtpMailer(url: string): Mailer {
  const transport = nodemailer.createTransport(
    url.includes('pool=') ? url : `${url}${url.includes('?') ? '&' : '?'}pool=true`,
  );
  return {
    name: 'smtp',
    async send(email) {
      try {
        const info = await transport.sendMail({
          from: email.from,
          to: email.to,
          subject: email.subject,
          text: email.text,
          html: email.html,
          messageId: email.messageId,
          headers: email.headers,
        });
        return { providerId: info.messageId };
      } catch (e) {
        const err = e as Error & { responseCode?: number };
        const code = err.responseCode ?? 0;
        throw new MailError(`smtp: ${err.message}`, code >= 500 && code < 600);
      }
    },
    async close() {
      transport.close();
    },
  };
}
