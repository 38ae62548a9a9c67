import { templates } from './compiled/templates.ts';
import { fillTemplate } from './slots.ts';
import type { EditionView } from './view.ts';

/** A rendered email body, before transport headers are added. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** "7 picks: hockey, golf and 2 more": the subject names what the subscriber asked for. */
export function subjectLine(view: EditionView): string {
  const n = view.picks.length;
  const matched: string[] = [];
  for (const p of view.picks)
    for (const r of p.reasons) {
      const m = /interest '([^']+)'/.exec(r);
      if (m && !matched.includes(m[1]!)) matched.push(m[1]!);
    }
  const head = `${n} ${n === 1 ? 'pick' : 'picks'}`;
  if (matched.length === 0) return `${head} for you`;
  if (matched.length <= 2) return `${head}: ${matched.join(' and ')}`;
  return `${head}: ${matched.slice(0, 2).join(', ')} and ${matched.length - 2} more`;
}

function dateLabel(view: EditionView): string {
  return `Your Sift edition · ${view.editionKey}`;
}

/** Renders the digest email (HTML from the compiled MJML, and its plain-text twin). */
export function renderDigest(view: EditionView): RenderedEmail {
  const subject = subjectLine(view);
  const html = fillTemplate(
    templates.digest!,
    {
      subject,
      preheader: view.picks
        .slice(0, 3)
        .map((p) => p.title)
        .join(' · '),
      dateLabel: dateLabel(view),
      heading: subject,
      email: view.email,
      preferencesUrl: view.links.preferences,
      feedUrl: view.links.feeds.atom,
      unsubscribeUrl: view.links.unsubscribe,
    },
    {
      picks: view.picks.map((p) => ({
        source: p.source,
        url: p.url ?? view.links.feeds.atom,
        title: p.title,
        summary: p.summary,
        reasons: p.reasons.join(' · '),
      })),
    },
  );
  return { subject, html, text: renderDigestText(view, subject) };
}

/** The plain-text part: the same picks and the same links as the HTML. */
export function renderDigestText(view: EditionView, subject = subjectLine(view)): string {
  const lines = [subject, dateLabel(view), ''];
  view.picks.forEach((p, i) => {
    lines.push(`${i + 1}. ${p.title}`, `   ${p.source}`);
    if (p.url) lines.push(`   ${p.url}`);
    if (p.summary) lines.push(`   ${p.summary}`);
    lines.push(`   Why: ${p.reasons.join('; ')}`, '');
  });
  lines.push(
    '--',
    `You get this because you subscribed to Sift as ${view.email}.`,
    `Manage your preferences: ${view.links.preferences}`,
    `Your private feed: ${view.links.feeds.atom}`,
    `Unsubscribe: ${view.links.unsubscribe}`,
    '',
  );
  return lines.join('\n');
}
