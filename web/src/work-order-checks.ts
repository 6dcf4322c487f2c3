import type { FieldError } from '../../contracts';
import { zhForField, type FieldProblem } from '../../contracts/zh';
import { LEAK_DETAIL_CATEGORIES, PHONE_RE, WORK_ORDER_LIMITS as MAX, type WorkOrderCategory } from '../../models/enums';

/**
 * The work-order form's own checks, in place of the browser's validation bubbles (which speak the
 * browser's language and cut pasted text at `maxlength` without a word). They mirror
 * contracts/work-orders.ts field by field and word their messages with the server's vocabulary
 * (contracts/zh.ts), so whichever side refuses, the agent reads the same Chinese sentence under
 * the same field. The server stays the judge: its refusals land under the fields too.
 */

/** Contract field path → the form control that holds it. */
const CONTROL_ID: Readonly<Record<string, string>> = {
  category: 'wo-category',
  contactName: 'wo-contactName',
  contactPhone: 'wo-contactPhone',
  address: 'wo-address',
  description: 'wo-description',
  'leak.location': 'wo-location',
  'leak.pipeDiameterMm': 'wo-diameter',
  'leak.meterSide': 'wo-meterSide',
  'leak.landmarks': 'wo-landmarks',
};

/** Fields without which the server refuses; `leak.location` only for leak, fault and burst. */
const ALWAYS_REQUIRED = ['category', 'contactPhone', 'address', 'description'] as const;

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

export class WorkOrderChecks {
  private readonly controls = new Map<string, Control>();
  private readonly errors = new Map<string, HTMLElement>();
  private readonly counter: HTMLElement;

  constructor(form: HTMLFormElement) {
    // The page checks; the browser must neither bubble nor cut.
    form.noValidate = true;
    for (const [field, id] of Object.entries(CONTROL_ID)) {
      const el = form.querySelector<Control>(`#${id}`);
      if (!el) continue;
      el.removeAttribute('maxlength');
      el.removeAttribute('required');
      this.controls.set(field, el);
      const err = document.createElement('span');
      err.className = 'field-error';
      err.id = `${id}-error`;
      err.setAttribute('role', 'alert');
      err.hidden = true;
      (el.closest('label') ?? el).append(err);
      el.setAttribute('aria-describedby', err.id);
      this.errors.set(field, err);
      // Typing fixes the field: its message goes, except the length one, which follows the count.
      el.addEventListener(el instanceof HTMLSelectElement ? 'change' : 'input', () => {
        if (field === 'description') this.count();
        else this.show(field, '');
      });
    }
    for (const field of ALWAYS_REQUIRED) this.markRequired(field, true);
    this.counter = document.createElement('span');
    this.counter.id = 'wo-description-count';
    this.counter.className = 'counter';
    this.control('description')?.insertAdjacentElement('afterend', this.counter);
    this.control('category')?.addEventListener('change', () => this.markRequired('leak.location', this.leakCategory()));
    this.count();
  }

  /** Runs every check; shows each problem under its field and says whether the order may be sent. */
  validate(): boolean {
    const problems = this.problems();
    for (const field of this.errors.keys()) this.show(field, problems.get(field) ?? '');
    const first = [...this.controls.entries()].find(([field]) => problems.has(field));
    first?.[1].focus();
    return problems.size === 0;
  }

  /**
   * The server's refusal, field by field. Returns the sentences of fields the form does not show
   * (e.g. a call or account that no longer exists), for the line under the form.
   */
  showRefusal(fields: readonly FieldError[]): string[] {
    const elsewhere: string[] = [];
    for (const d of fields) {
      if (this.errors.has(d.field)) this.show(d.field, d.zh);
      else elsewhere.push(d.zh);
    }
    return elsewhere;
  }

  /** A new call or a filed order: no stale messages, the counter from zero, markers as the category says. */
  reset(): void {
    for (const field of this.errors.keys()) this.show(field, '');
    this.markRequired('leak.location', this.leakCategory());
    this.count();
  }

