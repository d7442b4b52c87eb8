import type { Span } from '../../core/types.js';
import { CAPS, over } from './caps.js';
import { cleanMeta, Unreadable, type Extracted } from './extracted.js';
import { checkPdfStreams } from './pdf-scan.js';

/**
 * A PDF: its text page by page with Mozilla's pdf.js (the legacy build, which runs in Node 20
 * with its worker in the same thread), laid out as paragraphs. Lines that repeat at the top or
 * bottom of the pages (running headers and footers) and lone page numbers stay in the text but
 * are marked as spans to skip, so they are never quoted. A file past a limit of caps.ts (decoded
 * streams, pages, characters of text) is refused as soon as that is known.
 */
export async function extractPdf(bytes: Uint8Array): Promise<Extracted> {
  const latin1 = (b: Uint8Array) => new TextDecoder('latin1').decode(b);
  if (!latin1(bytes.subarray(0, 1024)).includes('%PDF-')) throw new Unreadable('is not a PDF');
  // The spec puts %%EOF at the very end (readers accept it within the last kilobyte): a file cut short has none.
  if (!latin1(bytes.subarray(-1024)).includes('%%EOF')) throw new Unreadable('is truncated (not a complete PDF)');
  checkPdfStreams(bytes);
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  let doc: Awaited<ReturnType<typeof pdfjs.getDocument>['promise']>;
  try {
    // A copy: pdf.js takes ownership of the buffer it is given.
    doc = await pdfjs.getDocument({
      data: new Uint8Array(bytes),
      verbosity: 0,
      isEvalSupported: false,
      stopAtErrors: true,
      disableFontFace: true,
    }).promise;
  } catch (err) {
    if ((err as Error | undefined)?.name === 'PasswordException') throw new Unreadable('is password-protected');
    throw new Unreadable('is not a readable PDF (damaged?)');
  }
  try {
    if (doc.numPages > CAPS.pdfPages) throw over.pages(doc.numPages);
    const pages: Line[][] = [];
    let chars = 0;
    for (let n = 1; n <= doc.numPages; n++) {
      const page = await doc.getPage(n);
      const content = await page.getTextContent();
      const lines = toLines(content.items as PdfItem[]);
      for (const l of lines) chars += l.text.length + 1;
      if (chars > CAPS.textChars) throw over.text();
      pages.push(lines);
      page.cleanup();
    }
    const info = (await doc.getMetadata().catch(() => undefined))?.info as { Title?: unknown } | undefined;
    const laid = layOut(pages);
    if (!/\p{L}/u.test(laid.text)) throw new Unreadable('has no text (a scanned image?)');
    const title =
      typeof info?.Title === 'string' && !/^(?:untitled|microsoft \w+ - )/i.test(info.Title.trim())
        ? info.Title
        : undefined;
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
  /** A row of table cells (its own paragraph; cells joined by a tab). */
  cells?: boolean;
  /** The width of the column the line is in (absent: the page's). */
  measure?: number;
  /** Where the page draws it, among the page's segments. */
  seq?: number;
}

/** A gap wider than this many type sizes between runs on one baseline separates two pieces of text (columns, cells). */
const SEGMENT_GAP = 1;

/**
 * pdf.js gives runs of text with positions, in the order the page draws them. Runs on one
 * baseline with no wide gap make a segment; segments are then put in reading order (see
 * `readingOrder`), so two columns drawn line by line are not read across.
 */
function toLines(items: PdfItem[]): Line[] {
  const segments: Line[] = [];
  let cur: Line | undefined;
  const close = () => {
    if (cur && cur.text.trim())
      segments.push({ ...cur, text: cur.text.replace(/\s+/g, ' ').trim(), seq: segments.length });
    cur = undefined;
  };
  for (const item of items) {
    if (typeof item.str !== 'string' || !item.transform) continue;
    const [, , c = 0, d = 0, x = 0, y = 0] = item.transform;
    const size = Math.hypot(c, d) || item.height || 1;
    // pdf.js fills a gap on a line with a blank run as wide as the gap: a space, not text that reaches across.
    if (item.str && !item.str.trim()) {
      if (cur && !/\s$/.test(cur.text)) cur.text += ' ';
      if (item.hasEOL) close();
      continue;
    }
    if (
      cur &&
      (Math.abs(y - cur.y) > 0.5 * Math.max(size, cur.size) || x - cur.end > SEGMENT_GAP * Math.max(size, cur.size))
    )
      close();
    if (!cur) cur = { text: '', x, y, size, end: x };
    else if (item.str && x - cur.end > 0.2 * size && !/\s$/.test(cur.text) && !/^\s/.test(item.str)) cur.text += ' ';
    if (item.str) {
      cur.text += item.str;
      cur.end = Math.max(cur.end, x + (item.width ?? 0));
      cur.size = Math.max(cur.size, size);
    }
    if (item.hasEOL) close();
  }
  close();
  return readingOrder(segments);
}

/** `Math.max(...xs)` without spreading (a page of 200,000 pieces would overflow the stack). */
const maxOf = (xs: number[]) => xs.reduce((m, x) => (x > m ? x : m), -Infinity);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const byHeight = (a: Line, b: Line) => b.y - a.y || a.x - b.x;
const sameRow = (a: Line, b: Line) => Math.abs(a.y - b.y) <= 0.5 * Math.max(a.size, b.size);
/** Most PDFs draw their text in reading order: where no columns are found, that order is kept. */
const inDrawingOrder = (ls: Line[]) => [...ls].sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));

