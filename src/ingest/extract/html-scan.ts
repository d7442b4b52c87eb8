/**
 * A count of an HTML page's elements and how deep they nest, in one pass over the markup and
 * before any parsing: linkedom and Readability take seconds on pages nested a few hundred deep
 * (60,000 nested `<div>`s: 9 s to parse alone). Void elements and those whose end tag may be left
 * out (`<p>`, `<li>`, table cells…) do not count towards the depth, so a page that leaves them
 * open is not taken for a deep one. Throws `Unreadable` past the limits of caps.ts.
 */
import { CAPS, over } from './caps.js';

const NO_DEPTH = new Set(
  'area base br col embed hr img input link meta param source track wbr p li dt dd tr td th option optgroup thead tbody tfoot colgroup rp rt'.split(
    ' ',
  ),
);
/** Elements whose content is text, not markup: their `<` are not tags. */
const RAW = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'noscript']);

export function checkHtmlShape(html: string): void {
  const lower = html.toLowerCase();
  let elements = 0;
  let depth = 0;
  for (let i = lower.indexOf('<'); i >= 0 && i < lower.length; i = lower.indexOf('<', i + 1)) {
    if (lower.startsWith('<!--', i)) {
      const end = lower.indexOf('-->', i + 4);
      if (end < 0) return;
      i = end + 2;
      continue;
    }
    const closing = lower[i + 1] === '/';
    const name = /^[a-z][a-z0-9-]*/.exec(lower.slice(i + (closing ? 2 : 1), i + 40))?.[0];
    if (!name) continue;
    const close = lower.indexOf('>', i);
    if (close < 0) return;
    if (closing) {
      if (!NO_DEPTH.has(name)) depth = Math.max(0, depth - 1);
      i = close;
      continue;
    }
    if (++elements > CAPS.htmlElements) throw over.elements();
    if (!NO_DEPTH.has(name) && lower[close - 1] !== '/' && ++depth > CAPS.htmlDepth) throw over.depth();
    i = close;
    if (RAW.has(name)) {
      const end = lower.indexOf(`</${name}`, close);
      if (end < 0) return;
      i = end - 1;
    }
  }
}
