import type { Role } from '../contracts';

/**
 * Who may call each REST route: the one table the routes are gated from (api/routes.ts reads it
 * when a route is mounted, and refuses to mount a route without its row), tested persona by
 * persona in test/ws/access-matrix.test.ts, and published in the OpenAPI document.
 * - `roles`: the roles let past the gate (empty: anyone signed in); anyone else gets 401 without a
 *   token and 403 with one, before any input is read and before anything is written.
 * - `public`: no token; the route checks what it says (a signature, a grant, a password).
 * - `narrowed`: the handler narrows further, by the user's department, leadership or own records;
 *   each of those rules is tested where its domain is.
 * The socket namespaces' roles are contracts/ NAMESPACE_ROLES, tested by the same test.
 */
export type RouteAccess = ({ roles: readonly Role[] } | { public: string }) & { narrowed?: string };

export const ROUTE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  'POST /api/login': { public: "Anyone may try; 10 wrong passwords from one address lock that address out of that work number for 15 minutes, and past 20 from anywhere every attempt on it waits a growing delay (429, whose zh says how long)." },
  'POST /api/logout': { roles: [] },
  'GET /api/me': { roles: [] },
  'POST /api/work-orders': { roles: ['agent', 'supervisor', 'admin'] },
  'GET /api/work-orders': { roles: [], narrowed: "agents see the orders they opened, department users their department's (and those it takes part in), supervisors and admins all" },
  'GET /api/work-orders/:number': { roles: [], narrowed: "the same reach as the list" },
  'POST /api/work-orders/:number/accept': { roles: ['department'], narrowed: "users of the order's department" },
  'POST /api/work-orders/:number/start': { roles: ['department'], narrowed: "users of the order's department" },
  'POST /api/work-orders/:number/resolve': { roles: ['department'], narrowed: "users of the order's department" },
  'POST /api/work-orders/:number/archive': { roles: ['agent', 'supervisor', 'admin'], narrowed: "agents: their own orders (首问负责制)" },
  'POST /api/work-orders/:number/reopen': { roles: ['agent', 'supervisor', 'admin'], narrowed: "agents: their own orders" },
  'POST /api/work-orders/:number/escalate': { roles: ['department', 'supervisor', 'admin'], narrowed: "department users: their own department's orders" },
  'POST /api/work-orders/:number/settle': { roles: ['department'], narrowed: "users of the order's department (engineering jobs)" },
  'POST /api/work-orders/:number/hand-over': { roles: ['agent', 'supervisor', 'admin'], narrowed: "agents: their own orders" },
  'POST /api/work-orders/:number/participants': { roles: ['supervisor', 'admin'] },
  'POST /api/work-orders/:number/extensions': { roles: ['department'], narrowed: "users of the order's department" },
  'POST /api/work-orders/:number/extensions/:id/decision': { roles: ['department'], narrowed: "the leader of the order's department" },
  'POST /api/work-orders/:number/urge': { roles: ['agent', 'supervisor', 'admin'] },
  'GET /api/shifts/current': { roles: ['agent', 'supervisor', 'admin'] },
  'POST /api/shifts/current/ack': { roles: ['agent', 'supervisor'], narrowed: 'agents: the leader of the shift on duty' },
  'GET /api/work-orders/:number/notices': { roles: ['agent', 'supervisor', 'admin', 'department'], narrowed: "the same reach as the order" },
  'GET /api/alarms': { roles: ['supervisor', 'admin'] },
  'POST /api/alarms/:id/ack': { roles: ['supervisor', 'admin'] },
  'GET /api/callbacks': { roles: ['agent', 'supervisor', 'admin'] },
  'GET /api/callbacks/figures': { roles: ['supervisor', 'admin'] },
  'GET /api/callbacks/:id': { roles: ['agent', 'supervisor', 'admin'], narrowed: "agents: callbacks of their orders or assigned to them" },
  'POST /api/callbacks/:id/result': { roles: ['agent', 'supervisor', 'admin'] },
  'POST /api/callbacks/:id/queue-result': { roles: ['agent', 'supervisor', 'admin'] },
  'POST /api/callbacks/:id/call': { roles: ['agent'] },
  'POST /api/sms/inbound': { public: "Signed by the SMS provider with SMS_INBOUND_SECRET: headers x-hotline-timestamp, x-hotline-nonce, x-hotline-signature." },
  'GET /api/outages': { roles: [] },
  'POST /api/outages': { roles: ['department', 'supervisor', 'admin'], narrowed: "department users of 营业部 only" },
  'GET /api/outages/:number': { roles: [] },
  'POST /api/outages/:number/bureau-approval': { roles: ['department', 'supervisor', 'admin'], narrowed: "department users of 营业部 only" },
  'POST /api/outages/:number/reschedule': { roles: ['department', 'supervisor', 'admin'], narrowed: "department users of 营业部 only" },
  'POST /api/outages/:number/:step': { roles: ['department', 'supervisor', 'admin'], narrowed: "approve: 营业部's leader or an admin; start/restore: 营业部, the responsible department, dispatch; publish/cancel: 营业部" },
  'GET /api/dispatch': { roles: [] },
  'POST /api/dispatch': { roles: ['agent', 'supervisor', 'admin', 'department'], narrowed: "an anomaly: dispatch only; a leak, repair or valve entry: not dispatch" },
  'POST /api/dispatch/:id/close': { roles: ['agent', 'supervisor', 'admin', 'department'], narrowed: "dispatch, supervisors, admins, or whoever entered it" },
  'GET /api/history/hotline': { roles: ['supervisor', 'admin'] },
  'GET /api/history/calls': { roles: ['supervisor', 'admin'] },
  'GET /api/history/alarms': { roles: ['supervisor', 'admin'] },
  'GET /api/reports': { roles: ['supervisor', 'admin', 'department'], narrowed: "department users of 营业部 only" },
  'POST /api/reports/:month/build': { roles: ['supervisor', 'admin', 'department'], narrowed: "department users of 营业部 only" },
  'GET /api/reports/:month': { roles: ['supervisor', 'admin', 'department'], narrowed: "department users of 营业部 only" },
  'GET /api/reports/:month/xlsx': { roles: ['supervisor', 'admin', 'department'], narrowed: "department users of 营业部 only" },
  'GET /api/reports/:month/csv': { roles: ['supervisor', 'admin', 'department'], narrowed: "department users of 营业部 only" },
  'GET /api/audit/recordings': { roles: ['admin'] },
  'GET /api/recordings/:name/link': { public: "Bearer token of a supervisor or admin (any recording) or of the agent who answered the call.", narrowed: "supervisors and admins any recording; an agent the calls they answered" },
  'GET /api/recordings/:name': { public: "A `grant` from the link route, or a bearer token allowed to play it.", narrowed: "the same as the link" },
  'POST /api/admin/self-check': { roles: ['admin'] },
};

/** The row of a route: `POST /api/work-orders/:number/accept`. */
export const accessKey = (method: string, base: string, path: string): string => `${method.toUpperCase()} ${base}${path === '/' ? '' : path}`;
