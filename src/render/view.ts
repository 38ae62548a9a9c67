import type { SubscriberLinks } from '../security/subscriber-links.ts';

/** One pick as every channel shows it. */
export interface PickView {
  itemId: number;
  title: string;
  url: string | null;
  source: string;
  summary: string;
  reasons: string[];
  publishedAt: number | null;
  /** Names of other sources that covered the same story, when known (shown as "also covered by"). */
  alsoCoveredBy?: string[];
}

/** An edition with everything needed to render it, in any channel. */
export interface EditionView {
  editionId: number;
  editionKey: string;
  createdAt: number;
  email: string;
  links: SubscriberLinks;
  picks: PickView[];
}
