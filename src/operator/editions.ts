import type { Edition, Subscriber } from '../db/schema.ts';
import type { Deps } from '../deps.ts';
import { loadEditionViews } from '../editions/load-view.ts';
import { editionKey } from '../editions/schedule.ts';
import { AppError, NotFoundError } from '../errors.ts';
import { renderDigest } from '../render/email.ts';
import { getEdition, latestEditions } from '../store/editions.ts';
import { type EditionListRow, listEditionRows, requeueEdition } from '../store/stats.ts';
import { getSubscriber, isSuppressed } from '../store/subscribers.ts';
import { rankInMemory } from './dry-run.ts';

/** Editions, newest first, optionally of one subscriber. */
export function listEditions(
  deps: Pick<Deps, 'db'>,
  input: { subscriberId?: number; limit?: number; offset?: number },
): Promise<{ total: number; rows: EditionListRow[] }> {
  return listEditionRows(deps.db, {
    subscriberId: input.subscriberId,
    limit: input.limit ?? 50,
    offset: input.offset ?? 0,
  });
}

/** A rendered edition as the subscriber would receive it. */
export interface EditionPreview {
  /** 'stored': an edition that exists; 'next': what would be built now (nothing written). */
  kind: 'stored' | 'next';
  editionId: number | null;
  editionKey: string;
  subscriberId: number;
  email: string;
  subject: string;
  html: string;
  text: string;
  picks: number;
}

async function renderStored(deps: Deps, subscriber: Subscriber, edition: Edition): Promise<EditionPreview> {
  const [view] = await loadEditionViews(deps, subscriber, [edition]);
  const rendered = renderDigest(view!);
  return {
    kind: 'stored',
    editionId: edition.id,
    editionKey: edition.editionKey,
    subscriberId: subscriber.id,
    email: subscriber.email,
    ...rendered,
    picks: view!.picks.length,
  };
}

/**
 * Renders an edition for a subscriber: the one given, else their latest, else (or with
 * `next`) what their edition would hold if built now — ranked in memory, nothing written.
 * NotFoundError for an unknown subscriber or an edition that is not theirs.
 */
export async function previewEdition(
  deps: Deps,
  input: { subscriberId: number; editionId?: number; next?: boolean },
): Promise<EditionPreview> {
  const subscriber = await getSubscriber(deps.db, input.subscriberId);
  if (!subscriber) throw new NotFoundError(`no subscriber with id ${input.subscriberId}`);
  if (input.editionId !== undefined) {
    const edition = await getEdition(deps.db, input.editionId);
    if (!edition || edition.subscriberId !== subscriber.id)
      throw new NotFoundError(`subscriber ${subscriber.id} has no edition with id ${input.editionId}`);
    return renderStored(deps, subscriber, edition);
  }
  if (!input.next) {
    const [latest] = await latestEditions(deps.db, subscriber.id, 1);
    if (latest) return renderStored(deps, subscriber, latest);
  }
  const key = editionKey(subscriber, deps.clock());
  const [planned] = await rankInMemory(deps, [{ subscriberId: subscriber.id, email: subscriber.email, key }]);
  const edition: Edition = {
    id: 0,
    subscriberId: subscriber.id,
    editionKey: key,
    picks: planned?.picks ?? [],
    createdAt: deps.clock(),
  };
  return { ...(await renderStored(deps, subscriber, edition)), kind: 'next', editionId: null };
}

/** One edition by id, or NotFoundError. */
export async function getEditionById(deps: Pick<Deps, 'db'>, id: number): Promise<Edition> {
  const edition = await getEdition(deps.db, id);
  if (!edition) throw new NotFoundError(`no edition with id ${id}`);
  return edition;
}

/**
 * Queues an edition's email again (e.g. after fixing the mail transport): its outbox row goes
 * back to pending with a fresh attempt count, and the next send run delivers it. Refused (409)
 * for a subscriber who is not active or whose address is suppressed, and while a sender holds
 * the row. NotFoundError for an unknown edition.
 */
export async function resendEdition(deps: Pick<Deps, 'db' | 'clock'>, input: { editionId: number }) {
  const edition = await getEditionById(deps, input.editionId);
  const subscriber = await getSubscriber(deps.db, edition.subscriberId);
  if (!subscriber) throw new NotFoundError(`no edition with id ${input.editionId}`);
  if (subscriber.status !== 'active')
    throw new AppError('conflict', `not resent: ${subscriber.email} is ${subscriber.status}`);
  if (await isSuppressed(deps.db, subscriber.email))
    throw new AppError('conflict', `not resent: ${subscriber.email} is on the suppression list`);
  const row = await requeueEdition(deps.db, edition, deps.clock());
  if (!row) throw new AppError('conflict', 'not resent: this email is being sent right now');
  return row;
}
