/**
 * Adversarial collection files, made on demand (never stored): the inputs that once stalled or
 * sank the bot (a run of "A. ", a PDF whose stream inflates to 512 MB, deeply nested HTML, a
 * 150,000-line file…). Each is about `size` bytes. Used by `npm run bench -- --hostile`, the
 * hostile-input tests and the loadtest's upload run; nothing here is read by the bot itself.
 */
import { createDeflate } from 'node:zlib';

export interface HostileInput {
  /** A short name, also the file's stem. */
  name: string;
  /** The collection file name (its extension picks the extractor). */
  file: string;
  bytes: () => Promise<Uint8Array>;
}

const MB = 1024 * 1024;
const utf8 = (s: string) => new TextEncoder().encode(s);
/** `unit` repeated to about `size` bytes (UTF-8). */
const repeat = (unit: string, size: number) => unit.repeat(Math.max(1, Math.floor(size / utf8(unit).length)));

/** Words with no sentence end: one paragraph as long as the file. */
function runOnWords(size: number): string {
  const words = 'the council said that a report on the old bridge found corrosion in its supports and'.split(' ');
  const out: string[] = [];
  let n = 0;
  for (let i = 0; n < size; i++) {
    const w = words[i % words.length]! + (i % 7 === 0 ? String(i % 100) : '');
    out.push(w);
    n += w.length + 1;
  }
  return out.join(' ');
}

/** Distinct quotation lines: each one is checked as a possible pull quote. */
function quotationLines(size: number): string {
  const out: string[] = [];
  let n = 0;
  for (let i = 0; n < size; i++) {
    const line = `“Line ${i} said the ${i % 97} councillors voted ${i % 13} times.”`;
    out.push(line);
    n += line.length + 1;
  }
  return out.join('\n');
}

/** Prose paragraphs between runs of short menu lines: each paragraph a separate stretch of prose. */
function interruptedProse(size: number): string {
  const para =
    'The council voted on Tuesday to close the old bridge to traffic after engineers found serious corrosion in its steel supports, and officials said a ferry service would run between the two banks while the repairs took place over the next two years.';
  const out: string[] = [];
  let n = 0;
  for (let i = 0; n < size; i++) {
    const block = `${para.replace('Tuesday', `day ${i}`)}\n\nHome\nNews\nSport\nWeather\n`;
    out.push(block);
    n += block.length + 1;
  }
  return out.join('\n');
}

/** 150,000 short lines in lower case with no sentence end: hard-wrapped text the cleaner joins. */
function manyLines(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) out.push(`and ${i % 1000}`);
  return out.join('\n');
}

/** `depth` nested `<div>`s around a paragraph. */
function nestedHtml(depth: number): string {
  return `<!doctype html><html><head><title>Nested</title></head><body>${'<div>'.repeat(depth)}<p>${runOnWords(2000)}.</p>${'</div>'.repeat(depth)}</body></html>`;
}

/** Deflates `total` bytes of `fill` (a small unit repeated) without holding them all in memory. */
async function deflateRepeated(head: string, fill: string, total: number): Promise<Buffer> {
  const z = createDeflate({ level: 9 });
  const parts: Buffer[] = [];
  z.on('data', (b: Buffer) => parts.push(b));
  const done = new Promise<void>((resolve, reject) => z.on('end', resolve).on('error', reject));
  z.write(Buffer.from(head, 'latin1'));
  const block = Buffer.from(repeat(fill, MB), 'latin1');
  for (let n = 0; n < total; n += block.length) {
    if (!z.write(block)) await new Promise((r) => z.once('drain', r));
  }
  z.end();
  await done;
  return Buffer.concat(parts);
}

