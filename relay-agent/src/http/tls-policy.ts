import { normaliseFingerprint } from '@rackops/core/util/certificate-pin';
import { z } from 'zod';

const Fingerprint = z
  .string()
  .refine(
    (s) => /^([0-9a-fA-F]{2}:?){32}$/.test(s.trim()),
    'a SHA-256 fingerprint: 64 hex digits, colons optional',
  )
  .transform(normaliseFingerprint);

/**
 * How the agent trusts one device's certificate. iDRACs ship self-signed certificates, so the
 * usual choice is `pin`; `insecure` exists only for labs and must be written out explicitly.
 */
export const TlsPolicy = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('ca'), caFile: z.string().min(1) }),
  z.object({ mode: z.literal('pin'), sha256: Fingerprint }),
  z.object({ mode: z.literal('insecure') }),
]);
export type TlsPolicy = z.infer<typeof TlsPolicy>;
