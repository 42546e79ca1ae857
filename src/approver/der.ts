// Strict DER reading for the approver, on asn1js (the maintained BER/DER layer). asn1js accepts BER
// (indefinite and needlessly long lengths, constructed strings, trailing bytes); the API server's Go
// parser does not, and the approver must read the request exactly as Go does, so every header is
// checked against its one canonical DER form and anything else is refused.
import { type BaseBlock, fromBER } from 'asn1js';

export interface DerNode {
  tagClass: 'universal' | 'application' | 'context' | 'private';
  tag: number;
  constructed: boolean;
  /** The whole element (header and content). */
  raw: Uint8Array;
  content: Uint8Array;
  children: DerNode[];
}

const classes = ['universal', 'universal', 'application', 'context', 'private'] as const;
const sequenceTag = 16;
const setTag = 17;

/** Reads exactly one DER element filling `bytes`; throws with a short reason otherwise. */
export function readDer(bytes: Uint8Array, what: string): DerNode {
  const parsed = fromBER(bytes, { parseEmbedded: false });
  if (parsed.offset === -1 || parsed.result.error) throw new Error(`${what} is not valid DER`);
  if (parsed.offset !== bytes.length) throw new Error(`${what} has trailing data after its DER encoding`);
  return node(parsed.result, what);
}

function node(block: BaseBlock, what: string): DerNode {
  const { idBlock, lenBlock } = block;
  if (lenBlock.isIndefiniteForm) throw new Error(`${what} uses an indefinite length (BER, not DER)`);
  if (idBlock.tagNumber >= 31) throw new Error(`${what} uses a high tag number`);
  const raw = block.valueBeforeDecodeView;
  const header = derHeader(idBlock.tagClass, idBlock.isConstructed, idBlock.tagNumber, lenBlock.length);
  if (raw.length !== header.length + lenBlock.length || !header.every((byte, i) => raw[i] === byte)) {
    throw new Error(`${what} uses a non-minimal length encoding (BER, not DER)`);
  }
  const tagClass = classes[idBlock.tagClass] ?? 'private';
  if (tagClass === 'universal' && idBlock.isConstructed !== (idBlock.tagNumber === sequenceTag || idBlock.tagNumber === setTag)) {
    throw new Error(`${what} has a ${idBlock.isConstructed ? 'constructed' : 'primitive'} universal type ${idBlock.tagNumber} (not DER)`);
  }
  const inner: unknown = (block.valueBlock as { value?: unknown }).value;
  const children = idBlock.isConstructed && Array.isArray(inner) ? inner.map((child: BaseBlock) => node(child, what)) : [];
  return { tagClass, tag: idBlock.tagNumber, constructed: idBlock.isConstructed, raw, content: raw.subarray(header.length), children };
}

function derHeader(tagClass: number, constructed: boolean, tag: number, length: number): number[] {
  const identifier = ((tagClass - 1) << 6) | (constructed ? 0x20 : 0) | tag;
  if (length < 0x80) return [identifier, length];
  const bytes: number[] = [];
  for (let rest = length; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest % 256);
  return [identifier, 0x80 | bytes.length, ...bytes];
}

/** The node if it has this universal tag (or this context tag), else a thrown reason. */
export function typed(node: DerNode | undefined, tag: number, what: string, tagClass: DerNode['tagClass'] = 'universal'): DerNode {
  if (!node || node.tag !== tag || node.tagClass !== tagClass) throw new Error(`${what} is missing or has the wrong type`);
  return node;
}

export const universal = {
  boolean: 1,
  integer: 2,
  bitString: 3,
  octetString: 4,
  null: 5,
  oid: 6,
  utf8String: 12,
  sequence: sequenceTag,
  set: setTag,
  printableString: 19,
  t61String: 20,
  ia5String: 22,
  universalString: 28,
  bmpString: 30,
} as const;

/** Dotted form of an OBJECT IDENTIFIER's content (minimal base-128, as DER requires). */
export function oidOf(node: DerNode, what: string): string {
  const bytes = typed(node, universal.oid, what).content;
  if (bytes.length === 0 || (bytes[bytes.length - 1] ?? 0) & 0x80) throw new Error(`${what} is not a valid OID`);
  const arcs: bigint[] = [];
  let arc = 0n;
  let start = true;
  for (const byte of bytes) {
    if (start && byte === 0x80) throw new Error(`${what} is not a minimal OID`);
    arc = (arc << 7n) | BigInt(byte & 0x7f);
    start = (byte & 0x80) === 0;
    if (start) {
      arcs.push(arc);
      arc = 0n;
    }
  }
  const first = arcs.shift() ?? 0n;
  const top = first < 40n ? 0n : first < 80n ? 1n : 2n;
  return [top, first - top * 40n, ...arcs].join('.');
}
