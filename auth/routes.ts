import type { ApiRoutes } from '../api/routes';
import { errorBodySchema, loginRequestSchema, loginResponseSchema, sessionUserSchema } from '../contracts';
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
        responses: { 200: { description: 'the token’s user', schema: sessionUserSchema } },
      },
      async ({ user }) => user,
    );
}
