import { z } from 'zod';
import type { ApiRoutes } from '../api/routes';
import {
  bureauApprovalSchema,
  createOutageSchema,
  errorBodySchema,
  listOutagesQuery,
  outageNumberParams,
  outageStepParams,
  outageViewSchema,
  rescheduleOutageSchema,
} from '../contracts';
import type { OutageService } from './outage-service';

/** Water-outage notices (停水) over REST: the business department's page and the dispatch page use these. */
export function outageRoutes(api: ApiRoutes, outages: OutageService): void {
  const notFoundDoc = { description: 'no such outage', schema: errorBodySchema };
  api
    .group('/api/outages', 'outages')
    .add(
      {
        method: 'get',
        path: '/',
        summary: 'Outage notices, latest start first (`active=true`: published or under way)',
        query: listOutagesQuery,
        responses: { 200: { description: 'the notices', schema: z.array(outageViewSchema) } },
      },
      ({ query }) => outages.list(query),
    )
    .add(
      {
        method: 'get',
        path: '/:number',
        summary: 'One outage notice, with its publications and history',
        params: outageNumberParams,
        responses: { 200: { description: 'the notice', schema: outageViewSchema }, 404: notFoundDoc },
      },
      ({ params }) => outages.get(params.number),
    )
    .add(
      {
        method: 'post',
        path: '/',
        summary: 'Draft an outage notice (营业部): kind, source, areas and streets, times, valves, road, people affected',
        body: createOutageSchema,
        status: 201,
        responses: { 201: { description: 'the draft', schema: outageViewSchema }, 403: { description: 'not the business department', schema: errorBodySchema } },
      },
      ({ body, user }) => outages.create(body, user!),
    )
    .add(
      {
        method: 'post',
        path: '/:number/bureau-approval',
        summary: 'Record the city water bureau\'s approval (who, reference, when) of a planned network outage over the threshold (Art. 16)',
        params: outageNumberParams,
        body: bureauApprovalSchema,
        responses: { 200: { description: 'the notice', schema: outageViewSchema }, 404: notFoundDoc, 409: { description: 'not needed, or recorded already', schema: errorBodySchema } },
      },
      ({ params, body, user }) => outages.recordBureauApproval(params.number, body, user!),
    )
    .add(
      {
        method: 'post',
        path: '/:number/reschedule',
        summary: 'New start and expected end; a published notice goes out again and the big users are told again',
        params: outageNumberParams,
        body: rescheduleOutageSchema,
        responses: { 200: { description: 'the notice', schema: outageViewSchema }, 404: notFoundDoc, 409: { description: 'over, or begun (only its end may move)', schema: errorBodySchema } },
      },
      ({ params, body, user }) => outages.reschedule(params.number, body, user!),
    )
    .add(
      {
        method: 'post',
        path: '/:number/:step',
        summary: 'approve (营业部负责人), publish, start, restore, cancel; publication of a large planned network outage waits for the bureau\'s approval',
        params: outageStepParams,
        responses: {
          200: { description: 'the notice after the step', schema: outageViewSchema },
          403: { description: 'not allowed to take this step', schema: errorBodySchema },
          404: notFoundDoc,
          409: { description: 'not from this status, or the bureau\'s approval missing', schema: errorBodySchema },
        },
      },
      ({ params, user }) => outages.step(params.number, params.step, user!),
    );
}
