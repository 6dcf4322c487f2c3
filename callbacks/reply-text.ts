import type { CallbackVerdict } from '../models/enums';

/**
 * Words that say "not satisfied" in a customer's reply. Checked before the plain 满意, which each
 * of them contains. 不太满意, 不是很满意, 很不满意 …: a negation anywhere before 满意.
 */
const UNSATISFIED = [/不[^，。,.!！?？]{0,3}满意/, /不满/, /没有?满意/, /差评/];
const SATISFIED = [/满意/, /好评/];

/** Full-width digits and spaces as a phone keyboard may send them. */
function normalise(text: string): string {
  return text
    .replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0))
    .replace(/[\s\u3000]+/g, ' ')
    .trim();
}

/**
 * The verdict in an SMS callback reply: 1 (满意) or 2 (不满意), or words saying so (非常满意,
 * 不太满意 …). Null when it says neither or both (`1 2`, `满意吗？不满意`, `请来电`): such a
 * reply changes nothing, and the customer may still answer.
 */
export function verdictOf(text: string): CallbackVerdict | null {
  const t = normalise(text);
  const digits = t.match(/\d/g) ?? [];
  const unsatisfied = UNSATISFIED.some((re) => re.test(t));
  // 满意 that is only part of a negated phrase does not count as a second answer.
  const satisfied = SATISFIED.some((re) => re.test(UNSATISFIED.reduce((rest, re) => rest.replace(new RegExp(re.source, 'g'), ''), t)));
  // One digit is a key answer; several are a number or a date, not an answer.
  const digitSays = digits.length === 1 ? (digits[0] === '1' ? 'satisfied' : digits[0] === '2' ? 'unsatisfied' : null) : null;
  const said = new Set<CallbackVerdict>();
  if (unsatisfied) said.add('unsatisfied');
  if (satisfied) said.add('satisfied');
  if (digitSays) said.add(digitSays);
  if (digits.length > 1 && !unsatisfied && !satisfied) return null;
  return said.size === 1 ? [...said][0]! : null;
}
