/*
 * Streaming reader of a Dell `Catalog.xml` (issue 20). Dell's full catalog is ≈ 60 MB of UTF-16: decoding
 * it whole, validating it and building fast-xml-parser's object tree held ≈ 0.5 GiB and took seconds.
 * Here bytes are decoded as they come (TextDecoder in stream mode), htmlparser2's tokenizer (pure, no I/O)
 * emits tags, and only one SoftwareComponent's subtree is alive at a time; it is turned into a
 * CatalogComponent by the same `readComponent` as catalog-xml.ts, so both readers agree by construction.
 * Asked for the fleet's models, components for other models are dropped as soon as they end.
 * The tokenizer is forgiving, so well-formedness (matching close tags, one root, nothing unclosed) is
 * checked here — a truncated download or an HTML error page must fail clearly, not yield half a catalog.
 */
import { Tokenizer, type TokenizerCallbacks } from 'htmlparser2';
import { CatalogParseError } from './catalog-errors';
import type { Catalog, CatalogComponent } from './catalog.schema';
import { catalogOf, type Node, readComponent, systemIdsOf } from './catalog-xml';
import { SliceBuffers } from './sax-buffers';

export interface CatalogStreamOptions {
  /**
   * Keep only components for these models (SystemID as 4-digit hex, e.g. `090E`), and only these models
   * in each kept component's `systemIds`. Matching is by model only, so the matcher's answers for these
   * models are unchanged. Omitted: the whole catalog.
   */
  systemIds?: Iterable<string>;
}

type Decoder = InstanceType<typeof TextDecoder>;
const MANIFEST = 'Manifest';
const COMPONENT = 'SoftwareComponent';

/** Feed bytes with `write`, get the Catalog from `end`. Throws CatalogParseError as soon as it knows. */
export class CatalogStreamParser {
  private decoder: Decoder | undefined;
  private head = new Uint8Array(0);
  private readonly tokenizer: Tokenizer;
  private readonly text = new SliceBuffers();
  private readonly models: Set<string> | undefined;
  /** Open element names, outermost first (for the well-formedness checks). */
  private readonly open: string[] = [];
  /** The component subtree being built (outermost first); empty outside a SoftwareComponent. */
  private readonly tree: Node[] = [];
  private manifest: Node | undefined;
  private rootSeen = false;
  private tag: { name: string; node: Node | undefined; attrs: boolean } | undefined;
  private attrName = '';
  private attrValue = '';
  private componentIndex = 0;
  private usable = 0;
  private readonly components: CatalogComponent[] = [];
  private readonly warnings: string[] = [];
  private nonBlank = false;

  constructor(opts: CatalogStreamOptions = {}) {
    this.models = opts.systemIds ? new Set([...opts.systemIds].map((s) => s.toUpperCase())) : undefined;
    this.tokenizer = new Tokenizer({ xmlMode: true, decodeEntities: true }, this.callbacks());
  }

  write(bytes: Uint8Array): void {
    if (!this.decoder) {
      // The encoding is decided by the first two bytes (as decodeCatalogBytes does).
      const joined = new Uint8Array(this.head.length + bytes.length);
      joined.set(this.head);
      joined.set(bytes, this.head.length);
      if (joined.length < 2) {
        this.head = joined;
        return;
      }
      const { decoder, skip } = pickDecoder(joined);
      this.decoder = decoder;
      this.head = new Uint8Array(0);
      this.feed(decoder.decode(joined.subarray(skip), { stream: true }));
      return;
    }
    this.feed(this.decoder.decode(bytes, { stream: true }));
  }

  end(): Catalog {
    if (!this.decoder) {
      this.decoder = new TextDecoder('utf-8');
      this.feed(this.decoder.decode(this.head, { stream: true }));
    }
    this.feed(this.decoder.decode());
    this.tokenizer.end();
    if (!this.rootSeen) {
      if (!this.nonBlank) throw new CatalogParseError('catalog is empty');
      throw new CatalogParseError('not a Dell catalog: it has no XML element');
    }
    if (this.open.length > 0) {
      const tags = this.open.map((t) => `<${t}>`).join(', ');
      throw new CatalogParseError(`catalog is not well-formed XML: unclosed ${tags} (truncated file?)`);
    }
    return catalogOf(this.manifest ?? {}, this.components, this.warnings, this.usable);
  }

  private feed(chunk: string): void {
    if (chunk === '') return;
    if (!this.nonBlank && /\S/.test(chunk.replace(/^\uFEFF/, ''))) this.nonBlank = true;
    this.text.push(chunk);
    this.tokenizer.write(chunk);
  }

  private fail(why: string, index: number): never {
    const { line, column } = this.text.position(index);
    throw new CatalogParseError(`catalog is not well-formed XML: ${why} (line ${line}, column ${column})`);
  }

