/**
 * Links that take the reader to the quote: the page's URL with a text fragment
 * (`#:~:text=start,end`, which browsers scroll to and highlight), or `#page=N` for a PDF's page.
 * A long quote is named by its first and last words, a short one whole; the parts are
 * percent-encoded as the text-fragment spec requires (`-`, `,` and `&` included) and so are
 * parentheses, so the link can stand inside Discord's `[text](url)`.
 */

/** Words each end of a long quote is named by. */
const END_WORDS = 5;
/** A quote of at most this many words is named whole. */
const WHOLE_WORDS = 10;
/** A Discord message's link (a document added with "Add to sources"). */
const DISCORD_MESSAGE = /^https:\/\/discord\.com\/channels\/\d+\/\d+\/\d+$/;
/** Longer links are given without the fragment (or not at all): they would crowd quotes out of a message. */
export const MAX_LINK = 600;

const encodePart = (s: string) =>
  encodeURIComponent(s).replace(
    /[-!'()*~,&]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );

/** The page URL (its own fragment dropped) safe inside a markdown link. */
function pageOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    u.hash = '';
    return u.href.replace(/[()\s]/g, (c) => encodeURIComponent(c).replace('(', '%28').replace(')', '%29'));
  } catch {
    return undefined;
  }
}

/** `#:~:text=…` naming `quote`. */
export function textFragment(quote: string): string {
  const words = quote.split(/\s+/).filter(Boolean);
  if (words.length <= WHOLE_WORDS) return `#:~:text=${encodePart(words.join(' '))}`;
  const start = words.slice(0, END_WORDS).join(' ');
  const end = words.slice(-END_WORDS).join(' ');
  return `#:~:text=${encodePart(start)},${encodePart(end)}`;
}

/**
 * Where a citation's title links to: its page, at the quote (a text fragment) or at the PDF's
 * page; undefined for a document without an http(s) URL.
 */
export function citationLink(c: { url?: string; quote: string; page?: number }): string | undefined {
  const page = c.url ? pageOf(c.url) : undefined;
  if (!page || page.length > MAX_LINK) return undefined;
  // A message added from Discord: its link opens the message itself, where a text fragment means nothing.
  if (DISCORD_MESSAGE.test(page)) return page;
  const link = page + (c.page ? `#page=${c.page}` : textFragment(c.quote));
  return link.length <= MAX_LINK ? link : page;
}
