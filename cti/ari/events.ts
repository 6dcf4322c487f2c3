import { z } from 'zod';

/**
 * The ARI events the hotline consumes, validated at the edge: a malformed event is logged and
 * dropped by the connection, never allowed to crash a handler. Unknown fields pass through.
 */
const channel = z.object({
  id: z.string().min(1),
  name: z.string(),
  state: z.string(),
  caller: z.object({ name: z.string(), number: z.string() }).partial().optional(),
  dialplan: z.object({ context: z.string(), exten: z.string() }).partial().optional(),
});
export type AriChannel = z.infer<typeof channel>;

const bridge = z.object({ id: z.string().min(1), channels: z.array(z.string()).default([]) });
const playback = z.object({ id: z.string().min(1), state: z.string(), target_uri: z.string().optional(), media_uri: z.string().optional() });
const recording = z.object({ name: z.string().min(1), state: z.string(), duration: z.number().optional(), target_uri: z.string().optional() });

const base = { timestamp: z.string().optional(), application: z.string().optional() };

export const ariEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('StasisStart'), ...base, args: z.array(z.string()).default([]), channel }),
  z.object({ type: z.literal('StasisEnd'), ...base, channel }),
  z.object({ type: z.literal('ChannelStateChange'), ...base, channel }),
  z.object({ type: z.literal('ChannelDestroyed'), ...base, channel, cause: z.number().optional(), cause_txt: z.string().optional() }),
  z.object({ type: z.literal('ChannelHangupRequest'), ...base, channel, cause: z.number().optional(), soft: z.boolean().optional() }),
  z.object({ type: z.literal('ChannelDtmfReceived'), ...base, channel, digit: z.string(), duration_ms: z.number().optional() }),
  z.object({ type: z.literal('Dial'), ...base, peer: channel, dialstatus: z.string().default(''), caller: channel.optional() }),
  z.object({ type: z.literal('ChannelEnteredBridge'), ...base, channel, bridge }),
  z.object({ type: z.literal('ChannelLeftBridge'), ...base, channel, bridge }),
  z.object({ type: z.literal('PlaybackStarted'), ...base, playback }),
  z.object({ type: z.literal('PlaybackFinished'), ...base, playback }),
  z.object({ type: z.literal('RecordingStarted'), ...base, recording }),
  z.object({ type: z.literal('RecordingFinished'), ...base, recording }),
  z.object({ type: z.literal('RecordingFailed'), ...base, recording }),
  z.object({ type: z.literal('CallBroadcast'), ...base, channel, caller: z.string().optional(), called: z.string().optional() }),
  z.object({ type: z.literal('ApplicationReplaced'), ...base }),
]);

export type AriEvent = z.infer<typeof ariEventSchema>;
export type AriEventType = AriEvent['type'];
export const CONSUMED_EVENTS = new Set<string>(ariEventSchema.options.map((o) => o.shape.type.value));
