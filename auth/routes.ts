import type { ApiRoutes } from '../api/routes';
import { errorBodySchema, loginRequestSchema, loginResponseSchema, sessionUserSchema } from '../contracts';
import { ACCOUNT_SLOWDOWN_AFTER, PAIR_FAILURES, PAIR_LOCK_S } from './login-limits';
import type { LoginService } from './login-service';

/** `POST /api/login` (any role) and `GET /api/me`. */
export function authRoutes(api: ApiRoutes, login: LoginService): void {
  api
    .group('/api', 'auth')
    .add(
      {
        method: 'post',
        path: '/login',
        summary: 'Log in with work number and password; returns a console token',
        access: { public: `Anyone may try; ${PAIR_FAILURES} wrong passwords from one address lock that address out of that work number for ${PAIR_LOCK_S / 60} minutes, and past ${ACCOUNT_SLOWDOWN_AFTER} from anywhere every attempt on it waits a growing delay (429, whose zh says how long).` },
        body: loginRequestSchema,
        responses: {
          200: { description: 'signed in', schema: loginResponseSchema },
          401: { description: 'wrong work number or password', schema: errorBodySchema },
          429: { description: 'this address locked out of this work number, or the work number slowed down, after repeated failures', schema: errorBodySchema },
        },
      },
      ({ body, req }) => login.login(body, req.ip ?? req.socket.remoteAddress ?? 'unknown'),
    )
    .add(
      {
        method: 'get',
        path: '/me',
        summary: 'The signed-in user',
        access: { roles: [] },
        responses: { 200: { description: 'the token’s user', schema: sessionUserSchema } },
      },
      async ({ user }) => user,
    );
}
