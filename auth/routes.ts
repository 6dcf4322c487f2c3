import { z } from 'zod';
import { bearerSession } from '../api/require-role';
import type { ApiRoutes } from '../api/routes';
import { errorBodySchema, loginRequestSchema, loginResponseSchema, sessionUserSchema } from '../contracts';
import type { LoginService } from './login-service';
import type { TokenRevocations } from './token-revocations';
import type { TokenService } from './token-service';

/** `POST /api/login` (any role) and `GET /api/me`. */
export function authRoutes(api: ApiRoutes, login: LoginService, session: { tokens: TokenService; revocations: TokenRevocations }): void {
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
        method: 'post',
        path: '/logout',
        summary: '退出登录: the token is refused from now on, on every process, and its console sockets close',
        responses: { 200: { description: 'logged out', schema: z.object({ loggedOut: z.literal(true) }) } },
      },
      async ({ req }) => {
        const { tokenId, expiresAt } = bearerSession(req, session.tokens);
        if (tokenId) await session.revocations.revoke(tokenId, expiresAt);
        return { loggedOut: true as const };
      },
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
