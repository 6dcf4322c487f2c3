import mongoose from 'mongoose';
import { ZodError } from 'zod';

/** One field's problem: `message` (English) for logs and API users, `zh` for the person at the console. */
export interface FieldError {
  /** Dotted path in the request (`leak.location`); '' for the request as a whole. */
  field: string;
  message: string;
  zh: string;
}

/**
 * Typed errors with a stable code, mapped to HTTP statuses and socket acks in one place
 * (`describeError` below). The code is what clients branch on; `message` is for logs and API
 * users; `zh`, when the thrower knows the Chinese sentence, is what a person reads.
 */
export class AppError extends Error {
  readonly zh: string | undefined;
  readonly details: FieldError[] | undefined;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    opts: { zh?: string; details?: FieldError[] } = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.zh = opts.zh;
    this.details = opts.details;
  }
}

export const badRequest = (message: string, zh?: string, details?: FieldError[]) =>
  new AppError(400, 'bad_request', message, { ...(zh ? { zh } : {}), ...(details ? { details } : {}) });
export const unauthorized = (message = 'authentication required', zh?: string) => new AppError(401, 'unauthorized', message, zh ? { zh } : {});
export const forbidden = (message = 'not allowed for this role', zh?: string) => new AppError(403, 'forbidden', message, zh ? { zh } : {});
export const notFound = (what: string, zh?: string) => new AppError(404, 'not_found', `${what} not found`, zh ? { zh } : {});
export const conflict = (message: string, zh?: string) => new AppError(409, 'conflict', message, zh ? { zh } : {});
export const unavailable = (message: string, zh?: string) => new AppError(503, 'unavailable', message, zh ? { zh } : {});

/**
 * What went wrong with one field, independent of the validator that found it (zod for requests,
 * mongoose for stored documents). The vocabulary turns it into a Chinese sentence.
 */
export type FieldProblem =
  | { kind: 'required' }
  | { kind: 'too_long'; max: number; actual?: number }
  | { kind: 'too_short'; min: number }
  | { kind: 'too_large'; max: number }
  | { kind: 'too_small'; min: number }
  | { kind: 'integer' }
  | { kind: 'number' }
  | { kind: 'format' }
  | { kind: 'choice' }
  | { kind: 'unknown_keys'; keys: string[] }
  | { kind: 'custom' }
  | { kind: 'invalid' };

/**
 * The words: field labels and sentences live beside the contracts (contracts/zh.ts, which uses
 * this FieldProblem), and core may not import contracts: the transports hand them in.
 */
export interface ZhVocabulary {
  /** The Chinese text of an error code, for errors that carry no sentence of their own. */
  code(code: string): string;
  /** The sentence a person reads for one field's problem (「请填写情况描述」). */
  field(field: string, problem: FieldProblem): string;
}

export interface ErrorDescription {
  status: number;
  code: string;
  message: string;
  zh: string;
  details?: FieldError[];
}

type ZodIssue = ZodError['issues'][number];

/** Any thrown value → status, code, English message and Chinese text; the HTTP error handler and socket acks both use it. */
export function describeError(err: unknown, vocab: ZhVocabulary): ErrorDescription {
  if (err instanceof AppError) {
    return {
      status: err.status,
      code: err.code,
      message: err.message,
      zh: err.zh ?? joinZh(err.details) ?? vocab.code(err.code),
      ...(err.details !== undefined ? { details: err.details } : {}),
    };
  }
  if (err instanceof ZodError) {
    const details = err.issues.map((i): FieldError => {
      const field = i.path.map(String).join('.');
      return { field, message: i.message, zh: vocab.field(field, zodProblem(i)) };
    });
    return {
      status: 400,
      code: 'validation',
      message: details.map((d) => `${d.field || 'body'}: ${d.message}`).join('; '),
      zh: joinZh(details) ?? vocab.code('validation'),
      details,
    };
  }
  if (err instanceof mongoose.Error.ValidationError) {
    const details = Object.values(err.errors).map((e): FieldError => ({ field: e.path, message: e.message, zh: vocab.field(e.path, mongooseProblem(e)) }));
    return { status: 400, code: 'validation', message: err.message, zh: joinZh(details) ?? vocab.code('validation'), details };
  }
  if (isDuplicateKey(err)) return { status: 409, code: 'conflict', message: 'already exists', zh: vocab.code('duplicate') };
  if (isBodyParseError(err)) return { status: 400, code: 'bad_json', message: 'request body is not valid JSON', zh: vocab.code('bad_json') };
  const client = clientError(err);
  if (client) return { ...client, zh: vocab.code(client.code) };
  return { status: 500, code: 'internal', message: 'internal error', zh: vocab.code('internal') };
}

