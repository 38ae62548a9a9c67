import type { Context, MiddlewareHandler } from 'hono';
import type { Deps } from '../../deps.ts';
import { bearerToken, isAdminToken } from '../../operator/admin-auth.ts';

/** The JSON body of every admin API error. */
export function errorBody(code: string, message: string, fields?: { field: string; message: string }[]) {
  return { error: fields ? { code, message, fields } : { code, message } };
}

/** 401 with the RFC 6750 challenge. */
export function unauthorized(c: Context, message: string) {
  c.header('WWW-Authenticate', 'Bearer realm="sift-admin"');
  return c.json(errorBody('unauthorized', message), 401);
}

/**
 * Requires `Authorization: Bearer SIFT_ADMIN_TOKEN` (compared in constant time). While no
 * token is configured the whole API answers 401 and says how to turn it on.
 */
export function requireAdminToken(deps: Pick<Deps, 'config'>): MiddlewareHandler {
  return async function requireAdminTokenMiddleware(c, next) {
    const expected = deps.config.SIFT_ADMIN_TOKEN;
    if (!expected)
      return unauthorized(c, 'the admin API is off: set SIFT_ADMIN_TOKEN (32+ characters) to turn it on');
    const presented = bearerToken(c.req.header('authorization'));
    if (!presented)
      return unauthorized(c, 'missing bearer token: send Authorization: Bearer <SIFT_ADMIN_TOKEN>');
    if (!(await isAdminToken(expected, presented))) return unauthorized(c, 'invalid bearer token');
    await next();
  };
}
