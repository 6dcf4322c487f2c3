/**
 * Names of a monitor's bridge and legs, made from the call and the monitor's id, so any process
 * tells its events from a caller's or an agent's by the channel id alone.
 */
export const monitorBridgeId = (callId: string, id: string) => `mon-${callId}-${id}`;
export const supervisorLegId = (callId: string, id: string) => `${monitorBridgeId(callId, id)}-sup`;
export const snoopId = (callId: string, id: string, n: number) => `${monitorBridgeId(callId, id)}-snoop${n}`;

/** StasisStart args of the supervisor's leg (`monitor,<callId>`) and of a snoop (`snoop,<callId>`). */
export const SUPERVISOR_APP_ARG = 'monitor';
export const SNOOP_APP_ARG = 'snoop';

export interface MonitorLeg {
  callId: string;
  id: string;
  leg: 'supervisor' | 'snoop';
}

export function monitorLegOf(channelId: string | undefined): MonitorLeg | null {
  const m = channelId ? /^mon-(.+)-([0-9a-f]{8})-(sup|snoop\d+)$/.exec(channelId) : null;
  return m ? { callId: m[1]!, id: m[2]!, leg: m[3] === 'sup' ? 'supervisor' : 'snoop' } : null;
}
