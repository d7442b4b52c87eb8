/**
 * Quotation rules, in one place: how a quotation opens and closes, who said it, and when the
 * sentence next to it carries its speaker. The cleaner, the focus marker and the passage builder
 * all read these, so a quotation is the same thing at every stage.
 */
import { SPEECH_VERB } from './english.js';

/** A line that is one quotation from its first character to its last. */
export const WHOLE_QUOTATION = /^["“‘][^"“”]+["”’]$/u;

/** A quotation attributed to a pronoun (`“…,” he said.`): it needs the sentence that names the speaker. */
export const PRONOUN_ATTRIBUTION =
  /["”’]\s*(?:he|she|they|it|we)\s+(?:said|says|added|adds|told|continued|wrote|insisted|argued|noted|warned|explained|declared|stressed)\b|["”’]\s*(?:said|added|continued)\s+(?:he|she)\b/i;

/** The sentence goes on with what "he" or "she" said: "She said the group had…", "He added that…". */
export const PRONOUN_SAYS = new RegExp(`^(?:he|she)\\s+(?:also\\s+|later\\s+|then\\s+)?${SPEECH_VERB.source}`, 'i');

/** A sentence that opens on a pronoun refers back to the sentence before it. */
export const PRONOUN_START = /^["“‘]?(?:he|she|they|it|his|her|their|its|this|these|those)\b/i;

/** Right after a name, a speech verb, maybe after an apposition: "Solberg said", "Moss, a farmer, said". */
export const SPEECH_AFTER_NAME = new RegExp(
  `^(?:,\\s*(?:the|an?|who|\\p{L}+['’]s)\\s[^,.]{1,80},)?\\s+(?:has\\s+|had\\s+|also\\s+|later\\s+|then\\s+)?${SPEECH_VERB.source}`,
  'iu',
);
/** Right before a name, the end of a quotation and its speech verb: "…,” said Folake Adebayo". */
export const SPEECH_BEFORE_NAME = new RegExp(`[,"”’]\\s*${SPEECH_VERB.source}\\s+$`, 'i');

/** A sentence that opens a quotation of its own. */
export const OPENS_QUOTATION = /^["“]/;

/**
 * The text with its double-quoted stretches replaced (by `replacement`): what the writer says in
 * their own voice. `text.replace(/[“"][^”"]*[”"]/g, replacement)` in one pass: the regular
 * expression re-scans to the end of the text from every opening quote that is never closed.
 */
export function withoutQuotations(text: string, replacement = ''): string {
  let out = '';
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '“' && c !== '"') continue;
    let j = i + 1;
    while (j < text.length && text[j] !== '”' && text[j] !== '"') j++;
    // No closing mark after this opening one: none after any later one either.
    if (j >= text.length) break;
    out += text.slice(at, i) + replacement;
    at = j + 1;
    i = j;
  }
  return out + text.slice(at);
}

/** The text has a double quote of any kind. */
export function hasQuotation(s: string): boolean {
  return /[“”"]/.test(s);
}

/** Opening minus closing double quotes; straight quotes count as opening at a word start. */
export function quoteBalance(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '“') n++;
    else if (ch === '”') n--;
    else if (ch === '"') n += i === 0 || /[\s(\[—–-]/.test(s[i - 1]!) ? 1 : -1;
  }
  return n;
}
