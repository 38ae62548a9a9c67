/**
 * The admin API (/api/admin): sources, topics, subscribers, suppressions, editions and stats
 * for scripts and tools. Bearer token auth; zod validation whose 400s name each bad field;
 * the OpenAPI document at /api/admin/openapi.json is generated from the same schemas.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Deps } from '../../deps.ts';
import { AppError } from '../../errors.ts';
import { exportSourcesOpml, type ImportLine, importOpml } from '../../ingest/opml.ts';
import { addSourceFromUrl } from '../../operator/add-source.ts';
import { listEditions, previewEdition, resendEdition } from '../../operator/editions.ts';
import {
  getSourceHealth,
  listSourceHealth,
  pauseSource,
  removeSource,
  resumeSource,
} from '../../operator/sources.ts';
import { getStats } from '../../operator/stats.ts';
import {
  changeSubscriberStatus,
  getSubscriberDetail,
  listSubscribers,
  listSuppressionList,
  removeSubscriber,
  suppressAddress,
  suppressSubscriber,
  unsuppressAddress,
} from '../../operator/subscribers.ts';
import {
  changeTopic,
  createTopic,
  getTopicById,
  listTopicCatalogue,
  removeTopic,
} from '../../operator/topics.ts';
import { errorBody, requireAdminToken } from './auth.ts';
import {
  AddSourceBody,
  EditionQuery,
  EditionSchema,
  EmailParam,
  ErrorSchema,
  IdParam,
  PauseBody,
  PreviewQuery,
  PreviewSchema,
  page,
  ResendSchema,
  SourceSchema,
  StatsQuery,
  StatsSchema,
  StatusBody,
  SubscriberDetailSchema,
  SubscriberQuery,
  SubscriberSchema,
  SuppressBody,
  SuppressionBody,
  SuppressionSchema,
  TopicBody,
  TopicPatch,
  TopicSchema,
} from './schemas.ts';

const json = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
const err = (description: string) => json(ErrorSchema, description);
const body = <T extends z.ZodTypeAny>(schema: T, required = true) => ({
  body: { content: { 'application/json': { schema } }, required },
});
const security = [{ Bearer: [] }];

/**
 * An optional JSON body may be empty: `POST …/pause` with `Content-Type: application/json` and
 * no body means "no options" rather than malformed JSON.
 */
const optionalBody: MiddlewareHandler = async function optionalJsonBody(c, next) {
  if (/json/i.test(c.req.header('content-type') ?? '') && (await c.req.raw.clone().text()).trim() === '') {
    const headers = new Headers(c.req.raw.headers);
    headers.delete('content-type');
    c.req.raw = new Request(c.req.raw.url, { method: c.req.method, headers });
  }
  await next();
};
const common = {
  401: err('missing or wrong bearer token, or the admin API is off'),
} as const;
const withId = {
  ...common,
  400: err('invalid input; `fields` names each bad field'),
  404: err('no such thing'),
} as const;

