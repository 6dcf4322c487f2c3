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

/** Waits until the caller's Call record is in `state`. */
export async function callInState(h: PbxHarness, caller: CallerHandle, state: string): Promise<void> {
  await waitFor(async () => (await h.node.models.Call.findOne({ callerChannelId: caller.id }).lean())?.state === state, { what: `call ${state}` });
}
