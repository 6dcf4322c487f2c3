import type { ApiRoutes } from '../api/routes';
import { alarmIdParams, alarmViewSchema, errorBodySchema } from '../contracts';
import { z } from 'zod';
import type { AlarmService } from './alarm-service';

/** The alarm list and its acknowledgement, for supervisors and admins. */
export function alarmRoutes(api: ApiRoutes, alarms: AlarmService): void {
  api
    .group('/api/alarms', 'alarms')
    .add(
      {
        method: 'get',
        path: '/',
        summary: 'Unacknowledged alarms of any age and the last 24 hours’ acknowledged ones, newest first',
        responses: { 200: { description: 'the alarm list', schema: z.array(alarmViewSchema) } },
      },
      () => alarms.recent(),
    )
    .add(
      {
        method: 'post',
        path: '/:id/ack',
        summary: 'Acknowledge an alarm (idempotent: a second call returns the first acknowledgement)',
        params: alarmIdParams,
        responses: {
          200: { description: 'the acknowledged alarm', schema: alarmViewSchema },
          404: { description: 'no such alarm', schema: errorBodySchema },
        },
      },
      ({ params, user }) => alarms.acknowledge({ alarmId: params.id }, user!),
    );
}