const routes = {
  listSources: createRoute({
    method: 'get',
    path: '/sources',
    tags: ['sources'],
    summary: 'Every source with its health (failing first)',
    security,
    responses: { 200: json(z.object({ rows: z.array(SourceSchema) }), 'sources'), ...common },
  }),
  addSource: createRoute({
    method: 'post',
    path: '/sources',
    tags: ['sources'],
    summary: 'Add a source: it is fetched once to check it is a feed, then stored with its items',
    security,
    request: body(AddSourceBody),
    responses: {
      201: json(
        z.object({
          source: SourceSchema,
          feed: z.object({ title: z.string().nullable(), itemCount: z.number().int(), format: z.string() }),
        }),
        'added',
      ),
      400: err('invalid URL, refused address, not a feed, HTTP error, timeout…'),
      409: err('the feed is already a source'),
      ...common,
    },
  }),
  exportOpml: createRoute({
    method: 'get',
    path: '/sources/opml',
    tags: ['sources'],
    summary: 'Every source as an OPML 2.0 document (bundled demo feeds left out)',
    security,
    responses: {
      200: { content: { 'text/x-opml': { schema: z.string() } }, description: 'OPML' },
      ...common,
    },
  }),
  importOpml: createRoute({
    method: 'post',
    path: '/sources/opml',
    tags: ['sources'],
    summary:
      'Import an OPML file (send it as the body): each allowed feed becomes a source checked at the next ingest run',
    security,
    request: {
      body: {
        content: { 'text/x-opml': { schema: z.string() }, 'application/xml': { schema: z.string() } },
        required: true,
      },
    },
    responses: {
      200: json(
        z.object({
          added: z.number().int(),
          existing: z.number().int(),
          refused: z.number().int(),
          lines: z.array(
            z.object({
              url: z.string(),
              status: z.enum(['added', 'exists', 'refused']),
              sourceId: z.number().int().optional(),
              error: z.string().optional(),
            }),
          ),
        }),
        'what happened to each feed',
      ),
      400: err('not an OPML document'),
      ...common,
    },
  }),
  getSource: createRoute({
    method: 'get',
    path: '/sources/{id}',
    tags: ['sources'],
    summary: 'One source with its health',
    security,
    request: { params: IdParam },
    responses: { 200: json(SourceSchema, 'the source'), ...withId },
  }),
  pauseSource: createRoute({
    method: 'post',
    path: '/sources/{id}/pause',
    tags: ['sources'],
    summary: 'Stop checking a source (its items stay)',
    security,
    middleware: [optionalBody] as const,
    request: { params: IdParam, ...body(PauseBody, false) },
    responses: { 200: json(SourceSchema, 'paused'), ...withId },
  }),
  resumeSource: createRoute({
    method: 'post',
    path: '/sources/{id}/resume',
    tags: ['sources'],
    summary: 'Check a paused source again, starting now',
    security,
    request: { params: IdParam },
    responses: { 200: json(SourceSchema, 'resumed'), ...withId },
  }),
  deleteSource: createRoute({
    method: 'delete',
    path: '/sources/{id}',
    tags: ['sources'],
    summary: 'Delete a source and its items',
    security,
    request: { params: IdParam },
    responses: { 204: { description: 'deleted' }, ...withId },
  }),
  listTopics: createRoute({
    method: 'get',
    path: '/topics',
    tags: ['topics'],
    summary: 'The topic catalogue',
    security,
    responses: { 200: json(z.object({ rows: z.array(TopicSchema) }), 'topics'), ...common },
  }),
  createTopic: createRoute({
    method: 'post',
    path: '/topics',
    tags: ['topics'],
    summary: 'Add a topic (names are unique, case-insensitively)',
    security,
    request: body(TopicBody),
    responses: {
      201: json(TopicSchema, 'created'),
      400: err('invalid input'),
      409: err('a topic with that name exists'),
      ...common,
    },
  }),
  getTopic: createRoute({
    method: 'get',
    path: '/topics/{id}',
    tags: ['topics'],
    summary: 'One topic',
    security,
    request: { params: IdParam },
    responses: { 200: json(TopicSchema, 'the topic'), ...withId },
  }),
  updateTopic: createRoute({
    method: 'patch',
    path: '/topics/{id}',
    tags: ['topics'],
    summary: 'Rename a topic and/or replace its terms (subscribers pick topics by name)',
    security,
    request: { params: IdParam, ...body(TopicPatch) },
    responses: { 200: json(TopicSchema, 'updated'), 409: err('name taken'), ...withId },
  }),
  deleteTopic: createRoute({
    method: 'delete',
    path: '/topics/{id}',
    tags: ['topics'],
    summary: 'Delete a topic',
    security,
    request: { params: IdParam },
    responses: { 204: { description: 'deleted' }, ...withId },
  }),
  listSubscribers: createRoute({
    method: 'get',
    path: '/subscribers',
    tags: ['subscribers'],
    summary: 'Subscribers, newest first; search by address part and/or status',
    security,
    request: { query: SubscriberQuery },
    responses: {
      200: json(page(SubscriberSchema), 'a page of subscribers'),
      400: err('invalid query'),
      ...common,
    },
  }),
  getSubscriber: createRoute({
    method: 'get',
    path: '/subscribers/{id}',
    tags: ['subscribers'],
    summary: 'One subscriber with preferences',
    security,
    request: { params: IdParam },
    responses: { 200: json(SubscriberDetailSchema, 'the subscriber'), ...withId },
  }),
  setStatus: createRoute({
    method: 'patch',
    path: '/subscribers/{id}',
    tags: ['subscribers'],
    summary: 'Set a subscriber’s status (pending, active, unsubscribed)',
    security,
    request: { params: IdParam, ...body(StatusBody) },
    responses: { 200: json(SubscriberDetailSchema, 'updated'), ...withId },
  }),
  suppress: createRoute({
    method: 'post',
    path: '/subscribers/{id}/suppress',
    tags: ['subscribers'],
    summary: 'Put the subscriber’s address on the suppression list (nothing is mailed to it)',
    security,
    middleware: [optionalBody] as const,
    request: { params: IdParam, ...body(SuppressBody, false) },
    responses: { 200: json(SubscriberDetailSchema, 'suppressed'), ...withId },
  }),
  deleteSubscriber: createRoute({
    method: 'delete',
    path: '/subscribers/{id}',
    tags: ['subscribers'],
    summary: 'Delete a subscriber and everything about them (a suppression entry stays)',
    security,
    request: { params: IdParam },
    responses: { 204: { description: 'deleted' }, ...withId },
  }),
  preview: createRoute({
    method: 'get',
    path: '/subscribers/{id}/preview',
    tags: ['editions'],
    summary: 'Render an edition for a subscriber: given, latest, or next (computed, not stored)',
    security,
    request: { params: IdParam, query: PreviewQuery },
    responses: {
      200: {
        content: {
          'application/json': { schema: PreviewSchema },
          'text/html': { schema: z.string() },
          'text/plain': { schema: z.string() },
        },
        description: 'the rendered edition (format=json|html|text)',
      },
      ...withId,
    },
  }),
  listSuppressions: createRoute({
    method: 'get',
    path: '/suppressions',
    tags: ['subscribers'],
    summary: 'The suppression list, newest first',
    security,
    responses: { 200: json(z.object({ rows: z.array(SuppressionSchema) }), 'entries'), ...common },
  }),
  addSuppression: createRoute({
    method: 'post',
    path: '/suppressions',
    tags: ['subscribers'],
    summary: 'Suppress any address (idempotent: an existing entry keeps its reason)',
    security,
    request: body(SuppressionBody),
    responses: { 201: json(SuppressionSchema, 'suppressed'), 400: err('invalid input'), ...common },
  }),
  deleteSuppression: createRoute({
    method: 'delete',
    path: '/suppressions/{email}',
    tags: ['subscribers'],
    summary: 'Take an address off the suppression list',
    security,
    request: { params: EmailParam },
    responses: { 204: { description: 'removed' }, ...withId },
  }),
  listEditions: createRoute({
    method: 'get',
    path: '/editions',
    tags: ['editions'],
    summary: 'Editions, newest first, with their delivery state',
    security,
    request: { query: EditionQuery },
    responses: { 200: json(page(EditionSchema), 'a page of editions'), 400: err('invalid query'), ...common },
  }),
  resend: createRoute({
    method: 'post',
    path: '/editions/{id}/resend',
    tags: ['editions'],
    summary: 'Queue an edition’s email again (the next send run delivers it)',
    security,
    request: { params: IdParam },
    responses: {
      202: json(ResendSchema, 'queued'),
      409: err('subscriber not active, address suppressed, or being sent right now'),
      ...withId,
    },
  }),
  stats: createRoute({
    method: 'get',
    path: '/stats',
    tags: ['stats'],
    summary: 'Subscribers by status, sends and failures per day, feedback, recent failures',
    security,
    request: { query: StatsQuery },
    responses: { 200: json(StatsSchema, 'statistics'), 400: err('invalid query'), ...common },
  }),
};

