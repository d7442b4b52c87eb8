/**
 * Web pages and PDFs made for the tests: real-world page furniture around an article, and
 * multi-page PDFs written with pdf-lib, with running headers and footers on every page.
 */
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { encryptPdf, type EncryptOptions } from './pdf-encrypt.js';

/** Furniture every test page carries; none of it may ever be quoted. */
export const PAGE_FURNITURE = [
  'Home',
  'World news',
  'Business desk',
  'We use cookies to personalise content and ads and to analyse our traffic.',
  'Accept all cookies',
  'Share on Facebook',
  'Share on Twitter',
  'Related stories',
  'Celebrity chef opens third restaurant in the harbour district',
  'Ten weekend walks with a view of the sea',
  'window.dataLayer',
  'font-family',
  'Sign up for our morning newsletter',
  'All rights reserved',
];

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** A paragraph's own line breaks become `<br>`, as a page shows them. */
const lines = (s: string) => esc(s).replace(/\n/g, '<br>\n');

/** A text file (a scraped page's dump) as the page it came from: each block of lines a paragraph. */
export function textAsHtml(text: string, title: string): string {
  const blocks = text
    .split(/\n\s*\n/)
    .map((b) => b.trim())
    .filter(Boolean);
  return htmlPage({ title, paragraphs: blocks, headline: false });
}

/** A news story for the page tests. */
export const ARTICLE = [
  'The council voted on Tuesday to close the old bridge to traffic, citing a report that found serious corrosion in its steel supports.',
  'Engineers said repairs would take at least two years and cost about 40 million dollars, and that a ferry service would run in the meantime.',
  'Residents of the east bank said the closure would double their commute, and a petition against it has gathered 3,000 signatures.',
  '“We were told this bridge would last another fifty years,” said Maria Lopez, who runs a bakery near the crossing.',
  'The ferry will leave every twenty minutes from the old customs pier, starting on the first Monday of next month.',
];

/** A three-page report for the PDF tests, and its running header and footer. */
export const REPORT = [
  {
    heading: 'Water use in the valley, 2025',
    paragraphs: [
      'Households in the valley used 142 litres of water per person per day in 2025, eight litres less than the year before.',
      'The board credits the fall to the new smart meters, which now read the supply of nine homes in ten every hour.',
    ],
  },
  {
    paragraphs: [
      'Reservoir levels stayed above sixty percent for the whole summer, the highest figure since the board began keeping records in 1978.',
      'Leaks in the old cast-iron mains still waste about a fifth of the water the board treats, and replacing them will take until 2032.',
    ],
  },
  {
    paragraphs: [
      'Water prices will rise by 3.5 percent in April to pay for the new treatment works at Miller’s Ford.',
      'Customers on the social tariff will see no increase, and the board will write to each of them before the end of February.',
    ],
  },
];
export const REPORT_HEADER = 'Valley Water Board — Annual Report 2025';
export const REPORT_FOOTER = 'Valley Water Board';

export interface PageSpec {
  title: string;
  paragraphs: string[];
  url?: string;
  published?: string;
  site?: string;
  /** A headline above the article, as pages show it. */
  headline?: boolean;
}

/** An HTML page: head with metadata, scripts and styles; nav, cookie banner, the article with a share bar in it, related list, footer. */
export function htmlPage(p: PageSpec): string {
  const meta = [
    p.url ? `<link rel="canonical" href="${esc(p.url)}">` : '',
    p.published ? `<meta property="article:published_time" content="${esc(p.published)}">` : '',
    p.site ? `<meta property="og:site_name" content="${esc(p.site)}">` : '',
  ].join('\n');
  const paragraphs = p.paragraphs.map((t, i) =>
    // Inline styles and inline markup in the article, as CMS output has.
    i % 3 === 1
      ? `<p style="margin:0 0 1em; font-family: Georgia">${lines(t).replace(/^(\S+)/, '<em>$1</em>')}</p>`
      : `<p>${lines(t)}</p>`,
  );
  const half = Math.ceil(paragraphs.length / 2);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(p.title)} | The Daily Example</title>
${meta}
<style>body { font-family: Helvetica, sans-serif } .share a { color: #333 }</style>
<script>window.dataLayer = window.dataLayer || []; function gtag(){ dataLayer.push(arguments); }</script>
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Organization","name":"The Daily Example"}</script>
</head><body>
<header class="site-header"><nav class="main-nav"><ul><li><a href="/">Home</a></li><li><a href="/world">World news</a></li><li><a href="/business">Business desk</a></li></ul></nav></header>
<div id="cookie-banner" class="cookie-consent"><p>We use cookies to personalise content and ads and to analyse our traffic.</p><button>Accept all cookies</button></div>
<main><article class="story">
${p.headline === false ? '' : `<h1>${esc(p.title)}</h1>`}
<div class="share-bar"><a href="#">Share on Facebook</a> <a href="#">Share on Twitter</a></div>
${paragraphs.slice(0, half).join('\n')}
<div class="newsletter-promo"><p>Sign up for our morning newsletter</p></div>
${paragraphs.slice(half).join('\n')}
<script>document.querySelectorAll('.story p').forEach(function (p) { p.dataset.read = 'no'; });</script>
</article>
<aside class="related"><h2>Related stories</h2><ul>
<li><a href="/a">Celebrity chef opens third restaurant in the harbour district</a></li>
<li><a href="/b">Ten weekend walks with a view of the sea</a></li></ul></aside>
</main>
<footer><p>© 2026 The Daily Example. All rights reserved.</p></footer>
</body></html>`;
}

export interface PdfPage {
  paragraphs: string[];
  /** A heading above the paragraphs. */
  heading?: string;
}

/** A PDF with a running header and footer ("… page N of M") on every page, body text wrapped to the column. */
export async function makePdf(
  pages: PdfPage[],
  opts: { header?: string; footer?: string; title?: string } = {},
): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  if (opts.title) pdf.setTitle(opts.title);
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const size = 11;
  const width = 595 - 2 * 60;
  pages.forEach((spec, i) => {
    const page = pdf.addPage([595, 842]);
    if (opts.header) page.drawText(opts.header, { x: 60, y: 800, size: 9, font });
    let y = 750;
    if (spec.heading) {
      page.drawText(spec.heading, { x: 60, y, size: 16, font: bold });
      y -= 32;
    }
    for (const para of spec.paragraphs) {
      for (const line of wrap(para, (s) => font.widthOfTextAtSize(s, size), width)) {
        page.drawText(line, { x: 60, y, size, font });
        y -= 14;
      }
      y -= 10;
    }
    page.drawText(`${opts.footer ?? 'Report'} · page ${i + 1} of ${pages.length}`, { x: 60, y: 40, size: 8, font });
  });
  return pdf.save();
}

function wrap(text: string, widthOf: (s: string) => number, max: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && widthOf(next) > max) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/**
 * The same PDF really encrypted (RC4, standard security handler; see pdf-encrypt.ts) with a user
 * password: what a password-protected PDF is. `userPassword: ''` gives an owner-restricted file
 * anyone can open.
 */
export function encryptedPdf(bytes: Uint8Array, opts: Partial<EncryptOptions> = {}): Promise<Uint8Array> {
  return encryptPdf(bytes, { userPassword: 'open sesame', ownerPassword: 'owner secret', ...opts });
}
