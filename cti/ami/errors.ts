import { AppError } from '../../core/errors';

export type AmiErrorCode =
  /** No reply within the action timeout (Asterisk hung, or a reply lost). */
  | 'ami_timeout'
  /** Not logged in right now; the client is reconnecting. */
  | 'ami_not_connected'
  /** The connection went away while the action was in flight. */
  | 'ami_disconnected'
  /** Login refused: wrong username/secret in the CTI config (manager.conf). */
  | 'ami_auth_failed'
  /** Asterisk answered `Response: Error`; `response` holds the reply. */
  | 'ami_action_failed'
  | 'ami_stopped';

/** AMI trouble means a dependency is unavailable, hence 503 wherever it reaches HTTP. */
export class AmiError extends AppError {
  constructor(
    readonly amiCode: AmiErrorCode,
    message: string,
    readonly response?: Readonly<Record<string, string>>,
  ) {
    // The reply stays on the error for logs; it is Asterisk's own text, not for an HTTP body.
    super(503, amiCode, message, { zh: '电话交换机暂时无法响应，请稍后再试' });
    this.name = 'AmiError';
  }
}