/** The field path of a zod issue, e.g. "terms.0" or "url". */
function fieldOf(path: PropertyKey[]): string {
  return path.length ? path.map(String).join('.') : '(body)';
}

/** Builds the /api/admin sub-app. */
export function adminApi(deps: Deps) {
  const api = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (result.success) return;
      const fields = result.error.issues.map((i) => ({ field: fieldOf(i.path), message: i.message }));
      // The first issue per field is enough to fix the request.
      const unique = fields.filter((f, i) => fields.findIndex((g) => g.field === f.field) === i);
      return c.json(
        errorBody('bad_request', unique.map((f) => `${f.field}: ${f.message}`).join('; '), unique),
        400,
      );
    },
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'Bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'SIFT_ADMIN_TOKEN',
  });
  api.doc('/openapi.json', {
    openapi: '3.0.3',
    info: {
      title: 'Sift admin API',
      version: '1',
      description:
        'Operate a Sift instance: sources, topics, subscribers, editions, statistics. Every endpoint needs `Authorization: Bearer $SIFT_ADMIN_TOKEN`. Times are epoch milliseconds.',
    },
    servers: [{ url: `${deps.config.baseUrl}/api/admin` }],
  });
  api.use('*', async (c, next) => {
    // The document itself is public: it describes endpoints, holds no data.
    if (c.req.path === '/api/admin/openapi.json') return next();
    return requireAdminToken(deps)(c, next);
  });
  api.onError((e, c) => {
    if (e instanceof AppError) return c.json(errorBody(e.code, e.message), e.status);
    // Hono's own 4xx (malformed JSON, unsupported media type, body too large) in the same shape.
    if (e instanceof HTTPException && e.status < 500)
      return c.json(
        errorBody(e.status === 400 ? 'bad_request' : 'http_error', e.message || 'bad request'),
        e.status,
      );
    deps.log.error('admin api: unhandled error', { path: c.req.path, error: e });
    return c.json(errorBody('internal', 'something went wrong on our side; see the server log'), 500);
  });

  api.openapi(routes.listSources, async (c) => c.json({ rows: await listSourceHealth(deps) }, 200));
  api.openapi(routes.addSource, async (c) => {
    const input = c.req.valid('json');
    const { source, feed } = await addSourceFromUrl(deps, input);
    return c.json({ source, feed }, 201);
  });
  api.openapi(routes.exportOpml, async (c) => {
    c.header('content-disposition', 'attachment; filename="sift-sources.opml"');
    return c.body(await exportSourcesOpml(deps), 200, { 'content-type': 'text/x-opml; charset=utf-8' });
  });
  api.openapi(routes.importOpml, async (c) => {
    const text = await c.req.text();
    if (!text.trim()) throw new AppError('bad_request', 'body: send the OPML file as the request body');
    let lines: ImportLine[];
    try {
      lines = await importOpml(deps, text);
    } catch (e) {
      if (e instanceof AppError) throw e;
      throw new AppError('bad_request', `body: ${(e as Error).message}`);
    }
    const count = (status: ImportLine['status']) => lines.filter((l) => l.status === status).length;
    return c.json(
      { added: count('added'), existing: count('exists'), refused: count('refused'), lines },
      200,
    );
  });
  api.openapi(routes.getSource, async (c) =>
    c.json(await getSourceHealth(deps, c.req.valid('param').id), 200),
  );
  api.openapi(routes.pauseSource, async (c) => {
    const input = c.req.valid('json') as { reason?: string } | undefined;
    return c.json(await pauseSource(deps, { id: c.req.valid('param').id, reason: input?.reason }), 200);
  });
  api.openapi(routes.resumeSource, async (c) => c.json(await resumeSource(deps, c.req.valid('param')), 200));
  api.openapi(routes.deleteSource, async (c) => {
    await removeSource(deps, c.req.valid('param'));
    return c.body(null, 204);
  });

  api.openapi(routes.listTopics, async (c) => c.json({ rows: await listTopicCatalogue(deps) }, 200));
  api.openapi(routes.createTopic, async (c) => c.json(await createTopic(deps, c.req.valid('json')), 201));
  api.openapi(routes.getTopic, async (c) => c.json(await getTopicById(deps, c.req.valid('param').id), 200));
  api.openapi(routes.updateTopic, async (c) =>
    c.json(await changeTopic(deps, { ...c.req.valid('json'), id: c.req.valid('param').id }), 200),
  );
  api.openapi(routes.deleteTopic, async (c) => {
    await removeTopic(deps, c.req.valid('param'));
    return c.body(null, 204);
  });

  api.openapi(routes.listSubscribers, async (c) => {
    const q = c.req.valid('query');
    const result = await listSubscribers(deps, q);
    return c.json({ total: result.total, limit: q.limit, offset: q.offset, rows: result.rows }, 200);
  });
  api.openapi(routes.getSubscriber, async (c) =>
    c.json(await getSubscriberDetail(deps, c.req.valid('param').id), 200),
  );
  api.openapi(routes.setStatus, async (c) =>
    c.json(await changeSubscriberStatus(deps, { id: c.req.valid('param').id, ...c.req.valid('json') }), 200),
  );
  api.openapi(routes.suppress, async (c) => {
    const input = c.req.valid('json') as { reason?: string } | undefined;
    return c.json(
      await suppressSubscriber(deps, { id: c.req.valid('param').id, reason: input?.reason }),
      200,
    );
  });
  api.openapi(routes.deleteSubscriber, async (c) => {
    await removeSubscriber(deps, c.req.valid('param'));
    return c.body(null, 204);
  });
  api.openapi(routes.preview, async (c) => {
    const q = c.req.valid('query');
    const preview = await previewEdition(deps, {
      subscriberId: c.req.valid('param').id,
      editionId: q.editionId,
      next: q.next === 'true' || q.next === '1',
    });
    if (q.format === 'html') return c.html(preview.html, 200);
    if (q.format === 'text') return c.text(preview.text, 200);
    return c.json(preview, 200);
  });

  api.openapi(routes.listSuppressions, async (c) => c.json({ rows: await listSuppressionList(deps) }, 200));
  api.openapi(routes.addSuppression, async (c) =>
    c.json(await suppressAddress(deps, c.req.valid('json')), 201),
  );
  api.openapi(routes.deleteSuppression, async (c) => {
    await unsuppressAddress(deps, c.req.valid('param'));
    return c.body(null, 204);
  });

  api.openapi(routes.listEditions, async (c) => {
    const q = c.req.valid('query');
    const result = await listEditions(deps, q);
    return c.json({ total: result.total, limit: q.limit, offset: q.offset, rows: result.rows }, 200);
  });
  api.openapi(routes.resend, async (c) => {
    const row = await resendEdition(deps, { editionId: c.req.valid('param').id });
    return c.json({ outboxId: row.id, status: 'pending' as const, nextAttemptAt: row.nextAttemptAt }, 202);
  });
  api.openapi(routes.stats, async (c) => c.json(await getStats(deps, c.req.valid('query')), 200));

  // Unknown paths under /api/admin answer in JSON too (after auth, so nothing is revealed).
  api.all('*', (c) => c.json(errorBody('not_found', `no admin endpoint ${c.req.method} ${c.req.path}`), 404));
  return api;
}
