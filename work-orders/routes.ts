import { z } from 'zod';
import type { ApiRoutes } from '../api/routes';
import { createWorkOrderSchema, errorBodySchema, listWorkOrdersQuery, workOrderNumberParams, workOrderViewSchema } from '../contracts';
import { CREATOR_ROLES, type WorkOrderService } from './work-order-service';

/**
 * Work orders over REST. The call centre opens them; every signed-in role may list and read,
 * narrowed by the service (an agent sees their own, a department user their department's).
 */
export function workOrderRoutes(api: ApiRoutes, service: WorkOrderService): void {
  api
    .group('/api/work-orders', 'work orders')
    .add(
      {
        method: 'post',
        path: '/',
        summary: 'Open a work order (numbered per day, routed to its department by category)',
        access: { roles: CREATOR_ROLES },
        body: createWorkOrderSchema,
        status: 201,
        responses: {
          201: { description: 'the new order', schema: workOrderViewSchema },
          404: { description: 'the call or customer named does not exist', schema: errorBodySchema },
        },
      },
      ({ body, user }) => service.create(body, user!),
    )
    .add(
      {
        method: 'get',
        path: '/',
        summary: 'Work orders visible to the caller, newest first',
        access: { roles: [] },
        query: listWorkOrdersQuery,
        responses: { 200: { description: 'the orders', schema: z.array(workOrderViewSchema) } },
      },
      ({ query, user }) => service.list(user!, query),
    )
    .add(
      {
        method: 'get',
        path: '/:number',
        summary: 'One work order',
        access: { roles: [] },
        params: workOrderNumberParams,
        responses: {
          200: { description: 'the order', schema: workOrderViewSchema },
          403: { description: 'not visible to this user', schema: errorBodySchema },
          404: { description: 'no such order', schema: errorBodySchema },
        },
      },
      ({ params, user }) => service.get(user!, params.number),
    );
}
