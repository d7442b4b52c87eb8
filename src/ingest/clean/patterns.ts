/**
 * The line patterns of page furniture and of article structure: UI phrases, credits, captions,
 * bylines, datelines, labels, menus, list items, and what a junk line costs. General web vocabulary only.
 */
import { MONTH_NAME } from '../../text/english.js';

/** Page furniture: phrases that are about using the page, not about the news. */
export const UI_PATTERNS: RegExp[] = [
  // "Sign in", "Sign up for our newsletter", "By signing up", not "1,200 students sign up".
  /^sign(?:ing)? (?:me )?(?:in|up|out)\b|\bsign(?:ing)? (?:me )?(?:in|up|out) (?:for (?:our|the|a|free)|to (?:our|get|receive|read|continue|comment)|here|now|today)\b|\bby signing (?:up|in)\b/i,
  // A button: "[ Sign me up ]", "[Submit]".
  /^\[[^\]]{1,40}\]$/,
  /\blog(?:ging)? ?(?:in|out)\b/i,
  /\bregist(?:er|ering|ration)\b/i,
  /\b(?:create|manage) (?:an |your )?account\b/i,
  /\bpassword\b/i,
  /\bnewsletters?\b/i,
  /\b(?:un)?subscri(?:be|ption|ber)s?\b/i,
  /\bcookies?\b/i,
  /\bprivacy (?:policy|settings|notice)\b/i,
  /\bterms (?:of|and) (?:service|use|conditions)\b/i,
  /©/,
  /\b(?:click|tap) (?:here|to)\b/i,
  // "Share on Facebook", not "his share on a trip".
  /\bshare (?:this|via)\b|\bshare on (?:facebook|twitter|x|whatsapp|linkedin|e-?mail|social)\b/i,
  /\bfollow us\b/i,
  // A share bar, in any order, perhaps with a comment count or a second language ("Imprimir / Print").
  /^(?:(?:\p{L}+\s*\/\s*)?(?:share|tweet|post|facebook|twitter|x|linkedin|whatsapp|reddit|pinterest|telegram|flipboard|messenger|sms|e-?mail|print|text|copy|link|save|bookmark|comments?|[\d.,]+k?\s+comments?|a[+−-]?)(?![\p{L}\p{N}])[\s|·•,:/]*){3,}$/iu,
  /^(?:save|add) (?:this )?(?:to|for) (?:(?:your|my) )?(?:reading list|later|favou?rites|list)$/i,
  /^(?:tags?|topics|related topics|categories|filed under|keywords|source)\s*:/i,
  /^(?:next|previous|prev|up next)(?: (?:article|story|post))?\s*[›»>:]/i,
  // An image's alternative text: "Jane Doe's profile picture".
  /\b(?:profile (?:picture|photo|image)|headshot|avatar|badge)$/i,
  // A digest's section label: other stories follow.
  /^(?:in other news|other news|more news|news in brief|in brief|elsewhere|also today|what['’]s on)\s*:?$/i,
  /\bdownload (?:the|our) app\b/i,
  /\badvertis(?:ement|ing)\b/i,
  /\b(?:skip|jump) to\b/i,
  /\b(?:main|footer) (?:content|navigation|menu)\b/i,
  /\b(?:read|load|show|view) (?:more|all)\b/i,
  /\b(?:show|view|hide|post|leave a) comments?\b/i,
  /\bcomments? \(\d+\)/i,
  /\bcomments? (?:are|is) (?:now )?(?:closed|disabled|open)\b/i,
  /\bpremium (?:access|content|member)/i,
  /\benter your e-?mail\b/i,
  /\b(?:most|more) (?:read|popular|viewed|shared)\b/i,
  /\brelated (?:content|stories|articles|coverage|news)\b/i,
  /\bmore (?:stories|from|on this)\b/i,
  /\baccessibility\b/i,
  /\bbreaking news\b/i,
  /\b(?:gift|save|print|email|share|listen to) (?:this )?(?:article|story)\b/i,
  /\bfollow (?:us|me|him|her|them)\b/i,
  /(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+/,
  /\b(?:additional )?reporting by\b|\breported from\b|\bcontributed (?:to )?(?:this )?report/i,
  /\bunlimited (?:digital )?access\b/i,
  /\bnever miss a (?:story|thing)\b/i,
  /\bour (?:reporters|journalists|journalism|newsroom|standards|editorial (?:standards|guidelines|policy|code))\b/i,
  /\b(?:you (?:might|may) (?:also )?like|recommended for you|explore more|what to read next|key events)\b/i,
  /\b(?:terms apply|free delivery|book (?:now|early)|switch today|first month free|limited offer|free trial|try (?:\p{Lu}[\p{L}-]* )?(?:it )?(?:for )?free)\b/iu,
];

/**
 * Furniture that is a whole sentence, often a long one: a copyright notice, a paywall meter,
 * a correction note about "this article", an author's bio, a "Listen:" promo. Each counts as two
 * signals, enough to mark even a long line.
 */
export const STRONG_UI_PATTERNS: RegExp[] = [
  /\bcopyright\b|\ball rights reserved\b|\bmay not be (?:re)?(?:published|produced|broadcast|distributed|redistributed)\b/i,
  /\bfree (?:articles?|stories)\b|\byou(?:'|’)ve (?:read|reached)\b.*\b(?:articles?|stories|limit)\b/i,
  /\b(?:an earlier|a previous) version of this (?:article|story|report)\b|\bthis (?:article|story|report) (?:has been|was) (?:updated|corrected|amended)\b/i,
  /^\p{Lu}[\p{L}'’\-]+(?:\s+\p{Lu}[\p{L}'’\-]+)+\s+(?:is|was)\s+(?:an?|the|(?:\p{Lu}[\p{L}-]*\s+)+?\p{Lu}[\p{L}-]*['’]s)\s+(?:[\p{L}-]+\s+){0,3}(?:reporter|correspondent|writer|editor|columnist|journalist|contributor|producer)\b/u,
  /^\p{Lu}[\p{L}'’\-]+(?:\s+\p{Lu}[\p{L}'’\-]+)+\s+(?:covers|writes about|reports on)\b.*\bfor\s+(?:the\s+)?\p{Lu}/u,
  /^(?:live|listen|watch|podcast|video|related|read more|also read|recommended|sponsored|now playing|up next)\s*[:|]/i,
  /\bsupport (?:us|our (?:journalism|reporting|work))\b|\b(?:monthly|one-off|regular) contribution\b|\bbecom(?:e|ing) an? (?:supporter|subscriber)\b|\bif you value (?:what we do|our (?:work|journalism|reporting))\b/i,
  // "Have your say below", not the headline "Have your say on the new speed limits".
  /\bhave your say\b(?:\s*(?:[:.!]|below|in the comments|on this (?:story|article))|\s*$)|\bvote now\b|\bthis poll\b/i,
  /\bforward-looking statements?\b|\bactual results (?:may|could) differ\b/i,
  /\b(?:in|to) your inbox\b|\bwe will never share your\b/i,
  /\b(?:download|get) (?:the|our) (?:[\p{L}&'’-]+ ){0,4}app\b/iu,
  /\bstrict (?:sourcing|editorial) (?:guidelines|standards)\b/i,
  /\bthis (?:article|story) was (?:originally |first )?(?:translated|amended|corrected|updated|published)\b/i,
  // Only as a label: news often reports a bill "sponsored by" or "co-sponsored" by someone.
  /^(?:sponsored|in partnership with|paid (?:post|content)|advertisement feature)\b|\bsponsored content\b/i,
  /^[—–-]\s*\p{Lu}.*\(@\w+\)/u,
];

/** Image captions and credits: "Photograph: Name/Agency", "Photo - Name". */
export const CREDIT =
  /\b(?:photo(?:graph)?s?|image|picture|illustration|credit|video)\s*[:\-–—|/]\s*\S|\((?:photo|photograph|image)s?\s+by\b|\b(?:getty images|shutterstock|alamy|ap photo|afp via)\b|^(?:photo(?:graph)?|image|video|footage)s?\s+(?:courtesy|credit|by)\b/i;

/** A caption that describes a picture: "A map showing …", "The new fish, photographed in …". */
export const CAPTION =
  /^(?:an?|the)\s+(?:\S+\s+){0,2}(?:map|photo(?:graph)?|image|picture|graphic|chart|screenshot|illustration|rendering|render|artist['’]s impression)\s+(?:showing|depicting|of)\b|^(?:an?|the)\s+(?:\S+\s+){0,4}?\S+,\s+(?:photographed|pictured|seen|shown)\b/i;

/** A sentence ends with . ! or ? possibly followed by closing quotes or brackets. */
export const ENDS_SENTENCE = /[.!?]["'”’»)\]]*$/u;
/** A teaser cut short: "…" or "..." right after a word or comma. */
export const TEASER = /[\p{L}\p{N},;]\s?(?:…|\.\.\.)["'”’]*$/u;
/** Not a headline: a byline ("By Name") or a short dateline ("April 2, 2025 at 6:05 PM EDT"). */
export const BYLINE =
  /^(?:\p{Lu}\p{Ll}+\s*\/\s*)?(?:[Bb][Yy]|(?:[Tt]ranslated|[Ww]ords|[Tt]ext|[Rr]eporting|[Ss]tory|[Ee]dited|[Ww]ritten|[Cc]ompiled|[Pp]osted|[Pp]roduced|[Ii]nterview(?:ed)?|[Pp]hotograph(?:s|y)?|[Pp]hotos|[Pp]ictures|[Ii]llustrations?) by):?\s+\p{Lu}/u;
/** A newsroom role on its own line: "Highlands and Islands reporter", "Political editor". */
export const ROLE_LINE =
  /^(?:\S+\s+){0,4}(?:[Rr]eporter|[Cc]orrespondent|[Ee]ditor|[Cc]olumnist|[Jj]ournalist|[Cc]ontributor)$/u;
/** A numeric date ("05/03/2026") marks a print or time stamp, not a headline. */
export const NUMERIC_DATE = /\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b/;
/** A caption label on its own line ("Image caption,", "Media caption:"): the next line is the caption. */
export const CAPTION_LABEL = /^(?:(?:image|media|photo|video|picture)\s+)?caption\s*[,:]?$/i;
/** "Live: …" before a headline. */
export const LIVE_HEADLINE = /^live\s*:\s*(?=\p{Lu})/iu;
/** A bare clock time ("17:48 GMT", "9.05am"): a live blog's entry stamp. */
export const CLOCK = /^\d{1,2}[:.]\d{2}(?:\s*(?:[ap]\.?m\.?|gmt|bst|utc|cet|[ecmp][sd]t))?$/i;
/** Names with a newsroom role or outlet: "Jane Doe Consumer affairs correspondent", "Jane Doe · City News", "Jane Doe and John Roe in Leeds". */
// (Names of at most 60 letters: a longer run would be read again from every hyphen in it.)
export const BYLINE_ROLE =
  /^\p{Lu}[\p{L}'’-]{1,60}(?:\s+\p{Lu}[\p{L}'’-]{1,60}){1,2}(?:[\s,|–—-]+(?:\S+\s+){0,4}(?:[Rr]eporter|[Cc]orrespondent|[Ee]ditor|[Ww]riter|[Cc]olumnist|[Jj]ournalist|[Cc]ontributor|[Pp]roducer)$|\s*[·|•/]\s*\p{Lu}|,?\s+and\s+\p{Lu}[\p{L}'’-]{1,60}(?:\s+\p{Lu}[\p{L}'’-]{1,60}){1,2}(?:\s+in\s+\p{Lu}[\p{L}\s'’-]*)?$)/u;
export const DATELINE = new RegExp(
  `\\b${MONTH_NAME}\\s+\\d{1,2}\\b|\\b\\d{1,2}\\s+${MONTH_NAME}(?:\\s|$)|\\b\\d{1,2}[:.]\\d{2}\\s*(?:[ap]\\.?m\\b|gmt|bst|utc|[ecmp][sd]t)|\\b\\d+\\s*(?:min(?:ute)?s?|hours?|hrs?|days?|weeks?)\\s+(?:ago|read|to read)\\b`,
  'i',
);
/** A time stamp line, however long: "Updated: Apr 3, 2025 …", "Last updated 2 hours ago". */
export const STAMP = /^(?:last )?(?:updated|published|posted|modified)\b/i;
/** A label in capitals before a colon: "BREAKING:", "LIVE:", "WATCH:". */
export const LABEL = /^\p{Lu}{3,}(?:\s\p{Lu}{2,})*\s*:/u;
/** A page field, "Reading time: 5 min", "Source: Reuters": a label and a short value. */
export const FIELD = /^\p{Lu}[\p{L} ]{0,24}:\s*(?:\S+\s*){1,3}$/u;
/** A menu: three or more items of one or two capitalised words between bars or dots. */
export const MENU =
  /^(?:\p{Lu}[\p{L}&'’-]*(?:\s+[\p{Lu}&][\p{L}'’-]*)?\s*[|·•/]\s*){2,}\p{Lu}[\p{L}&'’-]*(?:\s+[\p{Lu}&][\p{L}'’-]*)?$/u;
/** A line led by a label ("Court: …"), and a label alone on its line ("Source:"). */
export const LABELLED = /^\p{Lu}[\p{L} ]{0,24}:\s/u;
export const LABEL_ALONE = /^\p{Lu}[\p{L} ]{0,24}:$/u;
export const LIST_ITEM = /^[-•*·▪►]\s/u;
export const MD_HEADING = /^#{1,6}\s+\S/;

export const JUNK_LINE_COST = 20;
/** Section headings and list items are structure inside an article, not page furniture: they cost little. */
export const STRUCTURE_COST = 2;
export const UI_LINE_COST = 25;
/** A junk line right after another is part of the same interruption: it costs less. */
export const RUN_COST = 15;
