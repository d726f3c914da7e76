/** `$$.Task.Token` resolves to this; the Task handler swaps it for a freshly minted token. */
export const TOKEN_PLACEHOLDER = '__rackops_local_task_token__';

/** The payload with every placeholder replaced by the token, and how many there were (0 is a definition bug). */
export function replaceToken(value: unknown, token: string): { value: unknown; replaced: number } {
  let replaced = 0;
  const walk = (v: unknown): unknown => {
    if (v === TOKEN_PLACEHOLDER) {
      replaced += 1;
      return token;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return { value: walk(value), replaced };
}