/** A minimal PDF: `pages` pages whose content is object 4 (one shared stream), Helvetica as F1. */
function pdfWith(content: Buffer, pages: number): Buffer {
  const objects: (string | Buffer)[] = [];
  const kids = Array.from({ length: pages }, (_, i) => `${5 + i} 0 R`).join(' ');
  objects[1] = '<< /Type /Catalog /Pages 2 0 R >>';
  objects[2] = `<< /Type /Pages /Kids [${kids}] /Count ${pages} >>`;
  objects[3] = '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>';
  objects[4] = Buffer.concat([
    Buffer.from(`<< /Length ${content.length} /Filter /FlateDecode >>\nstream\n`, 'latin1'),
    content,
    Buffer.from('\nendstream', 'latin1'),
  ]);
  for (let i = 0; i < pages; i++)
    objects[5 + i] =
      '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>';
  const chunks: Buffer[] = [Buffer.from('%PDF-1.4\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let at = chunks[0]!.length;
  const offsets: number[] = [];
  for (let n = 1; n < objects.length; n++) {
    offsets[n] = at;
    const body = objects[n]!;
    const b = Buffer.concat([
      Buffer.from(`${n} 0 obj\n`, 'latin1'),
      typeof body === 'string' ? Buffer.from(body, 'latin1') : body,
      Buffer.from('\nendobj\n', 'latin1'),
    ]);
    chunks.push(b);
    at += b.length;
  }
  const xref = [
    'xref',
    `0 ${objects.length}`,
    '0000000000 65535 f ',
    ...offsets.slice(1).map((o) => `${String(o).padStart(10, '0')} 00000 n `),
  ].join('\n');
  chunks.push(
    Buffer.from(`${xref}\ntrailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${at}\n%%EOF\n`, 'latin1'),
  );
  return Buffer.concat(chunks);
}

const TEXT_LINE = 'BT /F1 12 Tf 72 720 Td (The council voted to close the old bridge.) Tj ET\n';

/** A PDF of one page whose content stream inflates to `inflated` bytes (spaces after one line of text). */
export async function pdfBomb(inflated = 512 * MB): Promise<Uint8Array> {
  return pdfWith(await deflateRepeated(TEXT_LINE, ' ', inflated), 1);
}

/** `pages` pages that all draw one shared content stream of `size` bytes of text. */
export async function pdfSharedStream(pages = 300, size = MB): Promise<Uint8Array> {
  return pdfWith(await deflateRepeated('', TEXT_LINE, size), pages);
}

/** The hostile inputs, about `size` bytes each (the PDFs are what they are: small files, huge to read). */
export function hostileInputs(size = MB): HostileInput[] {
  const text = (name: string, make: () => string, ext = 'txt'): HostileInput => ({
    name,
    file: `${name}.${ext}`,
    bytes: () => Promise.resolve(utf8(make())),
  });
  return [
    text('a-dot-run', () => repeat('A. ', size)),
    text('one-paragraph', () => runOnWords(size)),
    text('dots', () => repeat('.', size)),
    text('no-spaces', () => repeat('abcdefghijklmnopqrstuvwxyz', size)),
    text('many-lines', () => manyLines(Math.max(1, Math.round((150_000 * size) / MB)))),
    text('open-quotes', () => `Sign up to the newsletter, the page says, and then it opens a quotation that it never closes: ${repeat('“', size)} and so on.`),
    text('brackets', () => `It ends.${repeat(')', size / 2)}\n${repeat('(', size / 2)}`),
    text('quotation-lines', () => quotationLines(size)),
    text('interrupted-prose', () => interruptedProse(size)),
    text('nested-divs', () => nestedHtml(Math.floor(size / 11)), 'html'),
    { name: 'pdf-bomb', file: 'pdf-bomb.pdf', bytes: () => pdfBomb() },
    { name: 'pdf-shared-stream', file: 'pdf-shared-stream.pdf', bytes: () => pdfSharedStream() },
  ];
}

/**
 * The files of the issue's targets: a 600 KB run of "A. ", a PDF inflating to 512 MB, 60,000
 * nested `<div>`s and a 150,000-line file (indexed beside the seeds, and uploaded one after the other).
 */
export function targetInputs(): HostileInput[] {
  const text = (name: string, file: string, make: () => string): HostileInput => ({
    name,
    file,
    bytes: () => Promise.resolve(utf8(make())),
  });
  return [
    text('a-dot-run-600k', 'a-dot-run.txt', () => repeat('A. ', 600 * 1024)),
    { name: 'pdf-bomb', file: 'pdf-bomb.pdf', bytes: () => pdfBomb() },
    text('nested-divs-60k', 'nested-divs.html', () => nestedHtml(60_000)),
    text('lines-150k', 'many-lines.txt', () => manyLines(150_000)),
  ];
}
