import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import type { SessionUser, TokenVerifier } from '../contracts';
import { requireRole, userOf } from './require-role';
import { accessKey, ROUTE_ACCESS, type RouteAccess } from './access-matrix';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';


export interface ResponseDoc {
  description: string;
  /** JSON body; omit for bodies that are not JSON. */
  schema?: z.ZodType;
  /** Non-JSON content type, e.g. `audio/wav`. */
  contentType?: string;
}

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: HttpMethod;
  /** Express path under the router's base, e.g. `/:number`. */
  path: string;
  summary: string;
  params?: P;
  query?: Q;
  body?: B;
  /** Status of a JSON answer returned by the handler (200 unless said). */
  status?: number;
  responses: Record<number, ResponseDoc>;
}

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Set unless the route is public. */
  user: SessionUser | undefined;
  req: Request;
  res: Response;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/** One documented route as the OpenAPI builder reads it, with its row of the access matrix. */
export interface MountedRoute {
  base: string;
  tag: string;
  spec: RouteSpec<z.ZodType, z.ZodType, z.ZodType>;
  access: RouteAccess;
}

/**
 * Every REST route is declared once, with the zod schemas its input is validated against; the
 * same declaration produces the OpenAPI document (api/openapi.ts), so the documented body is by
 * construction the validated one. A handler returns the JSON answer, or writes the response
 * itself (files, Prometheus text).
 */
export class ApiRoutes {
  readonly mounted: MountedRoute[] = [];
  readonly routers: Array<{ path: string; router: Router }> = [];

  constructor(private readonly tokens: TokenVerifier) {}

  /** A router mounted at `base`, its routes listed in the OpenAPI document under `tag`. */
  group(base: string, tag: string): RouteGroup {
    const router = Router();
    this.routers.push({ path: base, router });
    return new RouteGroup(router, base, tag, this.tokens, this.mounted);
  }
}

export class RouteGroup {
  constructor(
    private readonly router: Router,
    private readonly base: string,
    private readonly tag: string,
    private readonly tokens: TokenVerifier,
    private readonly mounted: MountedRoute[],
  ) {}

  add<P extends z.ZodType = z.ZodUndefined, Q extends z.ZodType = z.ZodUndefined, B extends z.ZodType = z.ZodUndefined>(
    spec: RouteSpec<P, Q, B>,
    handler: (input: RouteInput<Out<P>, Out<Q>, Out<B>>) => Promise<unknown>,
  ): this {
    const key = accessKey(spec.method, this.base, spec.path);
    const access = ROUTE_ACCESS[key];
    // A route nobody decided the access of is a bug found at start, not an open door.
    if (!access) throw new Error(`route ${key} has no row in api/access-matrix.ts`);
    this.mounted.push({ base: this.base, tag: this.tag, spec, access });
    const guard = 'roles' in access ? [requireRole(this.tokens, ...access.roles)] : [];
    this.router[spec.method](spec.path, ...guard, async (req: Request, res: Response) => {
      const input = {
        params: (spec.params ? spec.params.parse(req.params) : undefined) as Out<P>,
        query: (spec.query ? spec.query.parse(req.query) : undefined) as Out<Q>,
        body: (spec.body ? spec.body.parse(req.body) : undefined) as Out<B>,
        user: 'roles' in access ? userOf(res) : undefined,
        req,
        res,
      };
      const result = await handler(input);
      if (!res.headersSent && result !== undefined) res.status(spec.status ?? 200).json(result);
    });
    return this;
  }
}
