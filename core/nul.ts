/**
 * Whether a parsed JSON value holds a NUL character in any string or key. NUL is never meaningful in
 * what people type, and the embedded database (FerretDB on PostgreSQL's jsonb) cannot store it:
 * such input is refused whole at the door rather than failing half-way into a write.
 */
export function containsNul(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return v.includes('\u0000');
  // Deeper than any real payload: left to the schemas, which refuse it anyway.
  if (depth > 64 || v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.some((x) => containsNul(x, depth + 1));
  return Object.entries(v).some(([k, x]) => k.includes('\u0000') || containsNul(x, depth + 1));
}