  private problems(): Map<string, string> {
    const out = new Map<string, string>();
    const add = (field: string, problem: FieldProblem | null) => {
      if (problem && !out.has(field)) out.set(field, zhForField(field, problem));
    };
    add('category', this.value('category') ? null : { kind: 'required' });
    add('contactName', tooLong(this.value('contactName'), MAX.contactName));
    const phone = this.value('contactPhone');
    add('contactPhone', !phone ? { kind: 'required' } : PHONE_RE.test(phone) ? null : { kind: 'format' });
    add('address', requiredText(this.value('address'), MAX.address));
    add('description', requiredText(this.value('description'), MAX.description));
    if (this.leakCategory()) {
      add('leak.location', requiredText(this.value('leak.location'), MAX.location));
      add('leak.landmarks', tooLong(this.value('leak.landmarks'), MAX.landmarks));
      add('leak.pipeDiameterMm', this.diameterProblem());
    }
    return out;
  }

  private diameterProblem(): FieldProblem | null {
    const el = this.control('leak.pipeDiameterMm');
    if (!(el instanceof HTMLInputElement)) return null;
    // A number input holds '' for text it cannot read; validity tells the two apart.
    if (el.validity.badInput) return { kind: 'number' };
    if (el.value === '') return null;
    const mm = Number(el.value);
    if (!Number.isInteger(mm)) return { kind: 'integer' };
    if (mm < MAX.pipeDiameterMm.min) return { kind: 'too_small', min: MAX.pipeDiameterMm.min };
    if (mm > MAX.pipeDiameterMm.max) return { kind: 'too_large', max: MAX.pipeDiameterMm.max };
    return null;
  }

  /** 「x/4000」 under the description; over the limit it turns red and says so at once. */
  private count(): void {
    const n = this.value('description').length;
    this.counter.textContent = `${n}/${MAX.description}`;
    this.counter.classList.toggle('over', n > MAX.description);
    this.show('description', n > MAX.description ? zhForField('description', { kind: 'too_long', max: MAX.description, actual: n }) : '');
  }

  private show(field: string, text: string): void {
    const err = this.errors.get(field);
    if (!err) return;
    err.textContent = text;
    err.hidden = !text;
    this.control(field)?.setAttribute('aria-invalid', text ? 'true' : 'false');
  }

  private markRequired(field: string, on: boolean): void {
    const el = this.control(field);
    const label = el?.closest('label');
    if (!el || !label) return;
    el.setAttribute('aria-required', String(on));
    let mark = label.querySelector<HTMLElement>('.req-mark');
    if (!mark) {
      mark = document.createElement('span');
      mark.className = 'req-mark';
      mark.title = '必填';
      mark.textContent = '*';
      // The label's words and the mark share one line (the label stacks its children).
      const words = document.createElement('span');
      words.className = 'field-label';
      const first = label.firstChild;
      if (first?.nodeType === Node.TEXT_NODE) words.append(first.textContent?.trim() ?? '');
      words.append(mark);
      if (first?.nodeType === Node.TEXT_NODE) first.replaceWith(words);
      else label.prepend(words);
    }
    mark.hidden = !on;
  }

  private leakCategory(): boolean {
    const c = this.value('category');
    return c !== '' && LEAK_DETAIL_CATEGORIES.includes(c as WorkOrderCategory);
  }

  private control(field: string): Control | undefined {
    return this.controls.get(field);
  }

  /** As the server sees it: trimmed (the contract trims before it counts). */
  private value(field: string): string {
    return this.control(field)?.value.trim() ?? '';
  }
}

function requiredText(v: string, max: number): FieldProblem | null {
  if (!v) return { kind: 'required' };
  return tooLong(v, max);
}

function tooLong(v: string, max: number): FieldProblem | null {
  return v.length > max ? { kind: 'too_long', max, actual: v.length } : null;
}
