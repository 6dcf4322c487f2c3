import { z } from 'zod';
import { DEPARTMENTS, ROLES, WORK_NUMBER_RE, type Role } from '../models/enums';
import { epochMs } from './common';

export const loginRequestSchema = z
  .object({
    workNumber: z.string().regex(WORK_NUMBER_RE, 'work number must be 3-6 digits'),
    password: z.string().min(1).max(200),
  })
  .meta({ id: 'LoginRequest' });
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const sessionUserSchema = z
  .object({
    workNumber: z.string(),
    name: z.string(),
    role: z.enum(ROLES),
    department: z.enum(DEPARTMENTS).optional(),
    /** A department user who leads the department (approves extension requests, Art. 9); set from the Agent document at log-in. */
    leader: z.boolean().optional(),
  })
  .meta({ id: 'SessionUser' });
export type SessionUser = z.infer<typeof sessionUserSchema>;

export const loginResponseSchema = sessionUserSchema
  .extend({
    token: z.string(),
    /** When the token stops being accepted. */
    expiresAt: epochMs,
  })
  .meta({ id: 'LoginResponse' });
export type LoginResponse = z.infer<typeof loginResponseSchema>;

/** `handshake.auth` of every console socket. */
export interface SocketAuth {
  token: string;
}

/** Which roles may open which console namespace (the server enforces it on connect). */
export const NAMESPACE_ROLES = {
  '/agent': ['agent'],
  '/supervisor': ['supervisor', 'admin'],
  '/admin': ['admin'],
  /** Each department user is served their own department's orders only (room from the token). */
  '/department': ['department'],
} as const satisfies Record<string, readonly Role[]>;

export type ConsoleNamespace = keyof typeof NAMESPACE_ROLES;

/**
 * The commands each console namespace answers, the socket half of the access matrix (the REST half
 * is api/access-matrix.ts): a namespace admits NAMESPACE_ROLES, then serves these and drops any
 * other event unanswered. Each console builds its guard from its row; services narrow further
 * (an agent acts on their own orders only). Tested in test/ws/access-matrix.test.ts.
 */
export const NAMESPACE_COMMANDS = {
  '/agent': [
    'agent:set-state',
    'agent:decline',
    'demo:answer',
    'work-order:create',
    'session:resync',
    'orders:resync',
    'work-order:act',
    'call:transfer-targets',
    'call:consult',
    'call:consult-complete',
    'call:consult-cancel',
    'call:transfer-out',
  ],
  '/supervisor': ['alarm:ack', 'board:resync', 'work-order:act', 'call:monitor', 'call:monitor-stop'],
  '/admin': ['alarm:ack', 'health:resync'],
  '/department': ['orders:resync', 'order:act'],
} as const satisfies Record<ConsoleNamespace, readonly string[]>;

/** `connect_error` data when the server refuses a socket. */
export interface ConnectRefusal {
  code: 'unauthorized' | 'forbidden';
  message: string;
}

/** What the server keeps on each socket (`socket.data`). */
export interface SocketData {
  user: SessionUser;
  tokenExpiresAt: number;
  /** The token's id (`jti`): its sockets close when it is revoked at log-out. */
  tokenId?: string;
}

/** Checks a console token: the HTTP and socket transports take this, not the token service itself. */
export interface TokenVerifier {
  verify(token: unknown): { user: SessionUser; expiresAt: number; tokenId?: string };
  /** Each token id revoked from now on (log-out), on any process. */
  onRevoked?(cb: (tokenId: string) => void): void;
}
