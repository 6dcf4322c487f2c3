import { z } from 'zod';
import type { ApiRoutes } from '../api/routes';
import { createDispatchEntrySchema, dispatchEntryIdParams, dispatchEntryViewSchema, errorBodySchema, listDispatchQuery } from '../contracts';
import type { DispatchService } from './dispatch-service';

/** The dispatch exchange over REST (Art. 19): the dispatch page, the call centre, the board. */
export function dispatchRoutes(api: ApiRoutes, dispatch: DispatchService): void {
  api
    .group('/api/dispatch', 'dispatch')
    .add(
      {
        method: 'get',
        path: '/',
        summary: 'Leaks, repairs and valve closures entered for dispatch, and dispatch\'s network anomalies, latest first',
        query: listDispatchQuery,
        responses: { 200: { description: 'the entries', schema: z.array(dispatchEntryViewSchema) } },
      },
      ({ query }) => dispatch.list(query),
    )
    .add(
      {
        method: 'post',
        path: '/',
        summary: 'Enter a leak, repair or valve closure (call centre, departments) or a network anomaly (dispatch)',
        body: createDispatchEntrySchema,
        status: 201,
        responses: { 201: { description: 'the entry', schema: dispatchEntryViewSchema }, 403: { description: 'not this side\'s kind of entry', schema: errorBodySchema } },
      },
      ({ body, user }) => dispatch.create(body, user!),
    )
    .add(
      {
        method: 'post',
        path: '/:id/close',
        summary: 'Close an entry (repaired, valve reopened, anomaly over): dispatch, supervisors, admins, or who entered it',
        params: dispatchEntryIdParams,
        responses: { 200: { description: 'the closed entry', schema: dispatchEntryViewSchema }, 404: { description: 'no such entry', schema: errorBodySchema }, 409: { description: 'closed already', schema: errorBodySchema } },
      },
      ({ params, user }) => dispatch.close(params.id, user!),
    );
}
