import type { AmiHeaders } from './protocol';

/**
 * The AMI messages app_queue and MixMonitor send, with the header names and order of trace
 * ami/06-queue-fallback (Asterisk 22.10.1). Values Asterisk prints for an unset caller ID are
 * `<unknown>`.
 */

export interface PartyId {
  number: string;
  name: string;
}

/** The caller's channel as app_queue's events show it (`Channel:` … `Linkedid:` block). */
export interface CallerView {
  channel: string;
  uniqueid: string;
  caller: PartyId;
  connected: PartyId | null;
  context: string;
  exten: string;
  priority: number;
}

/** A member's outgoing channel (`DestChannel:` … `DestLinkedid:` block). */
export interface MemberChannelView {
  channel: string;
  uniqueid: string;
  state: 'Down' | 'Ringing' | 'Up';
  /** The phone's own caller ID (pjsip.conf `callerid`). */
  id: PartyId;
  context: string;
}

/** A queues.conf member as QueueMemberStatus / QueueMember report it. */
export interface MemberView {
  interface: string;
  name: string;
  callsTaken: number;
  lastCall: number;
  loginTime: number;
  inCall: boolean;
  /** Device state number: 1 not in use, 2 in use, 5 unavailable, 6 ringing. */
  status: number;
}

const STATE_NUMBER = { Down: 0, Ringing: 5, Up: 6 } as const;

const shown = (v: string): string => (v === '' ? '<unknown>' : v);

function callerBlock(c: CallerView): AmiHeaders {
  return [
    ['Channel', c.channel],
    ['ChannelState', '6'],
    ['ChannelStateDesc', 'Up'],
    ['CallerIDNum', shown(c.caller.number)],
    ['CallerIDName', shown(c.caller.name)],
    ['ConnectedLineNum', shown(c.connected?.number ?? '')],
    ['ConnectedLineName', shown(c.connected?.name ?? '')],
    ['Language', 'en'],
    ['AccountCode', ''],
    ['Context', c.context],
    ['Exten', c.exten],
    ['Priority', String(c.priority)],
    ['Uniqueid', c.uniqueid],
    ['Linkedid', c.uniqueid],
  ];
}

function destBlock(c: CallerView, m: MemberChannelView): AmiHeaders {
  return [
    ['DestChannel', m.channel],
    ['DestChannelState', String(STATE_NUMBER[m.state])],
    ['DestChannelStateDesc', m.state],
    ['DestCallerIDNum', shown(m.id.number)],
    ['DestCallerIDName', shown(m.id.name)],
    ['DestConnectedLineNum', shown(c.caller.number)],
    ['DestConnectedLineName', shown(c.caller.name)],
    ['DestLanguage', 'en'],
    ['DestAccountCode', ''],
    ['DestContext', m.context],
    ['DestExten', c.exten],
    ['DestPriority', '1'],
    ['DestUniqueid', m.uniqueid],
    ['DestLinkedid', c.uniqueid],
  ];
}

export function mixMonitorStart(c: CallerView): AmiHeaders {
  return [['Event', 'MixMonitorStart'], ['Privilege', 'call,all'], ...callerBlock(c)];
}

export function deviceStateChange(device: string, state: string): AmiHeaders {
  return [
    ['Event', 'DeviceStateChange'],
    ['Privilege', 'call,all'],
    ['Device', device],
    ['State', state],
  ];
}

export function queueCallerJoin(c: CallerView, queue: string, position: number, count: number): AmiHeaders {
  return [
    ['Event', 'QueueCallerJoin'],
    ['Privilege', 'agent,all'],
    ...callerBlock(c),
    ['Queue', queue],
    ['Position', String(position)],
    ['Count', String(count)],
  ];
}

export function queueCallerLeave(c: CallerView, queue: string, position: number, count: number): AmiHeaders {
  return [
    ['Event', 'QueueCallerLeave'],
    ['Privilege', 'agent,all'],
    ...callerBlock(c),
    ['Queue', queue],
    ['Position', String(position)],
    ['Count', String(count)],
  ];
}

export function queueCallerAbandon(c: CallerView, queue: string, position: number, originalPosition: number, holdTimeSec: number): AmiHeaders {
  return [
    ['Event', 'QueueCallerAbandon'],
    ['Privilege', 'agent,all'],
    ...callerBlock(c),
    ['Queue', queue],
    ['Position', String(position)],
    ['OriginalPosition', String(originalPosition)],
    ['HoldTime', String(holdTimeSec)],
  ];
}

