import type { ApiRoutes } from '../api/routes';
import type { Logger } from '../core/logger';
import type { SelfCheck } from '../cti/health/self-check';
import { selfCheckResultSchema, type SelfCheckResult } from '../contracts';

/** Admins run the silence alarm's self-check on demand: `POST /api/admin/self-check`. */
export function selfCheckRoutes(api: ApiRoutes, check: SelfCheck, logger: Logger): void {
  api.group('/api/admin', 'system health').add(
    {
      method: 'post',
      path: '/self-check',
      summary: 'Run the self-check (ARI, AMI, trunk, agent phones, Redis, MongoDB, a test call) now',
      access: { roles: ['admin'] },
      responses: { 200: { description: 'each item with its result and duration', schema: selfCheckResultSchema } },
    },
    async ({ user }): Promise<SelfCheckResult> => {
      const started = Date.now();
      const items = await check.run();
      logger.info({ by: user!.workNumber, failed: items.filter((i) => !i.ok).map((i) => i.item) }, 'self-check run on demand');
      return { at: started, ok: items.every((i) => i.ok), items };
    },
  );
}
