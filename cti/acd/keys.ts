/**
 * Redis key names. The prefix is wrapped in a `{hash tag}` so every ACD key lives in one
 * Redis Cluster slot and the Lua scripts may touch them together.
 */
export class AcdKeys {
  readonly p: string;
  constructor(prefix: string) {
    this.p = `{${prefix}}`;
  }
  agent = (wn: string) => `${this.p}:agent:${wn}`;
  agents = () => `${this.p}:agents`;
  /** Bumped by every write to an agent's hash; `agentsChanged` scores each agent by the last bump that touched it. */
  agentsVersion = () => `${this.p}:agents:ver`;
  /** Every agent, scored by the version of its last change: a reader asks only for what changed since it last looked. */
  agentsChanged = () => `${this.p}:agents:changed`;
  ready = (set: 'yue' | 'cmn' | 'any') => `${this.p}:ready:${set}`;
  queue = () => `${this.p}:queue`;
  qcall = (callId: string) => `${this.p}:qcall:${callId}`;
  node = (id: string) => `${this.p}:node:${id}`;
  /** Every process that has beaten lately (scored by its last beat); `node(…)` says which still live. */
  nodes = () => `${this.p}:nodes`;
  unreachable = () => `${this.p}:phones:unreachable`;
  offer = (callId: string, attempt: number) => `${this.p}:offer:${callId}:${attempt}`;
  events = () => `${this.p}:events`;
  live = () => `${this.p}:live-calls`;
  /** Each live call's latest step and language: the board's view while MongoDB holds only its milestones. */
  liveSteps = () => `${this.p}:live-steps`;
  /** Which process took over a dead process's call (the node names `node(…)` marks alive). */
  adopted = (callId: string) => `${this.p}:adopted:${callId}`;
  selfCheck = (channelId: string) => `${this.p}:selfcheck:${channelId}`;
  /** Calls the max-wait watchdog asked their live owner `node` to look at (it alone holds their session). */
  heal = (node: string) => `${this.p}:heal:${node}`;
  /** Single-app mode: the process that holds the Stasis app (the newest connection). */
  appHolder = (app: string) => `${this.p}:app-holder:${app}`;
}
