/**
 * The contracts shared by the server and the browser consoles: zod schemas for everything that
 * comes in (REST bodies, queries, socket commands) and for the REST answers, with the TypeScript
 * types derived from them (`z.infer`), plus the typed Socket.IO maps of each console namespace
 * (Socket.IO's typed-events pattern: `Server<ClientToServer, ServerToClient>` on the server,
 * `Socket<ServerToClient, ClientToServer>` in the browser). Browser code imports types only, so no
 * validation code reaches the bundles.
 */
export * from './common';
export * from './auth';
export * from './agent';
export * from './alarms';
export * from './board';
export * from './board-consult';
export * from './health';
export * from './recordings';
export * from './work-orders';
export * from './zh';
export * from './department';
export * from './callbacks';
export * from './outages';
export * from './dispatch';
export * from './reports';
export * from './monitor';
export type {
  AgentState,
  AlarmKind,
  CallOutcome,
  CallState,
  DepartmentCode,
  Language,
  NotReadyReason,
  Role,
  WorkOrderCategory,
  WorkOrderStatus,
} from '../models/enums';
