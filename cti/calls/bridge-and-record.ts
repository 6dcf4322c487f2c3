import type { Logger } from '../../core/logger';
import type { AriPort } from '../ari/port';

/** The Recording document of a call's bridge recording, as first stored. */
export interface RecordingStart {
  name: string;
  callId: string;
  bridgeId: string;
  format: string;
  file: string;
  startedAt: Date;
  state: 'recording' | 'failed';
}

/** Bridge and recording names follow from the call id, so a process taking a call over finds them. */
export const bridgeIdOf = (callId: string): string => `br-${callId}`;
export const recordingNameOf = (callId: string): string => `call-${callId}`;

/**
 * Puts the caller and the agent in the call's mixing bridge and records it. Used when the agent
 * answers, and by a process taking over a call whose owner died between the answer and the bridge.
 * A recording that will not start is reported in the result, never thrown: the two are talking.
 */
export async function bridgeAndRecord(
  ari: AriPort,
  call: { callId: string; callerChannelId: string; agentChannelId: string; format: string },
  log: Logger,
): Promise<RecordingStart> {
  const bridgeId = bridgeIdOf(call.callId);
  const name = recordingNameOf(call.callId);
  await ari.createBridge(bridgeId, 'mixing');
  await ari.addToBridge(bridgeId, [call.callerChannelId, call.agentChannelId]);
  const startedAt = new Date();
  let state: RecordingStart['state'] = 'recording';
  try {
    await ari.recordBridge(bridgeId, name, call.format);
  } catch (err) {
    state = 'failed';
    log.error({ err: (err as Error).message, recording: name }, 'recording could not be started; the call goes on unrecorded');
  }
  return { name, callId: call.callId, bridgeId, format: call.format, file: `${name}.${call.format}`, startedAt, state };
}
