import { z } from 'zod';

/** An email address as typed: trimmed and lowercased, so one person has one subscription. */
export const emailSchema = z
  .string({ error: 'Enter your email address.' })
  .trim()
  .toLowerCase()
  .min(1, 'Enter your email address.')
  .max(254, 'That address is too long (254 characters at most).')
  .pipe(z.email('Enter a valid email address, like name@example.com.'));

/** Normalises and validates an address; returns the message to show when it is not valid. */
export function parseEmail(input: unknown): { email: string } | { error: string } {
  const r = emailSchema.safeParse(input);
  return r.success
    ? { email: r.data }
    : { error: r.error.issues[0]?.message ?? 'Enter a valid email address.' };
}
