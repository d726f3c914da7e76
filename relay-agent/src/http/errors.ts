import { RackOpsError } from '@rackops/core/util/errors';

/** Any failure talking to a device. `retryable` marks transient faults (5xx, reset, timeout). */
export class DeviceError extends RackOpsError {
  constructor(
    code: string,
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** The device did not answer in time. */
export class DeviceTimeoutError extends DeviceError {
  constructor(what: string, ms: number) {
    super('timeout', `${what} did not answer within ${ms} ms`, true);
  }
}

/** TCP/TLS level failure: refused, reset, host down. */
export class DeviceUnreachableError extends DeviceError {
  constructor(what: string, detail: string, options?: { cause?: unknown }) {
    super('unreachable', `${what} is unreachable: ${detail}`, true, options);
  }
}

/** The certificate the device presented does not match the pinned fingerprint (or the CA). Never retried. */
export class CertificatePinError extends DeviceError {
  constructor(device: string, expected: string, actual: string) {
    super(
      'tls_pin_mismatch',
      `refusing ${device}: certificate SHA-256 ${actual} does not match the pinned ${expected}`,
      false,
    );
  }
}

/** The device answered with an HTTP error status. 5xx are retryable, 4xx never. */
export class DeviceHttpError extends DeviceError {
  constructor(
    what: string,
    readonly status: number,
    detail: string,
  ) {
    super(
      status === 401 || status === 403 ? 'device_auth' : `http_${status}`,
      `${what} answered HTTP ${status}${detail ? `: ${detail}` : ''}`,
      status >= 500,
    );
  }
}

/** The device answered, but not with what the API promises (bad JSON/XML, wrong shape). */
export class MalformedResponseError extends DeviceError {
  constructor(what: string, detail: string) {
    super('malformed_response', `${what} returned an unexpected response: ${detail}`, false);
  }
}

/** A device operation finished in a failed state (iDRAC job failed, vCenter task error). */
export class DeviceOperationError extends DeviceError {
  constructor(code: string, message: string) {
    super(code, message, false);
  }
}

/** Wrap anything thrown into a DeviceError so callers never see raw socket errors. */
export function toDeviceError(what: string, err: unknown): DeviceError {
  if (err instanceof DeviceError) return err;
  const e = err as NodeJS.ErrnoException;
  return new DeviceUnreachableError(what, e?.code ?? e?.message ?? String(err), { cause: err });
}
