import type { ApiRoutes } from '../api/routes';
import { errorBodySchema, orderNoticesSchema, workOrderNumberParams } from '../contracts';
import type { OrderNotices } from './order-notices';

/** 通知记录 over REST: how the department was told of an order (SMS, recorded calls and their recordings). */
export function noticeRoutes(api: ApiRoutes, notices: OrderNotices): void {
  api.group('/api/work-orders', 'work orders').add(
    {
      method: 'get',
      path: '/:number/notices',
      summary:
        '通知记录: each notice of the order to each receiver (dispatch, urge, emergency) with its SMS status, its recorded call attempts (outbound Call documents) and their recording names',
      params: workOrderNumberParams,
      responses: {
        200: { description: 'the notices, oldest first', schema: orderNoticesSchema },
        403: { description: 'another department’s order, or an order another agent owns', schema: errorBodySchema },
        404: { description: 'no such order', schema: errorBodySchema },
      },
    },
    ({ params, user }) => notices.list(params.number, user!),
  );
}
