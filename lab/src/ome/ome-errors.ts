/** OME's error body: a Base.1.0.GeneralError wrapping one extended message (as OME 3.x/4.x answers). */
export function omeError(messageId: string, message: string, resolution: string) {
  return {
    error: {
      code: 'Base.1.0.GeneralError',
      message: 'A general error has occurred. See ExtendedInfo for more information.',
      '@Message.ExtendedInfo': [
        {
          MessageId: messageId,
          RelatedProperties: [],
          Message: message,
          MessageArgs: [],
          Severity: 'Critical',
          Resolution: resolution,
        },
      ],
    },
  };
}

export const INVALID_CREDENTIALS = omeError(
  'CSEC5002',
  'Unable to complete the operation because an invalid username and/or password is entered, and therefore authentication failed.',
  'Enter valid user name and password and retry the operation.',
);

export const UNAUTHORIZED = omeError(
  'CSEC5001',
  'Unable to complete the operation because the user does not have an active session or the session has expired.',
  'Log in with valid credentials and retry the operation.',
);

export const NOT_FOUND = omeError(
  'CGEN1004',
  'Unable to complete the request because the resource URI does not exist or is not implemented.',
  "Check the request resource URI. Refer to the OpenManage Enterprise User's Guide for more information about resource URI and its properties.",
);

export const BAD_REQUEST = (detail: string) =>
  omeError(
    'CGEN1006',
    `Unable to complete the request because the input value for ${detail} is invalid.`,
    'Enter a valid value and retry the operation.',
  );

export const INTERNAL = omeError(
  'CGEN1009',
  'Unable to complete the request because of an internal error.',
  'Retry the operation. If the issue persists, contact your system administrator.',
);
