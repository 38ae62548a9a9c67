import { templates } from './compiled/templates.ts';
import type { RenderedEmail } from './email.ts';
import { fillTemplate } from './slots.ts';

/** The one-off emails around a subscription (not editions). */
export type TransactionalKind = 'confirm' | 'signin' | 'unsubscribed';

const COPY: Record<
  TransactionalKind,
  { subject: string; heading: string; body: string; action: string; footnote: string }
> = {
  confirm: {
    subject: 'Confirm your Sift subscription',
    heading: 'One click to confirm',
    body: 'Someone (hopefully you) asked to receive Sift editions at this address. Nothing will be sent until you confirm.',
    action: 'Confirm my subscription',
    footnote: 'If this was not you, ignore this email: without confirmation you will not hear from us again.',
  },
  signin: {
    subject: 'Your Sift sign-in link',
    heading: 'Sign in to Sift',
    body: 'Use the button below to open your preferences. The link works once and expires in 30 minutes.',
    action: 'Sign in',
    footnote: 'If you did not ask for this link, ignore this email.',
  },
  unsubscribed: {
    subject: 'You are unsubscribed from Sift',
    heading: 'You are unsubscribed',
    body: 'You will get no more editions. Changed your mind? You can subscribe again at any time.',
    action: 'Subscribe again',
    footnote: 'This is the last email you will receive from this Sift instance.',
  },
};

/** Renders a transactional email whose one button opens `actionUrl`. */
export function renderTransactional(kind: TransactionalKind, data: { actionUrl: string }): RenderedEmail {
  const c = COPY[kind];
  const html = fillTemplate(templates.notice!, {
    subject: c.subject,
    preheader: c.body,
    heading: c.heading,
    body: c.body,
    actionUrl: data.actionUrl,
    actionLabel: c.action,
    footnote: c.footnote,
  });
  const text = `${c.heading}\n\n${c.body}\n\n${c.action}: ${data.actionUrl}\n\n${c.footnote}\n`;
  return { subject: c.subject, html, text };
}
