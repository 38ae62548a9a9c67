/** zod schemas of the admin API: request validation and the OpenAPI document come from these. */
import { z } from '@hono/zod-openapi';
import { normalizeInput } from '../../ingest/add-source.ts';

const ms = (description: string) =>
  z
    .number()
    .int()
    .openapi({ description: `${description} (epoch ms)` });
const msOrNull = (description: string) =>
  z
    .number()
    .int()
    .nullable()
    .openapi({ description: `${description} (epoch ms)` });

/** `{id}` in a path: a positive integer. */
export const IdParam = z.object({
  id: z.coerce
    .number()
    .int()
    .positive()
    .openapi({ param: { name: 'id', in: 'path' }, example: 1 }),
});

/** Paging for lists. */
export const Paging = {
  limit: z.coerce.number().int().min(1).max(500).default(50).openapi({ description: 'page size (1–500)' }),
  offset: z.coerce.number().int().min(0).default(0).openapi({ description: 'rows to skip' }),
};

/** Every error: a code, a sentence, and for validation errors the offending fields. */
export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: 'bad_request' }),
      message: z.string().openapi({ example: 'url: expected an http(s) URL' }),
      fields: z
        .array(z.object({ field: z.string(), message: z.string() }))
        .optional()
        .openapi({ description: 'present on validation errors: one entry per bad field' }),
    }),
  })
  .openapi('Error');

/** A source with its health. */
export const SourceSchema = z
  .object({
    id: z.number().int(),
    url: z.string(),
    kind: z.enum(['http', 'bundled']),
    title: z.string().nullable(),
    siteUrl: z.string().nullable(),
    state: z.enum(['ok', 'failing', 'paused', 'new']),
    summary: z.string().openapi({ example: 'failing 3 times in a row: HTTP 404' }),
    paused: z.boolean(),
    pausedReason: z.string().nullable(),
    lastCheckAt: msOrNull('last check'),
    lastSuccessAt: msOrNull('last successful check'),
    lastError: z.string().nullable(),
    errorCount: z.number().int(),
    nextCheckAt: msOrNull('next check; null while paused'),
    createdAt: ms('added'),
    items: z.number().int().openapi({ description: 'items stored from this source' }),
  })
  .openapi('Source');

