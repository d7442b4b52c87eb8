/**
 * The limits on reading one collection file or upload, and the one line a file past one gets
 * ("Skipped x.pdf: it has 2,400 pages, over the 2,000-page limit."). Reading runs in a worker
 * (src/ingest/isolate.ts) under the time and memory limits; the extractors check the others as
 * they go, so a file past a limit stops early instead of being read in full first.
 */
import { Unreadable } from './extracted.js';

export const CAPS = {
  /** Time to read one file (extract, and for an upload, clean and chunk it). */
  timeoutMs: 30_000,
  /** The reading worker's JavaScript heap. */
  heapMb: 512,
  /** Growth of the process's resident memory while one file is read (decoded PDF streams live outside the heap). */
  memoryMb: 768,
  /** Text of any one file, in characters (10 million: some 4,000 pages of prose). */
  textChars: 10_000_000,
  pdfPages: 2_000,
  /** One PDF stream, decoded (a page's drawing, a font): a compressed stream can inflate a thousandfold. */
  pdfStreamMb: 64,
  /** All of a PDF's streams but pictures, decoded, a page's drawing counted once for each page that draws it. */
  pdfDecodedMb: 256,
  htmlMb: 5,
  /** Elements of one page (a long article has a few thousand; Readability's `maxElemsToParse`). */
  htmlElements: 100_000,
  /** Elements inside one another: Readability's time grows steeply with depth (400 levels: 7 s). */
  htmlDepth: 200,
} as const;

/** Part of the extraction cache's key: a file refused under other limits is read again. */
export const CAPS_KEY = Object.values(CAPS).join('-');

const n = (x: number) => x.toLocaleString('en-US');

/** The refusals, each naming its limit. */
export const over = {
  time: (ms: number = CAPS.timeoutMs) => new Unreadable(`took more than ${ms / 1000} s to read (the limit)`),
  memory: () => new Unreadable(`needs more than ${CAPS.memoryMb} MB of memory to read (the limit)`),
  text: () => new Unreadable(`has more than ${n(CAPS.textChars)} characters of text (the limit)`),
  pages: (pages: number) => new Unreadable(`has ${n(pages)} pages, over the ${n(CAPS.pdfPages)}-page limit`),
  stream: () => new Unreadable(`has a stream that decodes to more than ${CAPS.pdfStreamMb} MB (the limit)`),
  decoded: () =>
    new Unreadable(`decodes to more than ${CAPS.pdfDecodedMb} MB, counting what each page draws (the limit)`),
  htmlSize: (bytes: number) =>
    new Unreadable(`is ${Math.ceil(bytes / 2 ** 20)} MB of HTML, over the ${CAPS.htmlMb} MB limit`),
  elements: () => new Unreadable(`has more than ${n(CAPS.htmlElements)} HTML elements (the limit)`),
  depth: () => new Unreadable(`nests HTML elements more than ${CAPS.htmlDepth} deep (the limit)`),
};
