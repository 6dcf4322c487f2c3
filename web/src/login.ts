import type { LoginResponse } from '../../contracts';
import { zhForField } from '../../contracts/zh';
import { WORK_NUMBER_RE } from '../../models/enums';
import { api, byId, errorText, HOME_FOR_ROLE, loadSession, saveSession } from './common';

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
  // The page checks what the server would refuse, in the server's words, instead of the browser's own bubbles.
  const problem = !workNumber
    ? zhForField('workNumber', { kind: 'required' })
    : !WORK_NUMBER_RE.test(workNumber)
      ? zhForField('workNumber', { kind: 'format' })
      : !password
        ? zhForField('password', { kind: 'required' })
        : '';
  message.textContent = problem;
  if (problem) return;
  button.disabled = true;
  api<LoginResponse>('/api/login', { method: 'POST', body: { workNumber, password } })
    .then((s) => {
      saveSession(s);
      location.replace(HOME_FOR_ROLE[s.role]);
    })
    .catch((err: unknown) => {
      // The server's Chinese says it all: wrong password (and how many tries are left), or how
      // long the work number stays locked.
      message.textContent = errorText(err);
    })
    .finally(() => {
      button.disabled = false;
    });
});
