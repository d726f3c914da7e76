import { type Vim, type VimField, en, obj, str } from './vim-value';

/**
 * A vim25 fault, answered as `soapenv:Fault` with `<detail><XFault xsi:type="X">…</XFault></detail>`
 * and HTTP 500, as vCenter does. `faultCode` is ServerFaultCode for vim faults, ClientFaultCode for unreadable requests.
 */
export class VimFaultError extends Error {
  override readonly name = 'VimFaultError';
  constructor(
    readonly faultType: string,
    message: string,
    readonly fields: Record<string, VimField> = {},
    readonly faultCode: 'ServerFaultCode' | 'ClientFaultCode' = 'ServerFaultCode',
  ) {
    super(message);
  }

  /** The fault as a data object, for `TaskInfo.error.fault` (LocalizedMethodFault). */
  toVim(): Vim {
    return obj(this.faultType, this.fields);
  }
}

export const invalidLogin = () =>
  new VimFaultError('InvalidLogin', 'Cannot complete login due to an incorrect user name or password.');

export const notAuthenticated = (object: Vim, privilegeId = 'System.View') =>
  new VimFaultError('NotAuthenticated', 'The session is not authenticated.', {
    object,
    privilegeId: str(privilegeId),
  });

export const invalidRequest = (message: string) => new VimFaultError('InvalidRequest', message);

export const invalidArgument = (property: string) =>
  new VimFaultError('InvalidArgument', `A specified parameter was not correct: ${property}`, {
    invalidProperty: str(property),
  });

export const managedObjectNotFound = (ref: Vim) =>
  new VimFaultError(
    'ManagedObjectNotFound',
    'The object has already been deleted or has not been completely created',
    {
      obj: ref,
    },
  );

export const invalidState = (message = 'The operation is not allowed in the current state.') =>
  new VimFaultError('InvalidState', message);

export const invalidPowerState = (requested: string, existing: string) =>
  new VimFaultError(
    'InvalidPowerState',
    `The attempted operation cannot be performed in the current state (${POWER_LABEL[existing] ?? existing}).`,
    {
      requestedState: en('VirtualMachinePowerState', requested),
      existingState: en('VirtualMachinePowerState', existing),
    },
  );

const POWER_LABEL: Record<string, string> = {
  poweredOn: 'Powered on',
  poweredOff: 'Powered off',
  suspended: 'Suspended',
};

export const methodNotFound = (method: string) =>
  new VimFaultError(
    'MethodNotFound',
    `Unable to resolve WSDL method name ${method} for namespace name urn:vim25`,
    {
      method: str(method),
    },
  );
