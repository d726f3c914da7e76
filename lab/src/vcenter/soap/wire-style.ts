import type { BNode } from './envelope';

/** How a vCenter spells its answers (lab quirks `xsiPrefix`, `emptyElements`). */
export interface WireStyle {
  readonly xsiPrefix: string;
  readonly emptyElements: boolean;
}

export const DEFAULT_WIRE_STYLE: WireStyle = { xsiPrefix: 'xsi', emptyElements: false };

const XSI_TYPE = '@_xsi:type';

/**
 * Rewrites a builder tree for a style: `xsi:type` under another prefix, and data objects with no field
 * as bare empty elements. The default style returns the tree untouched (no copy on the hot path).
 */
export function styled(node: BNode, style: WireStyle): BNode {
  if (style.xsiPrefix === 'xsi' && !style.emptyElements) return node;
  const typeKey = `@_${style.xsiPrefix}:type`;
  const walk = (n: BNode): BNode => {
    if (typeof n !== 'object') return n;
    const keys = Object.keys(n);
    const xsi = n[XSI_TYPE];
    // An object whose only content is its type name: an unset data object, written `<x/>`.
    if (style.emptyElements && keys.length === 1 && typeof xsi === 'string' && !xsi.startsWith('ArrayOf')) {
      return '';
    }
    const out: Record<string, BNode | BNode[]> = {};
    for (const k of keys) {
      const v = n[k];
      if (v === undefined) continue;
      const name = k === XSI_TYPE ? typeKey : k === '@_xmlns:xsi' ? `@_xmlns:${style.xsiPrefix}` : k;
      out[name] = Array.isArray(v) ? v.map(walk) : walk(v);
    }
    return out;
  };
  return walk(node);
}
