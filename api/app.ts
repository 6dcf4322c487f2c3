import express, { type Express, type Router } from 'express';
import type { Logger } from '../core/logger';
import { errorHandler, notFoundHandler } from './errors';
import { healthRouter } from './health';
import { buildOpenApi } from './openapi';
import type { ReadinessProbe } from './readiness';
import type { ApiRoutes } from './routes';

/** A request whose JSON body arrived as these bytes. */
export interface RawBodyRequest extends express.Request {
  rawBody?: Buffer;
}

export interface AppDeps {
  logger: Logger;
  probes: ReadinessProbe[];
  /** The documented REST routes of every domain (served, and described at /api/openapi.json). */
  api?: ApiRoutes;
  /** Routers that are not part of the REST API (metrics, the web pages); mounted after it. */
  routers?: Array<{ path: string; router: Router }>;
}

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // The exact bytes are kept for routes that check a signature over them (signed webhooks).
  app.use(express.json({ limit: '100kb', verify: (req, _res, buf) => void ((req as RawBodyRequest).rawBody = buf) }));
  app.use(healthRouter(deps.probes));
  if (deps.api) {
    const doc = buildOpenApi(deps.api.mounted, { title: 'hotline-cti REST API', version: '1' });
    app.get('/api/openapi.json', (_req, res) => {
      res.json(doc);
    });
    for (const { path, router } of deps.api.routers) app.use(path, router);
  }
  for (const { path, router } of deps.routers ?? []) app.use(path, router);
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
