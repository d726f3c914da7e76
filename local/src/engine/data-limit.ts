/**
 * AWS Step Functions refuses any state input, output, task parameters or task result over 256 KiB of UTF-8
 * JSON (States.DataLimitExceeded, which no Catch — not even States.ALL — handles: the execution fails).
 * aws-local-stepfunctions has no such limit, so the local engine checks it itself: a workflow that would break
 * in AWS breaks in tests too.
 */
export const STATE_DATA_LIMIT_BYTES = 262_144;

export const DATA_LIMIT_ERROR = 'States.DataLimitExceeded';

/** The size AWS counts: the JSON text's UTF-8 bytes. */
export function payloadBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null), 'utf8');
}

/** The Cause when `value` (`what` of state `state`) is over the limit, else undefined. */
export function dataLimitExceeded(state: string, what: string, value: unknown): string | undefined {
  const bytes = payloadBytes(value);
  if (bytes <= STATE_DATA_LIMIT_BYTES) return undefined;
  return `The ${what} of state '${state}' is ${bytes} bytes, over the ${STATE_DATA_LIMIT_BYTES}-byte limit of AWS Step Functions`;
}

/**
 * Marks `live` failed with States.DataLimitExceeded and aborts it when `value` is over the limit (the first
 * finding wins). Returns the Cause when this call found it.
 */
export function failOverLimit(
  live: { fatal?: { error: string; cause: string }; abort: () => void },
  state: string,
  what: string,
  value: unknown,
): string | undefined {
  if (live.fatal) return undefined;
  const cause = dataLimitExceeded(state, what, value);
  if (!cause) return undefined;
  live.fatal = { error: DATA_LIMIT_ERROR, cause };
  live.abort();
  return cause;
}
