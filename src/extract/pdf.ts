import type { Span } from '../types.js';
import { cleanMeta, Unreadable, type Extracted } from './extracted.js';

/**
 * A PDF: its text page by page with Mozilla's pdf.js (the legacy build, which runs in Node 20
 * with its worker in the same thread), laid out as paragraphs. Lines that repeat at the top or
 * bottom of the pages (running headers and footers) and lone page numbers stay in the text but
 * are marked as spans to skip, so they are never quoted.
 */
export async function extractPdf(bytes: Uint8Array): Promise<Extracted> {
  const latin1 = (b: Uint8Array) => new TextDecoder('latin1').decode(b);
  if (!latin1(bytes.subarray(0, 1024)).includes('%PDF-')) throw new Unreadable('is not a PDF');
  // The spec puts %%EOF at the very end (readers accept it within the last kilobyte): a file cut short has none.
  if (!latin1(bytes.subarray(-1024)).includes('%%EOF')) throw new Unreadable('is truncated (not a complete PDF)');
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  let doc: Awaited<ReturnType<typeof pdfjs.getDocument>['promise']>;
  try {
    // A copy: pdf.js takes ownership of the buffer it is given.
    doc = await pdfjs.getDocument({ data: new Uint8Array(bytes), verbosity: 0, isEvalSupported: false, stopAtErrors: true, disableFontFace: true }).promise;
  } catch (err) {
    if ((err as Error | undefined)?.name === 'PasswordException') throw new Unreadable('is password-protected');
    throw new Unreadable('is not a readable PDF (damaged?)');
  }
  try {
    const pages: Line[][] = [];
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      pages.push(toLines(content.items as PdfItem[]));
      page.cleanup();
    }
    const info = (await doc.getMetadata().catch(() => undefined))?.info as { Title?: unknown } | undefined;
    const laid = layOut(pages);
    if (!/\p{L}/u.test(laid.text)) throw new Unreadable('has no text (a scanned image?)');
    const title = typeof info?.Title === 'string' && !/^(?:untitled|microsoft \w+ - )/i.test(info.Title.trim()) ? info.Title : undefined;
    return { format: 'pdf', ...laid, meta: cleanMeta({ title }) };
  } catch (err) {
    if (err instanceof Unreadable) throw err;
    throw new Unreadable('is not a readable PDF (damaged?)');
  } finally {
    await doc.destroy();
  }
}

interface PdfItem {
  str?: string;
  transform?: number[];
  width?: number;
  height?: number;
  hasEOL?: boolean;
}

interface Line {
  text: string;
  x: number;
  /** Baseline height on the page (PDF space: up is larger). */
  y: number;
  size: number;
  /** Where the line's last piece of text ends. */
  end: number;
}

/** pdf.js gives runs of text with positions: runs on one baseline make a line. */
function toLines(items: PdfItem[]): Line[] {
  const lines: Line[] = [];
  let cur: Line | undefined;
  const close = () => {
    if (cur && cur.text.trim()) lines.push({ ...cur, text: cur.text.replace(/\s+/g, ' ').trim() });
    cur = undefined;
  };
  for (const item of items) {
    if (typeof item.str !== 'string' || !item.transform) continue;
    const [, , c = 0, d = 0, x = 0, y = 0] = item.transform;
    const size = Math.hypot(c, d) || item.height || 1;
    if (cur && Math.abs(y - cur.y) > 0.5 * Math.max(size, cur.size)) close();
    if (!cur) cur = { text: '', x, y, size, end: x };
    else if (item.str && x - cur.end > 0.2 * size && !/\s$/.test(cur.text) && !/^\s/.test(item.str)) cur.text += ' ';
    if (item.str) {
      cur.text += item.str;
      cur.end = x + (item.width ?? 0);
      cur.size = Math.max(cur.size, size);
    }
    if (item.hasEOL) close();
  }
  close();
  return lines;
}

/** A page number alone: "4", "- 4 -", "Page 4", "4 of 12", "iv". */
const PAGE_NUMBER = /^(?:page\s+)?[-–—([]?\s*(?:\d{1,4}|[ivxlc]{1,6})\s*[-–—)\]]?(?:\s*(?:of|\/)\s*\d{1,4})?$/i;
const ENDS_SENTENCE = /[.!?:]["'”’)\]]*$/u;

/** Where a line may be a running header or footer: the two top and two bottom lines of its page. */
function edgeLines(page: Line[]): Line[] {
  const byHeight = [...page].sort((a, b) => b.y - a.y);
  return [...new Set([...byHeight.slice(0, 2), ...byHeight.slice(-2)])];
}

/** Text and position that identify a running line: page numbers and dates vary, so digits do not count. */
const runningKey = (l: Line) => `${Math.round(l.y / 4)}|${l.text.toLowerCase().replace(/\d+/g, '#')}`;

/** Running headers and footers: the same edge line at the same height on at least three pages (or both of two). */
function furniture(pages: Line[][]): Set<Line> {
  const seen = new Map<string, number>();
  for (const page of pages) for (const key of new Set(edgeLines(page).map(runningKey))) seen.set(key, (seen.get(key) ?? 0) + 1);
  const needed = Math.min(3, pages.length);
  const out = new Set<Line>();
  for (const page of pages) {
    for (const l of edgeLines(page)) if ((needed >= 2 && seen.get(runningKey(l))! >= needed) || PAGE_NUMBER.test(l.text)) out.add(l);
  }
  return out;
}

/**
 * The pages' lines as text: a paragraph per run of lines (its lines joined by a space, or
 * nothing after a hyphen that breaks a word), a blank line between paragraphs and between pages.
 * A paragraph ends at a wider gap, a change of type size, an indented first line, or a short
 * line that ends a sentence.
 */
function layOut(pages: Line[][]): { text: string; pages: Span[]; skip: Span[] } {
  const skipped = furniture(pages);
  let text = '';
  const pageSpans: Span[] = [];
  const skip: Span[] = [];
  for (const lines of pages) {
    if (text) text += '\n\n';
    const pageStart = text.length;
    const gaps = lines.slice(1).map((l, i) => lines[i]!.y - l.y).filter((g) => g > 0).sort((a, b) => a - b);
    const lineGap = gaps[Math.floor(gaps.length / 2)] ?? 0;
    const width = Math.max(0, ...lines.filter((l) => !skipped.has(l)).map((l) => l.end - l.x));
    let prev: Line | undefined;
    for (const line of lines) {
      const own = skipped.has(line);
      const breaks =
        !prev ||
        own ||
        skipped.has(prev) ||
        prev.y - line.y > 1.4 * lineGap ||
        prev.y - line.y < 0 ||
        Math.abs(line.size - prev.size) > 0.15 * prev.size ||
        line.x > prev.x + 0.8 * line.size ||
        (ENDS_SENTENCE.test(prev.text) && prev.end - prev.x < 0.85 * width);
      if (prev) text += breaks ? '\n\n' : /\p{L}-$/u.test(prev.text) && /^\p{Ll}/u.test(line.text) ? '' : ' ';
      if (own) skip.push({ start: text.length, end: text.length + line.text.length });
      text += line.text;
      prev = line;
    }
    pageSpans.push({ start: pageStart, end: text.length });
  }
  return { text, pages: pageSpans, skip };
}
