/** Redfish error bodies the way iDRAC9 shapes them (`error` with `@Message.ExtendedInfo`). */
export function redfishError(
  messageId: string,
  message: string,
  opts: { code?: string; resolution?: string; severity?: 'Warning' | 'Critical' | 'OK' } = {},
): unknown {
  return {
    error: {
      '@Message.ExtendedInfo': [
        {
          Message: message,
          MessageArgs: [],
          'MessageArgs@odata.count': 0,
          MessageId: messageId,
          RelatedProperties: [],
          'RelatedProperties@odata.count': 0,
          Resolution: opts.resolution ?? 'None.',
          Severity: opts.severity ?? 'Warning',
        },
      ],
      code: opts.code ?? 'Base.1.12.GeneralError',
      message: 'A general error has occurred. See ExtendedInfo for more information',
    },
  };
}

/** A success body with one extended-info message (what iDRAC returns for many actions). */
export function redfishSuccess(
  messageId = 'Base.1.12.Success',
  message = 'Successfully Completed Request',
): unknown {
  return {
    '@Message.ExtendedInfo': [
      {
        Message: message,
        MessageArgs: [],
        'MessageArgs@odata.count': 0,
        MessageId: messageId,
        RelatedProperties: [],
        'RelatedProperties@odata.count': 0,
        Resolution: 'None',
        Severity: 'Informational',
      },
    ],
  };
}

export const NO_VALID_SESSION = redfishError(
  'Base.1.12.NoValidSession',
  'There is no valid session established with the implementation.',
  {
    code: 'Base.1.12.NoValidSession',
    resolution: 'Establish a session before attempting any operations.',
    severity: 'Critical',
  },
);

export function notFound(path: string): unknown {
  return redfishError('Base.1.12.ResourceMissingAtURI', `The resource at the URI ${path} was not found.`, {
    code: 'Base.1.12.ResourceMissingAtURI',
    resolution: 'Place a valid resource at the URI or correct the URI and resubmit the request.',
    severity: 'Critical',
  });
}
