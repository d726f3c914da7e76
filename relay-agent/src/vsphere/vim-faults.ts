import { DeviceError } from '../http/errors';
import type { MoRef } from './vim-decode';
import { child, children, type XNode } from './xml';

/** A vim25 fault (SOAP fault detail type without the `Fault` suffix), e.g. NotAuthenticated, InvalidState. */
export class VimFaultError extends DeviceError {
  constructor(
    readonly faultType: string,
    message: string,
  ) {
    super(`vim_${faultType}`, message, false);
  }
}

/**
 * A fault vCenter reported for one object inside a RetrievePropertiesEx answer (`ObjectContent.missingSet`)
 * rather than as a SOAP fault: NoPermission on an object the account cannot read, NotAuthenticated from a
 * server that reports an expired session that way, ManagedObjectNotFound for an object deleted meanwhile.
 */
export class VimMissingSetError extends VimFaultError {
  constructor(
    faultType: string,
    readonly obj: MoRef,
    readonly paths: readonly string[],
    message: string,
  ) {
    super(faultType, message);
  }
}

/**
 * Throws the first missingSet fault of a RetrieveResult as a typed error. Every fault is surfaced: a property
 * that could not be read is not a property that is unset, and deciding on a partial object is how a host
 * with an unreadable VM looks empty.
 */
export function throwOnMissingSet(resp: XNode): void {
  throwMissing(resp, false);
}

/** For pages of many objects: only a session fault throws; other faults stay on their ObjectContent. */
export function throwOnSessionMissingSet(resp: XNode): void {
  throwMissing(resp, true);
}

function throwMissing(resp: XNode, sessionOnly: boolean): void {
  for (const o of children(child(resp, 'returnval'), 'objects')) {
    const missing = children(o, 'missingSet');
    if (missing.length === 0) continue;
    const objNode = child(o, 'obj');
    const obj: MoRef = { type: objNode?.attrs.type ?? '', value: objNode?.text ?? '' };
    const first = missing[0];
    const lmf = child(first, 'fault');
    const fault = child(lmf, 'fault');
    const type = (fault?.attrs['xsi:type'] ?? 'SystemError').replace(/Fault$/, '');
    if (sessionOnly && type !== 'NotAuthenticated') continue;
    const paths = missing.map((m) => child(m, 'path')?.text ?? '?');
    const msg = child(lmf, 'localizedMessage')?.text ?? type;
    throw new VimMissingSetError(type, obj, paths, `${obj.type} ${obj.value}: ${paths.join(', ')}: ${msg}`);
  }
}
