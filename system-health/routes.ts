import type { ApiRoutes } from '../api/routes';
import type { Logger } from '../core/logger';
import type { SelfCheck } from '../cti/health/self-check';
import type { SelfCheckLog } from '../cti/health/self-check-log';
import { selfCheckResultSchema, type SelfCheckResult } from '../contracts';

/** Admins run the silence alarm's self-check on demand: `POST /api/admin/self-check`. */
export function selfCheckRoutes(api: ApiRoutes, check: SelfCheck, checkLog: SelfCheckLog, logger: Logger): void {
  api.group('/api/admin', 'system health').add(
    {
      method: 'post',
      path: '/self-check',
      summary: 'Run the self-check (ARI, AMI, trunk, agent phones, Redis, MongoDB, a test call) now; it joins the self-check history',
      responses: { 200: { description: 'each item with its result and duration', schema: selfCheckResultSchema } },
    },
    async ({ user }): Promise<SelfCheckResult> => {
      const started = Date.now();
      const items = await check.run();
      const result: SelfCheckResult = { at: started, ok: items.every((i) => i.ok), items };
      logger.info({ by: user!.workNumber, failed: items.filter((i) => !i.ok).map((i) => ({ item: i.item, detail: i.detail })) }, 'self-check run on demand');
      // The admin asked for the result: a failed history write is logged, not answered as a failure.
      await checkLog
        .record({ ...result, trigger: 'manual', by: user!.workNumber })
        .catch((err: Error) => logger.warn({ err: err.message }, 'self-check history not written'));
      return result;
    },
  );
}