/**
 * Segments in reading order. Where a clear vertical gutter runs between two blocks of prose
 * side by side, the page is read as columns: each band between lines that cross the gutter (a
 * title, a wide paragraph, a table's rows) is read left column first, then the right
 * (recursively, for three). Without one, the page is cut at wide bands of white space and the
 * parts tried again (a single-column top above two columns). Elsewhere the drawing order stands,
 * and `rows` makes the lines.
 */
function readingOrder(segments: Line[], depth = 0): Line[] {
  const split = depth < 4 ? findGutter(segments) : undefined;
  if (!split) {
    const blocks = depth < 4 ? blocksOf(segments) : [segments];
    if (blocks.length > 1 && blocks.some((b) => findGutter(b)))
      return blocks.flatMap((b) => readingOrder(inDrawingOrder(b), depth + 1));
    return rows(segments);
  }
  const { at } = split;
  const isLeft = (s: Line) => s.end <= at;
  const isRight = (s: Line) => s.x >= at;
  const measureOf = (side: Line[]) => maxOf(side.map((s) => s.end - s.x));
  const leftMeasure = measureOf(segments.filter(isLeft));
  const rightMeasure = measureOf(segments.filter(isRight));
  const measured = (ls: Line[], m: number) => ls.map((l) => ({ ...l, measure: Math.min(l.measure ?? m, m) }));
  // A row of short pieces on both sides that lines up with the next or previous one is a table's row, not two columns.
  const groups = baselineGroups(segments);
  const shortRow = (g: Line[] | undefined) =>
    !!g && g.some(isLeft) && g.some(isRight) && g.every((s) => (s.text.match(/\p{L}{2,}/gu) ?? []).length < 4);
  const across = groups.map(
    (g, i) =>
      g.some((s) => !isLeft(s) && !isRight(s)) ||
      (shortRow(g) &&
        ((shortRow(groups[i - 1]) && aligned(g, groups[i - 1])) ||
          (shortRow(groups[i + 1]) && aligned(g, groups[i + 1])))),
  );
  const out: Line[] = [];
  let band: Line[] = [];
  let wide: Line[] = [];
  const flush = () => {
    const side = (keep: (s: Line) => boolean) => readingOrder(inDrawingOrder(band.filter(keep)), depth + 1);
    if (band.length) out.push(...measured(side(isLeft), leftMeasure), ...measured(side(isRight), rightMeasure));
    if (wide.length) out.push(...rows(inDrawingOrder(wide)));
    band = [];
    wide = [];
  };
  groups.forEach((g, i) => {
    if (across[i] ? band.length : wide.length) flush();
    (across[i] ? wide : band).push(...g);
  });
  flush();
  return out;
}

/** The segments cut where a band of white space (over two type sizes high) runs across them, top to bottom. */
function blocksOf(segments: Line[]): Line[][] {
  const size = median(segments.map((s) => s.size));
  const blocks: Line[][] = [];
  for (const s of [...segments].sort(byHeight)) {
    const b = blocks.at(-1);
    if (b && b.at(-1)!.y - s.y <= 2 * size) b.push(s);
    else blocks.push([s]);
  }
  return blocks;
}

/** Segments grouped by baseline, top to bottom, each group left to right. */
function baselineGroups(segments: Line[]): Line[][] {
  const groups: Line[][] = [];
  for (const s of [...segments].sort(byHeight)) {
    const g = groups.at(-1);
    if (g && sameRow(g[0]!, s)) g.push(s);
    else groups.push([s]);
  }
  for (const g of groups) g.sort((a, b) => a.x - b.x);
  return groups;
}

/**
 * Two rows of pieces line up when an inner edge of one (a piece's start after the first, its end
 * before the last, or its centre) is where an inner edge of the other is. The outer edges do not
 * count: the lines of a justified paragraph all share them.
 */
function aligned(a: Line[] | undefined, b: Line[] | undefined): boolean {
  if (!a || !b || a.length < 2 || b.length < 2) return false;
  const inner = (g: Line[]) =>
    g.flatMap((s, i) => [...(i > 0 ? [s.x] : []), ...(i < g.length - 1 ? [s.end] : []), (s.x + s.end) / 2]);
  const other = inner(b);
  return inner(a).some((e) => other.some((o) => Math.abs(o - e) <= 2));
}

