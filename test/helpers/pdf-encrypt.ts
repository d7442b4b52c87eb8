/**
 * Real PDF encryption for the tests: the standard security handler, revision 2 (40-bit RC4) or
 * 3 (128-bit RC4), as in ISO 32000-1 §7.6.3 (algorithms 1, 2, 3, 4 and 5). pdf-lib reads and
 * writes the file; every string and stream of every indirect object is encrypted with its
 * object's key, and the trailer gets /Encrypt and /ID. MD5 comes from node:crypto; RC4 is written
 * out below because OpenSSL 3 no longer offers it by default. Test-only: no npm package that
 * writes encrypted PDFs is well kept enough to add for ~80 lines that follow the spec.
 */
import { createHash } from 'node:crypto';
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFRawStream,
  PDFString,
  type PDFObject,
  type PDFRef,
} from 'pdf-lib';

/** The 32 padding bytes of §7.6.3.3 (algorithm 2, step a). */
const PAD = Buffer.from('28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A', 'hex');

function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  const s = Array.from({ length: 256 }, (_, i) => i);
  for (let i = 0, j = 0; i < 256; i++) {
    j = (j + s[i]! + key[i % key.length]!) & 255;
    [s[i], s[j]] = [s[j]!, s[i]!];
  }
  const out = Buffer.alloc(data.length);
  for (let k = 0, i = 0, j = 0; k < data.length; k++) {
    i = (i + 1) & 255;
    j = (j + s[i]!) & 255;
    [s[i], s[j]] = [s[j]!, s[i]!];
    out[k] = data[k]! ^ s[(s[i]! + s[j]!) & 255]!;
  }
  return out;
}

const md5 = (...parts: Uint8Array[]) => createHash('md5').update(Buffer.concat(parts)).digest();
const padded = (password: string) => Buffer.concat([Buffer.from(password, 'latin1'), PAD]).subarray(0, 32);
const xorKey = (key: Uint8Array, i: number) => Buffer.from(key.map((b) => b ^ i));

export interface EncryptOptions {
  /** Needed to open the file ('' = anyone can open it; only the owner's restrictions apply). */
  userPassword: string;
  ownerPassword: string;
  /** 2: 40-bit RC4; 3: 128-bit RC4 (default). */
  revision?: 2 | 3;
  /** Permission bits (default: printing, copying and changes all refused). */
  permissions?: number;
}

/** The PDF `bytes` encrypted with the standard security handler. */
export async function encryptPdf(bytes: Uint8Array, opts: EncryptOptions): Promise<Uint8Array> {
  const revision = opts.revision ?? 3;
  const n = revision === 2 ? 5 : 16;
  const p = opts.permissions ?? -3904;
  const id = md5(Buffer.from(bytes)); // any 16 bytes; the file's hash is stable

  // Algorithm 3: the O entry, from the owner password.
  let ownerHash = md5(padded(opts.ownerPassword || opts.userPassword));
  if (revision === 3) for (let i = 0; i < 50; i++) ownerHash = md5(ownerHash.subarray(0, n));
  const ownerKey = ownerHash.subarray(0, n);
  let o = rc4(ownerKey, padded(opts.userPassword));
  if (revision === 3) for (let i = 1; i <= 19; i++) o = rc4(xorKey(ownerKey, i), o);

  // Algorithm 2: the file key, from the user password.
  const pBytes = Buffer.alloc(4);
  pBytes.writeInt32LE(p);
  let keyHash = md5(padded(opts.userPassword), o, pBytes, id);
  if (revision === 3) for (let i = 0; i < 50; i++) keyHash = md5(keyHash.subarray(0, n));
  const key = keyHash.subarray(0, n);

  // Algorithms 4 and 5: the U entry, which a reader checks the password against.
  let u: Buffer;
  if (revision === 2) u = rc4(key, PAD);
  else {
    u = rc4(key, md5(PAD, id));
    for (let i = 1; i <= 19; i++) u = rc4(xorKey(key, i), u);
    u = Buffer.concat([u, Buffer.alloc(16)]);
  }

  // Algorithm 1: each object's strings and streams with a key of its own.
  const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
  const ctx = pdf.context;
  for (const [ref, obj] of ctx.enumerateIndirectObjects()) {
    const objectKey = md5(
      key,
      Buffer.from([
        ref.objectNumber & 255,
        (ref.objectNumber >> 8) & 255,
        (ref.objectNumber >> 16) & 255,
        ref.generationNumber & 255,
        (ref.generationNumber >> 8) & 255,
      ]),
    ).subarray(0, Math.min(n + 5, 16));
    const seal = (o: PDFObject): PDFObject => {
      if (o instanceof PDFString || o instanceof PDFHexString)
        return PDFHexString.of(rc4(objectKey, o.asBytes()).toString('hex'));
      if (o instanceof PDFArray) {
        for (let i = 0; i < o.size(); i++) o.set(i, seal(o.get(i)));
        return o;
      }
      if (o instanceof PDFDict) {
        for (const [k, v] of o.entries()) o.set(k, seal(v));
        return o;
      }
      return o;
    };
    if (obj instanceof PDFRawStream)
      ctx.assign(ref, PDFRawStream.of(seal(obj.dict) as PDFDict, rc4(objectKey, obj.contents)));
    else ctx.assign(ref, seal(obj));
  }

  const encrypt: Record<string, PDFObject> = {
    Filter: PDFName.of('Standard'),
    V: PDFNumber.of(revision === 2 ? 1 : 2),
    R: PDFNumber.of(revision),
    Length: PDFNumber.of(n * 8),
    P: PDFNumber.of(p),
    O: PDFHexString.of(o.toString('hex')),
    U: PDFHexString.of(u.toString('hex')),
  };
  // Registered after the loop: the Encrypt dictionary itself is never encrypted.
  const encryptRef: PDFRef = ctx.register(ctx.obj(encrypt));
  ctx.trailerInfo.Encrypt = encryptRef;
  ctx.trailerInfo.ID = ctx.obj([PDFHexString.of(id.toString('hex')), PDFHexString.of(id.toString('hex'))]);
  return pdf.save({ useObjectStreams: false, updateFieldAppearances: false });
}
