/**
 * How one callback call (click-to-call, 回访) ended: told by the telephony side (cti/callback-call)
 * to the callbacks domain, which keeps it on the callback. Here, so both name one type.
 */
export interface CallbackCallEnd {
  callId: string;
  callbackId: string;
  agentWorkNumber: string;
  startedAt: Date;
  endedAt: Date;
  outcome: 'answered' | 'failed';
  /** `agent-busy`, `customer-no-answer`, `cancelled`, `cti-stopped`, … when not answered. */
  failureReason?: string;
  talkMs?: number;
  recordingName?: string;
}
