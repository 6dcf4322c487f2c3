import express, { type Express, type Router } from 'express';
import cors from 'cors';
import helmet from 'helmet';
import type { Logger } from '../core/logger';
import { errorHandler, notFoundHandler } from './errors';
import { badRequest } from '../core/errors';
import { containsNul } from '../core/nul';
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
  /** CORS_ORIGINS: other origins whose pages may call the API (none: only the consoles' own). */
  corsOrigins?: readonly string[];
  /** Routers that are not part of the REST API (metrics, the web pages); mounted after it. */
  routers?: Array<{ path: string; router: Router }>;
}

/**
 * helmet's headers on every answer (nosniff, frame-ancestors/X-Frame-Options, no referrer, …) with
 * the consoles' policy: scripts and styles from this origin only (no inline script or style
 * attribute; test/unit/web-pages-csp.test.ts reads the pages for them), nothing fetched elsewhere.
 */
const securityHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      mediaSrc: ["'self'"],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      formAction: ["'self'"],
      objectSrc: ["'none'"],
    },
  },
  // The consoles are served over plain HTTP on the office network: HSTS would only be ignored.
  strictTransportSecurity: false,
  xFrameOptions: { action: 'deny' },
});

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders);
  // Only the configured origins get CORS answers; tokens travel in headers, never cookies.
  if (deps.corsOrigins?.length) app.use('/api', cors({ origin: [...deps.corsOrigins], allowedHeaders: ['Authorization', 'Content-Type'], maxAge: 600 }));
  // Answers carry personal data (callers' numbers, addresses) and, at log-in, the token: never cached.
  app.use('/api', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  // The exact bytes are kept for routes that check a signature over them (signed webhooks).
  app.use(express.json({ limit: '100kb', verify: (req, _res, buf) => void ((req as RawBodyRequest).rawBody = buf) }));
  app.use((req, _res, next) => {
    if (containsNul(req.body) || containsNul(req.query)) throw badRequest('the request holds a NUL character', '提交的内容含有不可见的空字符（NUL），请删除后重试');
    next();
  });
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