/** One sentence per distinct problem, in the order found: what a person reads above the form. */
function joinZh(details: FieldError[] | undefined): string | undefined {
  if (!details?.length) return undefined;
  return [...new Set(details.map((d) => d.zh))].join('；');
}

/**
 * A zod issue as a FieldProblem. A missing key is an `invalid_type` whose input was undefined;
 * zod drops the input from finished issues unless asked to report it, so its English message
 * (「received undefined」) is the remaining sign (test/unit/error-zh.test.ts pins it).
 */
export function zodProblem(i: ZodIssue): FieldProblem {
  switch (i.code) {
    case 'invalid_type': {
      const missing = 'input' in i ? i.input === undefined : /received undefined$/.test(i.message);
      if (missing) return { kind: 'required' };
      if (i.expected === 'int') return { kind: 'integer' };
      if (i.expected === 'number') return { kind: 'number' };
      return { kind: 'format' };
    }
    case 'too_small': {
      const min = Number(i.minimum);
      if (i.origin === 'string' || i.origin === 'array' || i.origin === 'set') return min <= 1 ? { kind: 'required' } : { kind: 'too_short', min };
      return { kind: 'too_small', min };
    }
    case 'too_big': {
      const max = Number(i.maximum);
      return i.origin === 'string' || i.origin === 'array' || i.origin === 'set' ? { kind: 'too_long', max } : { kind: 'too_large', max };
    }
    case 'invalid_format':
      return { kind: 'format' };
    case 'invalid_value':
      return { kind: 'choice' };
    case 'unrecognized_keys':
      return { kind: 'unknown_keys', keys: [...i.keys] };
    case 'custom':
      return { kind: 'custom' };
    default:
      return { kind: 'invalid' };
  }
}

function mongooseProblem(e: mongoose.Error.ValidatorError | mongoose.Error.CastError): FieldProblem {
  if (e instanceof mongoose.Error.CastError) return { kind: 'format' };
  const props = e.properties as { maxlength?: unknown; minlength?: unknown; max?: unknown; min?: unknown };
  switch (e.kind) {
    case 'required':
      return { kind: 'required' };
    case 'maxlength':
      return { kind: 'too_long', max: Number(props.maxlength) };
    case 'minlength':
      return { kind: 'too_short', min: Number(props.minlength) };
    case 'max':
      return { kind: 'too_large', max: Number(props.max) };
    case 'min':
      return { kind: 'too_small', min: Number(props.min) };
    case 'regexp':
      return { kind: 'format' };
    case 'enum':
      return { kind: 'choice' };
    default:
      return { kind: 'invalid' };
  }
}

/** MongoDB's E11000: a unique index refused the write. */
export function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

/**
 * The request's own fault, as express and its body parser report it (http-errors: a 4xx `status`
 * with `expose`; a path parameter that is not valid percent-encoding: a URIError with status 400):
 * answered 4xx, never 500 with a stack in the error log anyone could fill at will.
 */
function clientError(err: unknown): { status: number; code: string; message: string } | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown; type?: unknown };
  const status = typeof e.status === 'number' ? e.status : typeof e.statusCode === 'number' ? e.statusCode : NaN;
  if (!(status >= 400 && status < 500)) return null;
  if (err instanceof URIError) return { status: 400, code: 'bad_request', message: 'a path parameter is not valid percent-encoding' };
  if (e.expose !== true) return null;
  if (status === 413) return { status, code: 'too_large', message: 'request body too large' };
  if (status === 415) return { status, code: 'unsupported_media', message: `unsupported request encoding (${String(e.type ?? 'unknown')})` };
  return { status, code: 'bad_request', message: `bad request (${String(e.type ?? 'unknown')})` };
}

function isBodyParseError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { type?: unknown }).type === 'entity.parse.failed';
}
