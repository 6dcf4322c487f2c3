import { z } from 'zod';
import type { AckFn } from './common';

/** 监听: the supervisor hears both sides; 耳语: the agent alone hears the supervisor; 强插: all three talk. */
export const MONITOR_MODES = ['listen', 'whisper', 'barge'] as const;
export type MonitorMode = (typeof MONITOR_MODES)[number];

const callIdSchema = z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'not a call id');

/** Starts monitoring a call in conversation, or switches its mode (the supervisor's phone is not rung again). */
export const monitorCommandSchema = z.object({ callId: callIdSchema, mode: z.enum(MONITOR_MODES) }).strict();
export type MonitorCommand = z.infer<typeof monitorCommandSchema>;

export const monitorStopSchema = z.object({ callId: callIdSchema }).strict();
export type MonitorStopCommand = z.infer<typeof monitorStopSchema>;

/**
 * One call's monitor as the board shows it. `dialing`: the supervisor's phone rings; `active`:
 * connected in `mode`.
 */
export interface MonitorView {
  callId: string;
  supervisor: string;
  supervisorName: string;
  mode: MonitorMode;
  phase: 'dialing' | 'active';
  since: number;
}

/** The agent console is told of a monitor (barge always; listen and whisper when MONITOR_TELL_AGENT). */
export interface AgentMonitorNotice {
  callId: string;
  /** null: the monitor ended. */
  mode: MonitorMode | null;
  supervisor: string;
  supervisorName: string;
}

export interface MonitorCommands {
  'call:monitor': (cmd: MonitorCommand, ack: AckFn<MonitorView>) => void;
  'call:monitor-stop': (cmd: MonitorStopCommand, ack: AckFn<{ callId: string }>) => void;
}
