import type { ApiRoutes } from '../api/routes';
import { errorBodySchema, loginRequestSchema, loginResponseSchema, sessionUserSchema } from '../contracts';
import { LOCK_MS, MAX_FAILURES, type LoginService } from './login-service';

/** `POST /api/login` (any role) and `GET /api/me`. */
export function authRoutes(api: ApiRoutes, login: LoginService): void {
  api
    .group('/api', 'auth')
    .add(
      {
        method: 'post',
        path: '/login',
        summary: 'Log in with work number and password; returns a console token',
        access: { public: `Anyone may try; ${MAX_FAILURES} wrong passwords lock the work number for ${LOCK_MS / 60_000} minutes (429, whose zh says how long is left).` },
        body: loginRequestSchema,
        responses: {
          200: { description: 'signed in', schema: loginResponseSchema },
          401: { description: 'wrong work number or password', schema: errorBodySchema },
          429: { description: 'locked after repeated failures', schema: errorBodySchema },
        },
      },
      ({ body }) => login.login(body),
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
