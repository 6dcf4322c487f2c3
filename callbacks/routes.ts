import { z } from 'zod';
import type { RawBodyRequest } from '../api/app';
import type { ApiRoutes } from '../api/routes';
import { unauthorized, unavailable } from '../core/errors';
import type { Logger } from '../core/logger';
import type { Models } from '../models';
import { monthOf } from '../core/time';
import { callbackFigures } from './figures';
import {
  callbackCallViewSchema,
  callbackFiguresQuery,
  callbackFiguresSchema,
  callbackIdParams,
  callbackViewSchema,
  errorBodySchema,
  listCallbacksQuery,
  recordCallbackResultSchema,
  recordQueueCallbackResultSchema,
  smsInboundResultSchema,
  smsInboundSchema,
} from '../contracts';
import type { CallbackService } from './callback-service';
import type { SmsSignature } from './sms-signature';

/** Callbacks (回访) over REST, and the SMS provider's webhook for customers' replies. */
export function callbackRoutes(
  api: ApiRoutes,
  callbacks: CallbackService,
  models: Pick<Models, 'WorkOrder' | 'Callback'>,
  inbound: { signature?: SmsSignature; logger: Logger },
): void {
  api
    .group('/api/callbacks', 'callbacks')
    .add(
      {
        method: 'get',
        path: '/',
        summary: 'Callbacks, earliest due first (the agent console lists the phone callbacks to make)',
        query: listCallbacksQuery,
        responses: { 200: { description: 'the callbacks', schema: z.array(callbackViewSchema) } },
      },
      ({ query, user }) => callbacks.list(query, user!),
    )
    .add(
      {
        method: 'get',
        path: '/figures',
        summary: 'A month\'s callbacks per department: after-sales callback rate (Art. 21: 100 %), satisfaction, overdue, no reply, the engineering sample',
        query: callbackFiguresQuery,
        responses: { 200: { description: 'the month\'s figures (the current month when none is asked)', schema: callbackFiguresSchema } },
      },
      ({ query }) => callbackFigures(models, query.month ?? monthOf(Date.now())),
    )
    .add(
      {
        method: 'get',
        path: '/:id',
        summary: 'One callback',
        params: callbackIdParams,
        responses: { 200: { description: 'the callback', schema: callbackViewSchema }, 404: { description: 'no such callback', schema: errorBodySchema } },
      },
      ({ params, user }) => callbacks.get(params.id, user!),
    )
    .add(
      {
        method: 'post',
        path: '/:id/result',
        summary: 'Record a phone callback: the four grades, satisfied / unsatisfied and the customer\'s words ("unsatisfied" opens a follow-up order to the department)',
        params: callbackIdParams,
        body: recordCallbackResultSchema,
        responses: {
          200: { description: 'the finished callback (with its follow-up order when unsatisfied)', schema: callbackViewSchema },
          404: { description: 'no such callback', schema: errorBodySchema },
          409: { description: 'finished already, or an SMS callback (the customer answers those)', schema: errorBodySchema },
        },
      },
      ({ params, body, user }) => callbacks.record(params.id, body, user!),
    )
    .add(
      {
        method: 'post',
        path: '/:id/queue-result',
        summary: 'Record a queue callback (排队回拨, a caller the automatic retries did not reach): reached or not, and a note',
        params: callbackIdParams,
        body: recordQueueCallbackResultSchema,
        responses: {
          200: { description: 'the finished task', schema: callbackViewSchema },
          404: { description: 'no such callback', schema: errorBodySchema },
          409: { description: 'finished already, or not a queue callback', schema: errorBodySchema },
        },
      },
      ({ params, body, user }) => callbacks.recordQueue(params.id, body, user!),
    )
    .add(
      {
        method: 'post',
        path: '/:id/call',
        summary: 'Click-to-call (拨打): the agent\'s own phone rings first, then the customer\'s through the carrier trunk; bridged and recorded. The agent is put Not Ready 「回访」. Progress comes to the console as `callback:call`',
        params: callbackIdParams,
        responses: {
          200: { description: 'the agent\'s phone is being called', schema: callbackCallViewSchema },
          404: { description: 'no such callback', schema: errorBodySchema },
          409: { description: 'finished already, an SMS callback, the agent not signed in, on a hotline call, their phone unreachable, or a callback call already up', schema: errorBodySchema },
          503: { description: 'no telephony on this process, or Asterisk refused the call', schema: errorBodySchema },
        },
      },
      ({ params, user }) => callbacks.dial(params.id, user!),
    );

  api.group('/api/sms', 'sms').add(
    {
      method: 'post',
      path: '/inbound',
      summary: 'A customer\'s SMS reply, posted by the SMS provider, signed (HMAC-SHA256 over timestamp, nonce and body; replays refused)',
      body: smsInboundSchema,
      responses: {
        200: { description: 'taken: recorded, or ignored (no open callback for that number, or a text that says neither)', schema: smsInboundResultSchema },
        401: { description: 'missing or bad signature, a stale timestamp or a nonce seen before: nothing changed', schema: errorBodySchema },
        503: { description: 'no SMS_INBOUND_SECRET configured', schema: errorBodySchema },
      },
    },
    async ({ body, req }) => {
      if (!inbound.signature) throw unavailable('the inbound SMS webhook is not configured (SMS_INBOUND_SECRET)', '短信回复接口未配置');
      const verdict = await inbound.signature.verify(req.headers, (req as RawBodyRequest).rawBody);
      if (!verdict.ok) {
        inbound.logger.warn({ why: verdict.why, from: body.from, ip: req.ip }, 'inbound SMS refused');
        throw unauthorized(`inbound SMS refused: ${verdict.why}`);
      }
      return callbacks.smsReply(body);
    },
  );
}
