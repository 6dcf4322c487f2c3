import type { CallDoc } from '../../models/call';
import type { CallerHandle } from '../../sim/ari/script';
import type { PbxHarness } from './pbx-harness';
import { waitFor } from './wait';

/** Waits until the CTI has closed the Call record of this simulated caller, and returns it. */
export function callClosed(h: PbxHarness, caller: CallerHandle, timeoutMs = 20_000): Promise<CallDoc> {
  return waitFor(
    async () => {
      const c = await h.node.models.Call.findOne({ callerChannelId: caller.id }).lean();
      return c?.state === 'ended' && c.outcome ? (c as CallDoc) : undefined;
    },
    { what: `call of ${caller.id} closed`, timeoutMs },
  );
}

/** Waits until the caller's call has reached `state` and that step is stored (see stepStored). */
export async function callInState(h: PbxHarness, caller: CallerHandle, state: string): Promise<void> {
  const doc = await waitFor(async () => h.node.models.Call.findOne({ callerChannelId: caller.id }).lean(), { what: `call of ${caller.id} recorded` });
  await stepStored(h, doc.callId, state);
}

/**
 * Waits until the call's step into `state` is stored durably: in MongoDB, or held in the record
 * outbox in Redis (steps between arrival, answer and end reach MongoDB with the next milestone).
 */
export async function stepStored(h: PbxHarness, callId: string, state: string): Promise<void> {
  const list = `${h.node.live.acd.keys.p}:outbox:call:${callId}`;
  const marker = `"state":"${state}"`;
  await waitFor(
    async () => (await h.node.models.Call.findOne({ callId }).lean())?.state === state || (await h.node.redis.lrange(list, 0, -1)).some((w) => w.includes(marker)),
    { what: `call ${state} stored` },
  );
}
