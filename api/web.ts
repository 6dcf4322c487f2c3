import { join } from 'node:path';
import express, { Router } from 'express';
import type { Logger } from '../core/logger';

const WEB_DIR = join(__dirname, '..', 'web');
/** One bundle per page; web/src/<name>.ts → /assets/<name>.js. */
export const WEB_ENTRIES = ['login', 'agent', 'supervisor', 'admin', 'department', 'outages', 'dispatch', 'report'] as const;

type Bundles = Map<string, string>;

/**
 * Bundles the consoles' TypeScript with esbuild in memory (tens of ms), so neither `npm test` nor
 * `npm run demo` needs a build step and the browser code is type-checked with the rest by tsc.
 * Built once per process on first use; the result is plain data, shared by every router.
 */
let building: Promise<Bundles> | undefined;

export function buildWebBundles(opts: { production?: boolean } = {}): Promise<Bundles> {
  building ??= (async () => {
    const esbuild = await import('esbuild');
    const out = await esbuild.build({
      entryPoints: Object.fromEntries(WEB_ENTRIES.map((n) => [n, join(WEB_DIR, 'src', `${n}.ts`)])),
      bundle: true,
      write: false,
      outdir: '/assets',
      format: 'iife',
      platform: 'browser',
      target: ['chrome109', 'firefox115', 'safari16'],
      charset: 'utf8',
      sourcemap: opts.production ? false : 'inline',
      minify: !!opts.production,
      logLevel: 'silent',
    });
    return new Map(out.outputFiles.map((f) => [f.path.replace(/^.*\//, ''), f.text]));
  })();
  return building;
}

/** The consoles: static pages from web/public, scripts bundled from web/src. */
export function webRouter(deps: { logger: Logger; production: boolean }): Router {
  const router = Router();
  const bundles = buildWebBundles({ production: deps.production });
  bundles.catch((err: unknown) => deps.logger.error({ err }, 'web console bundles could not be built (is esbuild installed?)'));
  router.get('/assets/:file', async (req, res, next) => {
    const file = req.params.file;
    if (!/^[a-z]+\.js$/.test(file)) return next();
    let code: string | undefined;
    try {
      code = (await bundles).get(file);
    } catch {
      res.status(503).type('text/plain').send('console scripts unavailable');
      return;
    }
    if (code === undefined) return next();
    res.type('application/javascript').setHeader('Cache-Control', 'no-cache');
    res.send(code);
  });
  // Pages name /favicon.svg; browsers and tools that ask for the traditional /favicon.ico get the same icon.
  router.get('/favicon.ico', (_req, res) => {
    res.redirect(301, '/favicon.svg');
  });
  router.use(express.static(join(WEB_DIR, 'public'), { index: 'index.html', extensions: ['html'], dotfiles: 'ignore' }));
  return router;
}
