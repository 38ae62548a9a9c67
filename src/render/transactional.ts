import { templates } from './compiled/templates.ts';
import { dateLabel, type RenderedEmail } from './email.ts';
import { bytesToString, type FillData, fillBytes, type PreparedTemplate, prepareTemplate } from './slots.ts';

/** The one-off emails around a subscription (not editions). */
export type TransactionalKind = 'confirm' | 'signin' | 'unsubscribed';

/** Optional details a transactional email can mention. */
export interface TransactionalData {
  /** The link the email's one action opens (absolute, signed). */
  actionUrl: string;
  /** How long the link works, for sign-in links (default 30). */
  expiresInMinutes?: number;
  /** Today's date label in the header (default: now, UTC). */
  now?: number;
}

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
    body: 'Use the button below to open your preferences.',
    action: 'Sign in',
    footnote: 'If you did not ask for this link, ignore this email.',
  },
  unsubscribed: {
    subject: 'You are unsubscribed from Sift',
    heading: 'You are unsubscribed',
    body: 'You will get no more editions.',
    action: 'Subscribe again',
    footnote: 'This is the last email you will receive from this Sift instance.',
  },
};

const prepared: Partial<Record<TransactionalKind, PreparedTemplate>> = {};

function expiryNote(minutes: number): string {
  return `The link works once and expires in ${minutes} minutes.`;
}

/** The values a transactional template is filled with (the same data feeds the MJML reference). */
export function transactionalFillData(kind: TransactionalKind, data: TransactionalData): FillData {
  const c = COPY[kind];
  const expiry = kind === 'signin' ? expiryNote(data.expiresInMinutes ?? 30) : '';
  return {
    subject: c.subject,
    preheader: kind === 'signin' ? `${c.body} ${expiry}` : c.body,
    dateLabel: dateLabel(new Date(data.now ?? Date.now()).toISOString().slice(0, 10)),
    heading: c.heading,
    body: c.body,
    actionUrl: data.actionUrl,
    actionLabel: c.action,
    expiry,
    footnote: c.footnote,
  };
}

/** Renders a transactional email whose one action opens `actionUrl`; HTML and text carry it. */
export function renderTransactional(kind: TransactionalKind, data: TransactionalData): RenderedEmail {
  const c = COPY[kind];
  if (!c) throw new Error(`render: unknown transactional email '${kind}'`);
  if (!/^https?:\/\//.test(data.actionUrl))
    throw new Error(`render: actionUrl must be an absolute http(s) URL, got '${data.actionUrl}'`);
  const tpl = (prepared[kind] ??= prepareTemplate(kind, templates[kind]));
  const html = bytesToString(fillBytes(tpl, transactionalFillData(kind, data)));
  const expiry = kind === 'signin' ? expiryNote(data.expiresInMinutes ?? 30) : '';
  const lines = [c.heading, '', c.body, '', `${c.action}: ${data.actionUrl}`, ''];
  if (expiry) lines.push(expiry, '');
  lines.push(c.footnote, '');
  return { subject: c.subject, html, text: lines.join('\n') };
}
