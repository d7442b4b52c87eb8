import { isProbablyReaderable, Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { CAPS, over } from './caps.js';
import { cleanMeta, Unreadable, type Extracted } from './extracted.js';
import { checkHtmlShape } from './html-scan.js';
import { decodeText } from './text.js';

/**
 * An HTML page: the article found by Mozilla's Readability (Firefox's reader view) over a
 * linkedom DOM, written out as plain text, one paragraph per block, with the page's title,
 * canonical URL, site name and publication date. Readability leaves some furniture inside
 * the article (a cookie notice, a share bar): cleaning, which runs next, handles that.
 * A page past the limits of caps.ts (size, elements, depth) is refused before it is parsed.
 */
export function extractHtml(bytes: Uint8Array): Extracted {
  if (bytes.length > CAPS.htmlMb * 2 ** 20) throw over.htmlSize(bytes.length);
  const html = decodeText(bytes, declaredCharset(bytes));
  checkHtmlShape(html);
  const { document } = parseHTML(html);
  // Read before Readability, which rewrites the document as it works.
  const url = absoluteUrl(
    attr(document, 'link[rel~="canonical" i]', 'href') ?? attr(document, 'meta[property="og:url"]', 'content'),
  );
  // A page of links, menus and notices only: firmer than Readability, which returns whatever it finds.
  if (!isProbablyReaderable(document as never, { minContentLength: 100, minScore: 10 }))
    throw new Unreadable('has no article text');
  let article;
  try {
    article = new Readability(document as never, {
      serializer: (node) => node,
      maxElemsToParse: CAPS.htmlElements,
    }).parse();
  } catch (err) {
    if (/^Aborting parsing document/.test((err as Error).message)) throw over.elements();
    throw err;
  }
  const text = article?.content ? blockText(article.content as unknown as DomNode) : '';
  if (!/\p{L}/u.test(text)) throw new Unreadable('has no article text');
  const published =
    article?.publishedTime && !Number.isNaN(Date.parse(article.publishedTime)) ? article.publishedTime : undefined;
  return {
    format: 'html',
    text,
    meta: cleanMeta({
      title: withoutSiteName(article?.title, article?.siteName),
      outlet: article?.siteName,
      url,
      published,
    }),
  };
}

/** The little of the DOM the text walk needs (the project compiles without the DOM library). */
interface DomNode {
  nodeType: number;
  nodeName: string;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
}

interface QueryRoot {
  querySelector(selector: string): { getAttribute(name: string): string | null } | null;
}

function attr(document: unknown, selector: string, name: string): string | undefined {
  return (document as QueryRoot).querySelector(selector)?.getAttribute(name) ?? undefined;
}

/** "Council shuts bridge | The Daily" → "Council shuts bridge" when the page names its site "The Daily". */
function withoutSiteName(title: string | null | undefined, site: string | null | undefined): string | undefined {
  if (!title || !site) return title ?? undefined;
  const at = title.lastIndexOf(site);
  const head = title.slice(0, at).replace(/\s+[|–—:·-]\s*$/u, '');
  return at > 0 && at + site.length === title.length && head !== title.slice(0, at) && head.trim()
    ? head.trim()
    : title;
}

function absoluteUrl(href: string | undefined): string | undefined {
  if (!href) return undefined;
  try {
    const u = new URL(href.trim());
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined; // relative or malformed: the page does not say where it lives
  }
}

/** The charset a page declares in its first kilobyte (`<meta charset>` or `http-equiv`), as browsers look for it. */
function declaredCharset(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  return /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head)?.[1];
}

const BLOCKS = new Set(
  'ADDRESS ARTICLE ASIDE BLOCKQUOTE CAPTION DD DETAILS DIALOG DIV DL DT FIELDSET FIGCAPTION FIGURE FOOTER FORM H1 H2 H3 H4 H5 H6 HEADER HR LI MAIN NAV OL P PRE SECTION SUMMARY TABLE TBODY THEAD TFOOT TR UL'.split(
    ' ',
  ),
);
const SKIPPED = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'svg', 'SVG', 'BUTTON', 'SELECT', 'IFRAME']);

/**
 * Text as a browser lays it out, in paragraphs: every block element starts a new paragraph
 * (blank line between), `<br>` a new line, table cells are separated by a space, and runs of
 * white space fold to one space except in `<pre>`.
 */
export function blockText(root: DomNode): string {
  const paragraphs: string[] = [];
  let current = '';
  const flush = () => {
    const p = current.replace(/[ \t\r\f]*\n[ \t\r\f]*/g, '\n').replace(/^\s+|\s+$/g, '');
    if (p) paragraphs.push(p);
    current = '';
  };
  const walk = (node: DomNode, pre: boolean) => {
    if (node.nodeType === 3) {
      const t = node.textContent ?? '';
      current += pre ? t : t.replace(/[ \t\n\r\f]+/g, ' ');
      return;
    }
    if (node.nodeType !== 1 && node.nodeType !== 9 && node.nodeType !== 11) return;
    const name = node.nodeName.toUpperCase();
    if (SKIPPED.has(name)) return;
    if (name === 'BR') {
      current += '\n';
      return;
    }
    const block = BLOCKS.has(name);
    if (block) flush();
    if (name === 'TD' || name === 'TH') current += ' ';
    for (const child of Array.from(node.childNodes)) walk(child, pre || name === 'PRE');
    if (block) flush();
  };
  walk(root, false);
  flush();
  // A space folded next to a line break is not text.
  return paragraphs.map((p) => p.replace(/ +\n|\n +/g, '\n').replace(/ {2,}/g, ' ')).join('\n\n');
}
