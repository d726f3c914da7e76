import { z } from 'zod';

/**
 * A `receive_resume_token` as OpenZFS prints it: `1-<checksum>-<length>-<hex of the compressed nvlist>`, all
 * lowercase hex. It comes from an appliance and goes back into a `zfs send -t` argv, so nothing else passes:
 * no space, no quote, no `;` or `$(`.
 */
export const ZfsResumeToken = z
  .string()
  .max(16_384)
  .regex(/^1-[0-9a-f]{1,16}-[0-9a-f]{1,16}-[0-9a-f]{2,16000}$/, 'a zfs receive_resume_token');
