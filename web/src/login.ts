import type { LoginResponse } from '../../contracts';
import { api, ApiError, byId, HOME_FOR_ROLE, loadSession, saveSession } from './common';

const existing = loadSession();
if (existing) location.replace(HOME_FOR_ROLE[existing.role]);

const REASONS: Record<string, string> = {
  expired: '登录已过期，请重新登录。',
  unauthorized: '登录无效，请重新登录。',
  forbidden: '该账号无权使用此页面。',
};
const reason = new URLSearchParams(location.search).get('reason');
const message = byId('message');
if (reason && REASONS[reason]) message.textContent = REASONS[reason];

byId<HTMLFormElement>('login').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const workNumber = byId<HTMLInputElement>('workNumber').value.trim();
  const password = byId<HTMLInputElement>('password').value;
  const button = byId<HTMLButtonElement>('submit');
  button.disabled = true;
  message.textContent = '';
  api<LoginResponse>('/api/login', { method: 'POST', body: { workNumber, password } })
    .then((s) => {
      saveSession(s);
      location.replace(HOME_FOR_ROLE[s.role]);
    })
    .catch((err: unknown) => {
      message.textContent =
        err instanceof ApiError && err.status === 401
          ? '工号或密码错误'
          : err instanceof ApiError && err.status === 429
            ? '失败次数过多，请稍后再试'
            : err instanceof ApiError && err.code === 'validation'
              ? '请输入 3–6 位数字工号和密码'
              : '登录失败，请稍后再试';
    })
    .finally(() => {
      button.disabled = false;
    });
});
