import type { ApiRoutes } from '../api/routes';
import { errorBodySchema, handoverViewSchema, urgeResultSchema, workOrderNumberParams } from '../contracts';
import type { ShiftHandover } from './shift-handover';
import type { UrgeService } from './urge';

/** 催办 and the shift handover (rule 八) over REST: the call centre's side of work orders. */
export function urgeRoutes(api: ApiRoutes, urge: UrgeService, handover: ShiftHandover): void {
  api.group('/api/work-orders', 'work orders').add(
    {
      method: 'post',
      path: '/:number/urge',
      summary: '催办: notify the department of the order again and record the urging (a repeat within URGE_REPEAT_MS urges once)',
      params: workOrderNumberParams,
      responses: {
        200: { description: 'urged, or `repeated` when it was urged moments ago', schema: urgeResultSchema },
        403: { description: 'an agent urging an order that is neither theirs nor on their shift', schema: errorBodySchema },
        404: { description: 'no such order', schema: errorBodySchema },
        409: { description: 'the order is resolved or archived', schema: errorBodySchema },
        503: { description: 'the department could not be notified; nothing recorded', schema: errorBodySchema },
      },
    },
    ({ params, user }) => urge.urge(params.number, user!),
  );

  api
    .group('/api/shifts', 'shifts')
    .add(
      {
        method: 'get',
        path: '/current',
        summary: 'The shift in progress and its handover: unfinished orders opened before it began',
        responses: { 200: { description: 'the handover', schema: handoverViewSchema } },
      },
      ({ user }) => handover.view(user!),
    )
    .add(
      {
        method: 'post',
        path: '/current/ack',
        summary: '确认交接: the shift leader (or a supervisor) acknowledges the handover, once per shift',
        responses: {
          200: { description: 'the handover with its acknowledgement (the first one, on a repeat)', schema: handoverViewSchema },
          403: { description: 'not the leader of this shift', schema: errorBodySchema },
        },
      },
      ({ user }) => handover.acknowledge(user!),
    );
}
