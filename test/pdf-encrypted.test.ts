/**
 * Really encrypted PDFs (RC4, the standard security handler, revisions 2 and 3; made by
 * test/helpers/pdf-encrypt.ts): one that needs a password is skipped with one line naming it
 * while the rest of the collection is read; one with an empty user password (the owner's
 * restrictions only) opens for anyone and is read like any other PDF.
 */
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extract } from '../src/ingest/extract/extract.js';
import { Unreadable, type Extracted } from '../src/ingest/extract/extracted.js';
import { readCollection, skipNotice } from '../src/ingest/load.js';
import { encryptedPdf, makePdf, REPORT, REPORT_FOOTER, REPORT_HEADER } from './helpers/make-documents.js';
import { tempDir } from './helpers/tmp-collection.js';

const TITLE = 'Annual report of the Valley Water Board';
const reason = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: unknown) => (e instanceof Unreadable ? e.message : `not Unreadable: ${String(e)}`),
  );

/** What pdf.js itself says of the file, given a password or not: the page texts, or the exception's name and code. */
async function openWithPdfJs(
  bytes: Uint8Array,
  password?: string,
): Promise<{ pages: string[] } | { error: string; code?: number }> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  try {
    const doc = await pdfjs.getDocument({
      data: new Uint8Array(bytes),
      password,
      verbosity: 0,
      isEvalSupported: false,
      disableFontFace: true,
    }).promise;
    const pages: string[] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const content = await (await doc.getPage(n)).getTextContent();
      pages.push(content.items.map((i) => ('str' in i ? i.str : '')).join(' '));
    }
    await doc.destroy();
    return { pages };
  } catch (err) {
    const e = err as { name?: string; code?: number };
    return { error: String(e.name), code: e.code };
  }
}

let plain: Uint8Array;
let plainText: Extracted;
beforeAll(async () => {
  plain = await makePdf(REPORT, { header: REPORT_HEADER, footer: REPORT_FOOTER, title: TITLE });
  plainText = await extract('report.pdf', plain);
});

describe.each([2, 3] as const)('standard security handler, revision %i', (revision) => {
  it('with a user password: the encryption is real (pdf.js reads it only with the password), and extraction says it is password-protected', async () => {
    const locked = await encryptedPdf(plain, { revision, userPassword: 'open sesame' });
    const raw = new TextDecoder('latin1').decode(locked);
    expect(raw).toMatch(new RegExp(`/R ${revision}\\b`));
    expect(raw).not.toContain(TITLE); // the Info dictionary's strings are encrypted too
    // pdf.js: NEED_PASSWORD (1) without one, INCORRECT_PASSWORD (2) with a wrong one, the text with the right one.
    expect(await openWithPdfJs(locked)).toEqual({ error: 'PasswordException', code: 1 });
    expect(await openWithPdfJs(locked, 'wrong')).toEqual({ error: 'PasswordException', code: 2 });
    const opened = await openWithPdfJs(locked, 'open sesame');
    expect('pages' in opened && opened.pages).toHaveLength(3);
    if ('pages' in opened) expect(opened.pages[0]).toContain(REPORT_HEADER);
    expect(await reason(extract('locked.pdf', locked))).toBe('is password-protected');
  });

  it('with an empty user password (owner restrictions only): anyone may open it, and it is read exactly like the plain file', async () => {
    const restricted = await encryptedPdf(plain, {
      revision,
      userPassword: '',
      ownerPassword: 'owner secret',
      permissions: -3904,
    });
    expect(new TextDecoder('latin1').decode(restricted)).toContain('/Encrypt');
    expect('pages' in (await openWithPdfJs(restricted))).toBe(true);
    const e = await extract('restricted.pdf', restricted);
    expect(e.text).toBe(plainText.text);
    expect(e.pages).toEqual(plainText.pages);
    expect(e.skip).toEqual(plainText.skip);
    expect(e.meta.title).toBe(TITLE);
  });
});

describe('a collection with both', () => {
  let dir: string;
  let result: Awaited<ReturnType<typeof readCollection>>;
  beforeAll(async () => {
    dir = await tempDir('quotebot-pdf-encrypted-');
    await writeFile(path.join(dir, 'locked.pdf'), await encryptedPdf(plain, { userPassword: 'open sesame' }));
    await writeFile(path.join(dir, 'restricted.pdf'), await encryptedPdf(plain, { userPassword: '' }));
    await writeFile(path.join(dir, 'notes.txt'), 'Plain notes. They are read as they are.\n');
    result = await readCollection(dir);
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('the password-protected file is skipped with one clear line; the owner-restricted one and the rest are read', () => {
    expect(result.skipped.map(skipNotice)).toEqual(['Skipped locked.pdf: it is password-protected.']);
    expect(result.docs.map((d) => d.id)).toEqual(['notes.txt', 'restricted.pdf']);
    const restricted = result.docs.find((d) => d.id === 'restricted.pdf')!;
    for (const para of REPORT.flatMap((p) => p.paragraphs)) expect(restricted.text).toContain(para);
  });
});