/** AgentCalled, AgentRingNoAnswer, AgentConnect, AgentComplete: caller, member channel, queue, member, then `extra`. */
export function agentEvent(
  event: 'AgentCalled' | 'AgentRingNoAnswer' | 'AgentConnect' | 'AgentComplete',
  c: CallerView,
  m: MemberChannelView,
  queue: string,
  member: Pick<MemberView, 'interface' | 'name'>,
  extra: AmiHeaders = [],
): AmiHeaders {
  return [
    ['Event', event],
    ['Privilege', 'agent,all'],
    ...callerBlock(c),
    ...destBlock(c, m),
    ['Queue', queue],
    ['Interface', member.interface],
    ['MemberName', member.name],
    ...extra,
  ];
}

export function queueMemberStatus(queue: string, m: MemberView): AmiHeaders {
  return [
    ['Event', 'QueueMemberStatus'],
    ['Privilege', 'agent,all'],
    ['Queue', queue],
    ['MemberName', m.name],
    ['Interface', m.interface],
    ['StateInterface', m.interface],
    ['Membership', 'static'],
    ['Penalty', '0'],
    ['CallsTaken', String(m.callsTaken)],
    ['LastCall', String(m.lastCall)],
    ['LastPause', '0'],
    ['LoginTime', String(m.loginTime)],
    ['InCall', m.inCall ? '1' : '0'],
    ['Status', String(m.status)],
    ['Paused', '0'],
    ['PausedReason', ''],
    ['Ringinuse', '0'],
    ['Wrapuptime', '0'],
  ];
}

export interface QueueParamsView {
  queue: string;
  strategy: string;
  calls: number;
  holdtime: number;
  talktime: number;
  completed: number;
  abandoned: number;
  serviceLevel: number;
  serviceLevelPerf: number;
  serviceLevelPerf2: number;
}

/** QueueStatus list items (no Privilege; ActionID last, unlike the PJSIP listings). */
export function queueParams(p: QueueParamsView, actionId: AmiHeaders): AmiHeaders {
  return [
    ['Event', 'QueueParams'],
    ['Queue', p.queue],
    ['Max', '0'],
    ['Strategy', p.strategy],
    ['Calls', String(p.calls)],
    ['Holdtime', String(p.holdtime)],
    ['TalkTime', String(p.talktime)],
    ['Completed', String(p.completed)],
    ['Abandoned', String(p.abandoned)],
    ['ServiceLevel', String(p.serviceLevel)],
    ['ServicelevelPerf', p.serviceLevelPerf.toFixed(1)],
    ['ServicelevelPerf2', p.serviceLevelPerf2.toFixed(1)],
    ['Weight', '0'],
    ...actionId,
  ];
}

export function queueMember(queue: string, m: MemberView, actionId: AmiHeaders): AmiHeaders {
  return [
    ['Event', 'QueueMember'],
    ['Queue', queue],
    ['Name', m.name],
    ['Location', m.interface],
    ['StateInterface', m.interface],
    ['Membership', 'static'],
    ['Penalty', '0'],
    ['CallsTaken', String(m.callsTaken)],
    ['LastCall', String(m.lastCall)],
    ['LastPause', '0'],
    ['LoginTime', String(m.loginTime)],
    ['InCall', m.inCall ? '1' : '0'],
    ['Status', String(m.status)],
    ['Paused', '0'],
    ['PausedReason', ''],
    ['Wrapuptime', '0'],
    ...actionId,
  ];
}

/** A caller waiting in the queue, as QueueStatus lists it. */
export function queueEntry(queue: string, position: number, c: CallerView, waitSec: number, actionId: AmiHeaders): AmiHeaders {
  return [
    ['Event', 'QueueEntry'],
    ['Queue', queue],
    ['Position', String(position)],
    ['Channel', c.channel],
    ['Uniqueid', c.uniqueid],
    ['CallerIDNum', shown(c.caller.number)],
    ['CallerIDName', shown(c.caller.name)],
    ['ConnectedLineNum', shown(c.connected?.number ?? '')],
    ['ConnectedLineName', shown(c.connected?.name ?? '')],
    ['Wait', String(waitSec)],
    ['Priority', '0'],
    ...actionId,
  ];
}