/** Body of POST /sources. */
export const AddSourceBody = z
  .object({
    url: z
      .string()
      .trim()
      .min(1, 'expected a feed URL')
      .max(2048)
      // A site address without a scheme ("example.org/blog") is accepted: https:// is assumed
      // and its advertised feed is found, exactly as addSource (and `sift sources add`) reads it.
      .transform(normalizeInput)
      .refine((u) => URL.canParse(u) && !/\s/.test(u), 'expected a URL such as https://example.org/feed.xml')
      .refine((u) => /^https?:\/\//i.test(u), 'expected an http(s) URL')
      .openapi({
        example: 'https://example.org/feed.xml',
        description: 'feed or site address; https:// is assumed without a scheme',
      }),
    title: z.string().trim().min(1).max(200).optional().openapi({ description: 'overrides the feed title' }),
  })
  .openapi('AddSource');

/** Body of POST /sources/{id}/pause. */
export const PauseBody = z
  .object({ reason: z.string().trim().min(1).max(200).optional() })
  .openapi('PauseSource');

/** A topic of the catalogue. */
export const TopicSchema = z
  .object({ id: z.number().int(), name: z.string(), terms: z.array(z.string()), createdAt: ms('created') })
  .openapi('Topic');

const topicName = z.string().trim().min(1, 'must not be empty').max(100);
const topicTerms = z
  .array(z.string().trim().min(1, 'must not be empty').max(100))
  .min(1, 'at least one term')
  .max(200);

/** Body of POST /topics. */
export const TopicBody = z
  .object({
    name: topicName.openapi({ example: 'Climate' }),
    terms: topicTerms.openapi({ example: ['climate', 'emissions', 'carbon'] }),
  })
  .openapi('NewTopic');

/** Body of PATCH /topics/{id}: name and/or terms. */
export const TopicPatch = z
  .object({ name: topicName.optional(), terms: topicTerms.optional() })
  .refine((v) => v.name !== undefined || v.terms !== undefined, {
    message: 'give name and/or terms',
    path: ['name'],
  })
  .openapi('TopicPatch');

const status = z.enum(['pending', 'active', 'unsubscribed']);

/** A subscriber as listed. */
export const SubscriberSchema = z
  .object({
    id: z.number().int(),
    email: z.string(),
    status,
    suppressed: z.boolean(),
    timezone: z.string(),
    frequency: z.enum(['daily', 'weekly']),
    weekday: z.number().int(),
    deliveryHour: z.number().int(),
    deliveryMinute: z.number().int(),
    emailEnabled: z.boolean(),
    pausedUntil: msOrNull('paused until'),
    isDemo: z.boolean(),
    createdAt: ms('signed up'),
    confirmedAt: msOrNull('confirmed'),
    unsubscribedAt: msOrNull('unsubscribed'),
  })
  .openapi('Subscriber');

/** A subscriber with their preferences document. */
export const SubscriberDetailSchema = SubscriberSchema.extend({
  preferences: z.unknown().openapi({ description: 'the preferences document (see README "Preferences")' }),
}).openapi('SubscriberDetail');

/** Query of GET /subscribers. */
export const SubscriberQuery = z.object({
  q: z.string().trim().max(200).optional().openapi({ description: 'part of the email address' }),
  status: status.optional(),
  ...Paging,
});

/** Body of PATCH /subscribers/{id}. */
export const StatusBody = z.object({ status }).openapi('SubscriberStatus');

/** Body of POST /subscribers/{id}/suppress. */
export const SuppressBody = z
  .object({ reason: z.string().trim().min(1).max(200).optional() })
  .openapi('Suppress');

/** One suppression-list entry. */
export const SuppressionSchema = z
  .object({ email: z.string(), reason: z.string(), createdAt: ms('added') })
  .openapi('Suppression');

/** Body of POST /suppressions. */
export const SuppressionBody = z
  .object({
    email: z.string().trim().email('expected an email address'),
    reason: z.string().trim().min(1).max(200).optional(),
  })
  .openapi('NewSuppression');

/** `{email}` in a path. */
export const EmailParam = z.object({
  email: z
    .string()
    .email('expected an email address')
    .openapi({ param: { name: 'email', in: 'path' }, example: 'ada@example.org' }),
});

/** An edition as listed, with its delivery state. */
export const EditionSchema = z
  .object({
    id: z.number().int(),
    subscriberId: z.number().int(),
    email: z.string(),
    editionKey: z.string().openapi({ example: '2026-11-24' }),
    createdAt: ms('built'),
    pickCount: z.number().int(),
    delivery: z
      .object({
        status: z.enum(['pending', 'sending', 'sent', 'failed', 'suppressed']),
        attempts: z.number().int(),
        lastError: z.string().nullable(),
        sentAt: msOrNull('sent'),
      })
      .nullable()
      .openapi({ description: 'null when the subscriber had email off' }),
  })
  .openapi('Edition');

/** Query of GET /editions. */
export const EditionQuery = z.object({
  subscriberId: z.coerce.number().int().positive().optional(),
  ...Paging,
});

/** Query of GET /subscribers/{id}/preview. */
export const PreviewQuery = z.object({
  editionId: z.coerce.number().int().positive().optional().openapi({ description: 'a stored edition' }),
  next: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .openapi({ description: 'true: what the next edition would hold now (nothing is written)' }),
  format: z.enum(['json', 'html', 'text']).default('json'),
});

/** A rendered edition. */
export const PreviewSchema = z
  .object({
    kind: z.enum(['stored', 'next']),
    editionId: z.number().int().nullable(),
    editionKey: z.string(),
    subscriberId: z.number().int(),
    email: z.string(),
    subject: z.string(),
    html: z.string(),
    text: z.string(),
    picks: z.number().int(),
  })
  .openapi('Preview');

/** The outbox row a resend queued. */
export const ResendSchema = z
  .object({
    outboxId: z.number().int(),
    status: z.literal('pending'),
    nextAttemptAt: ms('queued for'),
  })
  .openapi('Resend');

/** Query of GET /stats. */
export const StatsQuery = z.object({
  days: z.coerce
    .number()
    .int()
    .min(1)
    .max(365)
    .default(30)
    .openapi({ description: 'days of history (1–365)' }),
});

/** Instance statistics. */
export const StatsSchema = z
  .object({
    days: z.number().int(),
    subscribers: z.object({
      pending: z.number().int(),
      active: z.number().int(),
      unsubscribed: z.number().int(),
      total: z.number().int(),
    }),
    outbox: z.object({
      pending: z.number().int(),
      sending: z.number().int(),
      sent: z.number().int(),
      failed: z.number().int(),
      suppressed: z.number().int(),
    }),
    sources: z.object({
      total: z.number().int(),
      ok: z.number().int(),
      failing: z.number().int(),
      paused: z.number().int(),
      new: z.number().int(),
    }),
    sendsPerDay: z.array(z.object({ day: z.string(), sent: z.number().int(), failed: z.number().int() })),
    feedbackPerDay: z.array(z.object({ day: z.string(), more: z.number().int(), less: z.number().int() })),
    feedback: z.object({ more: z.number().int(), less: z.number().int(), undone: z.number().int() }),
    recentFailures: z.array(
      z.object({
        id: z.number().int(),
        subscriberId: z.number().int(),
        email: z.string().nullable(),
        editionId: z.number().int(),
        editionKey: z.string(),
        status: z.enum(['pending', 'sending', 'sent', 'failed', 'suppressed']),
        attempts: z.number().int(),
        lastError: z.string().nullable(),
        nextAttemptAt: z.number().int(),
      }),
    ),
    editionRuns: z.array(
      z.object({
        editionKey: z.string(),
        pending: z.number().int(),
        sending: z.number().int(),
        sent: z.number().int(),
        failed: z.number().int(),
        suppressed: z.number().int(),
        complete: z.boolean().describe('no email of this run is pending or sending'),
      }),
    ),
  })
  .openapi('Stats');

/** A list page. */
export const page = <T extends z.ZodTypeAny>(item: T) =>
  z.object({
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
    rows: z.array(item),
  });
