/**
 * Typed vim25 values: enough type information to serialise them the way vCenter does
 * (`xsi:type` on property values and on polymorphic data objects, `type` on morefs, `ArrayOfX` wrappers).
 */
export type XsdType =
  | 'string'
  | 'int'
  | 'long'
  | 'short'
  | 'boolean'
  | 'dateTime'
  | 'double'
  | 'float'
  | 'byte';

export type Vim =
  | { readonly kind: 'prim'; readonly xsd: XsdType; readonly value: string | number | boolean }
  | { readonly kind: 'enum'; readonly type: string; readonly value: string }
  | { readonly kind: 'mor'; readonly type: string; readonly value: string }
  | { readonly kind: 'obj'; readonly type: string; readonly fields: Readonly<Record<string, VimField>> }
  | { readonly kind: 'array'; readonly itemType: string; readonly items: readonly Vim[] };

/** A data object field: a value, repeated values (a vim array field), or unset (omitted, as vCenter omits it). */
export type VimField = Vim | readonly Vim[] | undefined;

export const str = (value: string): Vim => ({ kind: 'prim', xsd: 'string', value });
export const int = (value: number): Vim => ({ kind: 'prim', xsd: 'int', value: Math.trunc(value) });
export const long = (value: number): Vim => ({ kind: 'prim', xsd: 'long', value: Math.trunc(value) });
export const short = (value: number): Vim => ({ kind: 'prim', xsd: 'short', value: Math.trunc(value) });
export const bool = (value: boolean): Vim => ({ kind: 'prim', xsd: 'boolean', value });
export const dateTime = (value: Date | string): Vim => ({
  kind: 'prim',
  xsd: 'dateTime',
  value: typeof value === 'string' ? value : value.toISOString(),
});
export const en = (type: string, value: string): Vim => ({ kind: 'enum', type, value });
export const mor = (type: string, value: string): Vim => ({ kind: 'mor', type, value });
export const obj = (type: string, fields: Record<string, VimField>): Vim => ({ kind: 'obj', type, fields });
export const arr = (itemType: string, items: readonly Vim[]): Vim => ({ kind: 'array', itemType, items });

/** `ArrayOfX` item type for a property value that is a list (e.g. `host`, `vm`, `config.hardware.device`). */
export const morArray = (items: readonly Vim[]): Vim => arr('ManagedObjectReference', items);

/** Sub-field lookup for dotted property paths such as `summary.hardware.cpuMhz`. */
export function fieldOf(value: Vim, name: string): VimField {
  return value.kind === 'obj' ? value.fields[name] : undefined;
}

/** A loose structural equality used by WaitForUpdates to find changed properties. */
export function sameVim(a: VimField, b: VimField): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
