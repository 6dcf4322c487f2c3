import type { CustomerView } from './agent';

/**
 * The board's notice to a consulted supervisor (their desk phone has no screen-pop): 「来自 1004 张三
 * 的咨询」 while it rings and during the consult, 「您正在接听由 1004 转接的来电」 once the call is
 * theirs, until it ends. Sent to that supervisor's boards only; `board:consult` null clears it.
 */
export interface BoardConsultNotice {
  callId: string;
  stage: 'ringing' | 'consulting' | 'handed-over';
  /** The agent who consults (and hands the call over). */
  from: string;
  fromName: string;
  callerNumber: string;
  /** The customer on file for the call's account or the caller's number (as the agent's pop has it). */
  customer: CustomerView | null;
  at: number;
}
