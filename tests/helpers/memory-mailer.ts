import type { Mailer, OutgoingEmail } from '../../src/deliver/mailer.ts';

/**
 * A mailer that keeps what it was given, for tests that look at the message itself. Runtime-free
 * (no node: imports), so the workerd suites use it too.
 */
export function memoryMailer(): Mailer & { sent: OutgoingEmail[] } {
  const sent: OutgoingEmail[] = [];
  return {
    name: 'memory',
    sent,
    async send(email) {
      sent.push(email);
      return {};
    },
  };
}
