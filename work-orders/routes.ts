import { z } from 'zod';
import type { ApiRoutes } from '../api/routes';
import {
  addParticipantsSchema,
  createWorkOrderSchema,
  decideExtensionSchema,
  errorBodySchema,
  escalateWorkOrderSchema,
  extensionParams,
  handOverWorkOrderSchema,
  listWorkOrdersQuery,
  reopenWorkOrderSchema,
  requestExtensionSchema,
  resolveWorkOrderSchema,
  workOrderNumberParams,
  workOrderViewSchema,
} from '../contracts';
import type { WorkOrderService } from './work-order-service';

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
        params: workOrderNumberParams,
        responses: {
          200: { description: 'the order', schema: workOrderViewSchema },
          403: { description: 'not visible to this user', schema: errorBodySchema },
          404: { description: 'no such order', schema: errorBodySchema },
        },
      },
      ({ params, user }) => service.get(user!, params.number),
    );
  orderActionRoutes(api, service);
}

/** The answers every action documents: the order as it is now, or why nothing changed. */
const actionResponses = (extra: Record<number, string> = {}) => ({
  200: { description: 'the order after the action', schema: workOrderViewSchema },
  403: { description: 'this user may not act on this order (another department, not the owner, not a leader)', schema: errorBodySchema },
  404: { description: 'no such order', schema: errorBodySchema },
  409: { description: 'the order is not in a status that allows this (e.g. accept after archive, result before accept), or changed meanwhile', schema: errorBodySchema },
  ...Object.fromEntries(Object.entries(extra).map(([k, description]) => [Number(k), { description, schema: errorBodySchema }])),
});

const withoutOk = <T extends Record<number, unknown>>({ 200: _ok, ...rest }: T) => rest;


/**
 * The order's life over REST (issue 12), one route per action. Roles are checked at the door; which
 * order and which status are the lifecycle's call (work-orders/lifecycle.ts), answered 403/409 with
 * the reason in Chinese; a refused request changes nothing.
 */
function orderActionRoutes(api: ApiRoutes, service: WorkOrderService): void {
  api
    .group('/api/work-orders', 'work-order life')
    .add(
      {
        method: 'post',
        path: '/:number/accept',
        summary: 'Accept the order (受理): its lead or a participating department; from open or dispatched',
        params: workOrderNumberParams,
        responses: actionResponses(),
      },
      ({ params, user }) => service.act('accept', params.number, user!),
    )
    .add(
      {
        method: 'post',
        path: '/:number/start',
        summary: 'Start work on an accepted order (开始处理)',
        params: workOrderNumberParams,
        responses: actionResponses(),
      },
      ({ params, user }) => service.act('start', params.number, user!),
    )
    .add(
      {
        method: 'post',
        path: '/:number/resolve',
        summary: 'Enter the result and resolve the order (办结)',
        params: workOrderNumberParams,
        body: resolveWorkOrderSchema,
        responses: actionResponses({ 400: 'the result is missing or the body is malformed' }),
      },
      ({ params, body, user }) => service.act('resolve', params.number, user!, { result: body.result }),
    )
    .add(
      {
        method: 'post',
        path: '/:number/archive',
        summary: 'Archive a resolved order (归档): its owning agent, a supervisor or an admin',
        params: workOrderNumberParams,
        responses: actionResponses(),
      },
      ({ params, user }) => service.act('archive', params.number, user!),
    )
    .add(
      {
        method: 'post',
        path: '/:number/reopen',
        summary: 'Reopen a resolved or archived order with a reason; it goes back to its department with a new time limit',
        params: workOrderNumberParams,
        body: reopenWorkOrderSchema,
        responses: actionResponses({ 400: 'the reason is missing or the body is malformed' }),
      },
      ({ params, body, user }) => service.act('reopen', params.number, user!, { reason: body.reopenReason }),
    )
    .add(
      {
        method: 'post',
        path: '/:number/escalate',
        summary: 'Escalate to admin_hr by hand (Art. 7) with a reason; the order keeps its status and gains the escalated flag',
        params: workOrderNumberParams,
        body: escalateWorkOrderSchema,
        responses: actionResponses({ 400: 'the reason is missing or the body is malformed' }),
      },
      ({ params, body, user }) => service.escalateManually(params.number, user!, body),
    )
    .add(
      {
        method: 'post',
        path: '/:number/settle',
        summary: '竣工结算: the department records that an engineering job (报装, 表位改造, 表后维修) was settled; its callback is then sampled monthly',
        params: workOrderNumberParams,
        responses: actionResponses({}),
      },
      ({ params, user }) => service.settle(params.number, user!),
    )
    .add(
      {
        method: 'post',
        path: '/:number/hand-over',
        summary: 'Hand the order to another agent (首问负责制): its owning agent or a supervisor',
        params: workOrderNumberParams,
        body: handOverWorkOrderSchema,
        responses: actionResponses({ 400: 'malformed body, or the order is already that agent’s' }),
      },
      ({ params, body, user }) => service.handOver(params.number, user!, body),
    )
    .add(
      {
        method: 'post',
        path: '/:number/participants',
        summary: 'Add participating departments to an order that needs several',
        params: workOrderNumberParams,
        body: addParticipantsSchema,
        responses: actionResponses({ 400: 'malformed body, or every department named already works on the order' }),
      },
      ({ params, body, user }) => service.addParticipants(params.number, user!, body),
    )
    .add(
      {
        method: 'post',
        path: '/:number/extensions',
        summary: 'Request an extension (Art. 9): the lead department gives a reason and a new time; one request waits at a time',
        params: workOrderNumberParams,
        body: requestExtensionSchema,
        status: 201,
        responses: { ...withoutOk(actionResponses({ 400: 'malformed body, or the new time is not in the future / not later than the current limit' })), 201: { description: 'the order with the pending request', schema: workOrderViewSchema } },
      },
      ({ params, body, user }) => service.requestExtension(params.number, user!, body),
    )
    .add(
      {
        method: 'post',
        path: '/:number/extensions/:id/decision',
        summary: 'Approve or reject an extension request: the leader of the order’s department only',
        params: extensionParams,
        body: decideExtensionSchema,
        responses: actionResponses({ 400: 'malformed body' }),
      },
      ({ params, body, user }) => service.decideExtension(params.number, params.id, user!, body),
    );
}