/** A gutter: an x that (almost) no segment crosses, with prose on both sides at the same heights. */
function findGutter(segments: Line[]): { at: number } | undefined {
  if (segments.length < 6) return undefined;
  const size = median(segments.map((s) => s.size));
  const lo = -maxOf(segments.map((s) => -s.x));
  const hi = maxOf(segments.map((s) => s.end));
  const bins = Math.ceil(hi - lo);
  if (bins <= 0 || bins > 20_000) return undefined;
  const count = new Array<number>(bins + 1).fill(0);
  for (const s of segments)
    for (let b = Math.max(0, Math.floor(s.x - lo)); b < Math.min(bins, Math.ceil(s.end - lo)); b++) count[b]!++;
  // Lines that cross (titles, wide paragraphs) are allowed, a few.
  const allowed = Math.floor(0.15 * segments.length);
  let best: { from: number; to: number } | undefined;
  for (let b = 0; b < bins;) {
    if (count[b]! > allowed) {
      b++;
      continue;
    }
    const from = b;
    while (b < bins && count[b]! <= allowed) b++;
    if (from > 0 && b < bins && b - from >= 0.8 * size && (!best || b - from > best.to - best.from))
      best = { from, to: b };
  }
  if (!best) return undefined;
  const at = lo + (best.from + best.to) / 2;
  const left = segments.filter((s) => s.end <= at);
  const right = segments.filter((s) => s.x >= at);
  // Prose, not table cells or code: several lines of several words on each side.
  const prose = (side: Line[]) => side.filter((s) => (s.text.match(/\p{L}{2,}/gu) ?? []).length >= 4);
  const [pl, pr] = [prose(left), prose(right)];
  if (pl.length < 3 || pr.length < 3) return undefined;
  // Side by side: the two blocks share heights (not one above the other).
  const top = Math.min(maxOf(pl.map((s) => s.y)), maxOf(pr.map((s) => s.y)));
  const bottom = Math.max(-maxOf(pl.map((s) => -s.y)), -maxOf(pr.map((s) => -s.y)));
  return top - bottom >= 2 * size ? { at } : undefined;
}

/** Segments drawn one after another on one baseline make one line (left to right); lines of pieces that line up are a table's rows. */
function rows(segments: Line[]): Line[] {
  const groups: Line[][] = [];
  for (const s of segments) {
    const g = groups.at(-1);
    if (g && sameRow(g[0]!, s)) g.push(s);
    else groups.push([s]);
  }
  for (const g of groups) g.sort((a, b) => a.x - b.x);
  return groups.map((g, i) => {
    const first = g[0]!;
    const cells = aligned(g, groups[i - 1]) || aligned(g, groups[i + 1]);
    const text = g.map((s) => s.text).join(cells ? '\t' : ' ');
    return {
      text,
      x: first.x,
      y: maxOf(g.map((s) => s.y)),
      size: maxOf(g.map((s) => s.size)),
      end: maxOf(g.map((s) => s.end)),
      ...(cells && { cells }),
    };
  });
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
  for (const page of pages)
    for (const key of new Set(edgeLines(page).map(runningKey))) seen.set(key, (seen.get(key) ?? 0) + 1);
  const needed = Math.min(3, pages.length);
  const out = new Set<Line>();
  for (const page of pages) {
    for (const l of edgeLines(page))
      if ((needed >= 2 && seen.get(runningKey(l))! >= needed) || PAGE_NUMBER.test(l.text)) out.add(l);
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
    // The line spacing: the most common step down (not the median, which short paragraphs with blank lines between push up).
    const steps = new Map<number, number>();
    lines.slice(1).forEach((l, i) => {
      const g = Math.round((lines[i]!.y - l.y) * 2) / 2;
      if (g > 0) steps.set(g, (steps.get(g) ?? 0) + 1);
    });
    const lineGap = [...steps].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0]?.[0] ?? 0;
    const width = Math.max(0, maxOf(lines.filter((l) => !skipped.has(l)).map((l) => l.end - l.x)));
    const widthAt = (l: Line) => l.measure ?? width;
    let prev: Line | undefined;
    for (const line of lines) {
      const own = skipped.has(line);
      const breaks =
        !prev ||
        own ||
        skipped.has(prev) ||
        !!line.cells ||
        !!prev.cells ||
        prev.y - line.y > 1.4 * lineGap ||
        prev.y - line.y < 0 ||
        Math.abs(line.size - prev.size) > 0.15 * prev.size ||
        line.x > prev.x + 0.8 * line.size ||
        (ENDS_SENTENCE.test(prev.text) && prev.end - prev.x < 0.85 * widthAt(prev));
      if (prev) text += breaks ? '\n\n' : /\p{L}-$/u.test(prev.text) && /^\p{Ll}/u.test(line.text) ? '' : ' ';
      if (own) skip.push({ start: text.length, end: text.length + line.text.length });
      text += line.text;
      prev = line;
    }
    pageSpans.push({ start: pageStart, end: text.length });
  }
  return { text, pages: pageSpans, skip };
}