  private openElement(name: string, index: number): void {
    const depth = this.open.length;
    if (depth === 0) {
      if (this.rootSeen) this.fail(`second root element <${name}>`, index);
      this.rootSeen = true;
      if (name !== MANIFEST)
        throw new CatalogParseError(`not a Dell catalog: root element is <${name}>, expected <Manifest>`);
    }
    this.open.push(name);
    let node: Node | undefined;
    if (depth === 0 || (depth === 1 && name === COMPONENT) || this.tree.length > 0) {
      // Null-prototype objects: an element named `__proto__` must stay a plain key.
      node = Object.create(null) as Node;
      if (depth === 0) this.manifest = node;
      else {
        const parent = this.tree.at(-1);
        if (parent) {
          const list = parent[name] as Node[] | undefined;
          if (list) list.push(node);
          else parent[name] = [node];
        }
        this.tree.push(node);
      }
    }
    this.tag = { name, node, attrs: node !== undefined };
  }

  private closeElement(name: string, index: number): void {
    const top = this.open.at(-1);
    if (top === undefined) this.fail(`closing tag </${name}> without an open element`, index);
    if (top !== name) this.fail(`closing tag </${name}> does not match <${top}>`, index);
    this.open.pop();
    if (this.tree.length === 0) return;
    const node = this.tree.pop() as Node;
    if (typeof node['#text'] === 'string') node['#text'] = node['#text'].trim();
    if (this.tree.length === 0) this.componentDone(node);
  }

  private componentDone(node: Node): void {
    const index = ++this.componentIndex;
    let keep: string[] | undefined;
    if (this.models) {
      const models = this.models;
      keep = systemIdsOf(node).filter((s) => models.has(s));
      if (keep.length === 0) {
        this.usable++;
        return;
      }
    }
    const c = readComponent(node);
    if (typeof c === 'string') {
      this.warnings.push(`SoftwareComponent #${index} skipped: ${c}`);
      return;
    }
    this.usable++;
    this.components.push(keep ? { ...c, systemIds: [...new Set(keep)] } : c);
  }

  private addText(value: string): void {
    const node = this.tree.at(-1);
    if (!node) return;
    node['#text'] = typeof node['#text'] === 'string' ? node['#text'] + value : value;
  }

  private callbacks(): TokenizerCallbacks {
    const slice = (start: number, end: number) => this.text.slice(start, end);
    const inTree = () => this.tree.length > 0;
    return {
      onopentagname: (start, end) => this.openElement(slice(start, end), start - 1),
      onattribname: (start, end) => {
        if (this.tag?.attrs) this.attrName = slice(start, end);
      },
      onattribdata: (start, end) => {
        if (this.tag?.attrs) this.attrValue += slice(start, end);
      },
      onattribentity: (cp) => {
        if (this.tag?.attrs) this.attrValue += String.fromCodePoint(cp);
      },
      onattribend: () => {
        const node = this.tag?.node;
        const key = `@_${this.attrName}`;
        if (node && !(key in node)) node[key] = this.attrValue;
        this.attrValue = '';
      },
      onopentagend: () => {
        this.tag = undefined;
      },
      onselfclosingtag: (end) => {
        const name = this.tag?.name ?? '';
        this.tag = undefined;
        this.closeElement(name, end);
      },
      onclosetag: (start, end) => this.closeElement(slice(start, end), start - 2),
      ontext: (start, end) => {
        if (inTree()) this.addText(slice(start, end));
        else if (this.open.length === 0 && /\S/.test(slice(start, end)))
          this.fail(this.rootSeen ? 'text after the root element' : 'text before the root element', start);
      },
      ontextentity: (cp) => {
        if (inTree()) this.addText(String.fromCodePoint(cp));
      },
      oncdata: (start, end, offset) => {
        if (inTree()) this.addText(slice(start, end - offset));
      },
      oncomment: () => {},
      ondeclaration: () => {},
      onprocessinginstruction: () => {},
      onend: () => {},
    };
  }
}

function pickDecoder(bytes: Uint8Array): { decoder: Decoder; skip: number } {
  const [b0, b1] = [bytes[0], bytes[1]];
  // A UTF-8 BOM is dropped by TextDecoder itself (ignoreBOM is false by default).
  if (b0 === 0xff && b1 === 0xfe) return { decoder: new TextDecoder('utf-16le'), skip: 2 };
  if (b0 === 0xfe && b1 === 0xff) return { decoder: new TextDecoder('utf-16be'), skip: 2 };
  if (b0 === 0x3c && b1 === 0x00) return { decoder: new TextDecoder('utf-16le'), skip: 0 };
  return { decoder: new TextDecoder('utf-8'), skip: 0 };
}

/** Parse a whole catalog held in memory (bytes in any of Dell's encodings, or text). */
export function parseCatalogStreaming(input: Uint8Array | string, opts?: CatalogStreamOptions): Catalog {
  const p = new CatalogStreamParser(opts);
  const bytes = typeof input === 'string' ? new TextEncoder().encode(input) : input;
  const step = 1 << 17; // as loadCatalog reads files: smaller chunks, lower peak memory
  for (let i = 0; i < bytes.length; i += step) p.write(bytes.subarray(i, i + step));
  return p.end();
}

/** Parse a catalog from a stream of byte chunks (a file or an HTTP response body). */
export async function parseCatalogChunks(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  opts?: CatalogStreamOptions,
): Promise<Catalog> {
  const p = new CatalogStreamParser(opts);
  for await (const chunk of chunks) p.write(chunk);
  return p.end();
}
