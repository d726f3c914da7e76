import type { ManagedObject } from './model/managed-object';
import { objectContentNode } from './property-retrieve';
import type { SoapAnswer } from './soap-service';
import { readFilterSpec } from './soap/decode';
import { notAuthenticated, VimFaultError } from './soap/faults';
import { mor, obj, str, type Vim } from './soap/vim-value';
import { childrenNamed, type XNode } from './soap/xml-tree';

/** A vim fault as the PropertyCollector reports it per object: a LocalizedMethodFault in `missingSet`. */
export function localizedFault(fault: VimFaultError): Vim {
  return obj('LocalizedMethodFault', { fault: fault.toVim(), localizedMessage: str(fault.message) });
}

/**
 * Quirk `expiredSessionAs: 'missingSet'`: a RetrievePropertiesEx / RetrieveProperties on an expired session
 * is answered (HTTP 200) with each requested object carrying NotAuthenticated for every requested path in
 * its `missingSet`, instead of a SOAP fault. Other methods still fault (undefined here).
 */
export function expiredSessionAnswer(method: XNode): SoapAnswer | undefined {
  if (method.name !== 'RetrievePropertiesEx' && method.name !== 'RetrieveProperties') return undefined;
  const objects = childrenNamed(method, 'specSet').flatMap((node) => {
    const spec = readFilterSpec(node);
    const paths = spec.propSet.flatMap((p) => p.pathSet);
    return spec.objectSet.map((o) => {
      const fault = localizedFault(notAuthenticated(mor(o.obj.type, o.obj.value)));
      return objectContentNode({
        obj: o.obj,
        propSet: [],
        missingSet: (paths.length > 0 ? paths : ['name']).map((path) => ({ path, fault })),
      });
    });
  });
  if (method.name === 'RetrieveProperties') return { returnval: objects };
  return { returnval: { objects } };
}

/** Quirk `noPermissionOn`: the object exists (it is listed and traversed) but none of its properties can be read. */
export function deniedReads(mo: ManagedObject): ManagedObject {
  return {
    ref: mo.ref,
    names: mo.names,
    has: (name) => mo.has(name),
    read: () => {
      throw new VimFaultError('NoPermission', 'Permission to perform this operation was denied.', {
        object: mor(mo.ref.type, mo.ref.value),
        privilegeId: str('System.Read'),
      });
    },
  };
}
