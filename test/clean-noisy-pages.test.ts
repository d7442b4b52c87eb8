import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cleanCollection, REPO, type Cleaned } from './helpers/tmp-collection.js';

/**
 * Six more scraped pages, written by someone who had not seen the cleaner, each with another
 * site's furniture: TV-station and sports layouts, paywall meters, cookie banners, author bios,
 * correction notes, podcast promos, reader comments, copyright footers. Labels name the
 * headline, every article line, and the junk written as whole sentences (the hard kind).
 */
const DIR = path.join(REPO, 'test/fixtures/noisy-pages');
const labels = JSON.parse(readFileSync(path.join(DIR, 'labels.json'), 'utf8')) as Record<
  string,
  { headline: string; article: string[]; junk_sentences: string[] }
>;
/** Article lines a reader quotes: sentences (a subheading is not a quote). */
const isSentence = (line: string) => /[.!?]["'”’)]*$/u.test(line.trim()) && line.trim().split(/\s+/).length >= 4;

let pages: Map<string, Cleaned>;
beforeAll(async () => {
  pages = await cleanCollection(DIR);
});
const kept = (id: string) => {
  const { clean } = pages.get(id)!;
  return clean.paragraphs.map((p) => clean.doc.text.slice(p.start, p.end));
};

describe.each(Object.keys(labels))('cleaning the noisy page %s', (id) => {
  const { headline, article, junk_sentences } = labels[id]!;

  it('finds the headline, not a dateline, caption or banner', () => {
    expect(pages.get(id)!.clean.title).toBe(headline.trim());
  });

  it.each(article.filter(isSentence))('keeps the article sentence: %s', (line) => {
    expect(kept(id).some((p) => p.includes(line.trim()))).toBe(true);
  });

  it.each(junk_sentences)('never keeps the junk sentence: %s', (line) => {
    expect(kept(id).filter((p) => p.includes(line.trim()))).toEqual([]);
  });
});

const fold = (s: string) => s.replace(/\s+/g, ' ').trim();

interface Labels {
  headline: string;
  article_sentences: string[];
  junk_sentences: string[];
}

/** A labelled batch: its labels, and the kept paragraphs of each page once `beforeAll` has cleaned them. */
function batch(folder: string) {
  const dir = path.join(REPO, 'test/fixtures', folder);
  const labels = JSON.parse(readFileSync(path.join(dir, 'labels.json'), 'utf8')) as Record<string, Labels>;
  let pages: Map<string, Cleaned>;
  beforeAll(async () => {
    pages = await cleanCollection(dir);
  });
  const title = (id: string) => pages.get(id)!.clean.title;
  const keptText = (id: string) => {
    const { clean } = pages.get(id)!;
    return clean.paragraphs.map((p) => fold(clean.doc.text.slice(p.start, p.end)));
  };
  /** Article snippets kept and junk snippets kept, over the whole batch. */
  const totals = () => {
    let article = 0,
      articleKept = 0,
      junk = 0,
      junkKept = 0;
    for (const [id, l] of Object.entries(labels)) {
      const kept = keptText(id);
      article += l.article_sentences.length;
      articleKept += l.article_sentences.filter((s) => kept.some((p) => p.includes(fold(s)))).length;
      junk += l.junk_sentences.length;
      junkKept += l.junk_sentences.filter((s) => kept.some((p) => p.includes(fold(s)))).length;
    }
    return { article: articleKept / article, junk: junkKept / junk };
  };
  return { dir, labels, title, keptText, totals };
}

/**
 * A batch cleaned without a fault: every headline, every article paragraph, no junk, or as close
 * as `known` says (headlines still wrong, the least share of article kept, the most junk kept).
 */
interface Known {
  wrongHeadlines?: string[];
  /** The least share of article snippets kept. */
  article?: number;
  /** The most share of junk snippets kept. */
  junk?: number;
}

function allRight(folder: string, headlineNote: string, known: Known = {}) {
  const { labels, title, totals } = batch(folder);
  it.each(Object.keys(labels).filter((id) => !known.wrongHeadlines?.includes(id)))(
    `finds the headline of %s, ${headlineNote}`,
    (id) => {
      expect(title(id)).toBe(labels[id]!.headline.trim());
    },
  );
  it(`keeps ${known.article ? 'nearly ' : ''}every article paragraph and ${known.junk ? 'almost ' : ''}none of the junk`, () => {
    const { article, junk } = totals();
    expect(article).toBeGreaterThanOrEqual(known.article ?? 1);
    expect(junk).toBeLessThanOrEqual(known.junk ?? 0);
  });
}

/**
 * A second batch by the same kind of outside writer, harder still: a page without blank lines,
 * one hard-wrapped at 80 columns, live blogs, sponsored blocks, polls, appeals, app prompts.
 * Labels give a snippet of every article paragraph and of every junk block written as prose.
 * Some of that "junk" is news in another format (live-blog entries, an embedded post), so the
 * body is held to floors (measured: 78/79 article snippets kept, 10/48 junk snippets kept).
 */
describe('cleaning the second batch of noisy pages', () => {
  const { labels: labels2, title, keptText, totals } = batch('noisy-pages-2');

  it.each(Object.keys(labels2))('finds the headline of %s', (id) => {
    expect(title(id)).toBe(labels2[id]!.headline.trim());
  });

  it('keeps nearly all article text and little of the junk', () => {
    const kept = totals();
    expect(kept.article).toBeGreaterThanOrEqual(0.95);
    expect(kept.junk).toBeLessThanOrEqual(0.25);
  });

  it('finds the article again after an interruption too long to bridge (a poll, a "you might also like" box)', () => {
    const after = {
      'm2.txt': 'Talks between the two sides are due to resume',
      'm5.txt': 'neighbouring hospitals had received 41 diverted ambulances',
    };
    for (const [id, line] of Object.entries(after)) {
      expect(labels2[id]!.article_sentences).toContain(line);
      expect(
        keptText(id).some((p) => p.includes(line)),
        `${id}: ${line}`,
      ).toBe(true);
    }
  });

  it('never keeps a newsletter, appeal, poll or app prompt', () => {
    const furniture =
      /inbox|support us|contribution|have your say|this poll|download the|get the .* app|translated from|amended on/i;
    for (const [id, l] of Object.entries(labels2)) {
      const kept = keptText(id);
      for (const s of l.junk_sentences.filter((x) => furniture.test(x)))
        expect(
          kept.filter((p) => p.includes(fold(s))),
          `${id}: ${s}`,
        ).toEqual([]);
    }
  });
});

/**
 * A third batch by another outside writer, who saw neither the cleaner nor the earlier batches:
 * mid-article modules after which the article goes on, comment sections, story lists on the
 * same topic, a page without blank lines, one hard-wrapped. Measured on first sight (cleaner
 * v7): 3 of 6 headlines wrong, 1/74 article snippets dropped, 15/68 junk snippets kept; the
 * fixes it prompted (standfirsts, page fields, share bars, story lists, polls, "co-sponsored")
 * bring that to 0 and 0, so it is no longer a blind test.
 */
describe('cleaning the third batch of noisy pages', () => {
  const { labels: labels3, title, keptText } = batch('noisy-pages-3');

  it.each(Object.keys(labels3))('finds the headline of %s, not its standfirst, a page field or a share bar', (id) => {
    expect(title(id)).toBe(labels3[id]!.headline.trim());
  });

  it.each(Object.keys(labels3))('keeps every article paragraph of %s, after mid-article modules too', (id) => {
    const kept = keptText(id);
    for (const s of labels3[id]!.article_sentences)
      expect(
        kept.some((p) => p.includes(fold(s))),
        s,
      ).toBe(true);
  });

  it.each(Object.keys(labels3))('keeps none of the comments, story lists, polls, adverts or blurbs of %s', (id) => {
    const kept = keptText(id);
    for (const s of labels3[id]!.junk_sentences)
      expect(
        kept.filter((p) => p.includes(fold(s))),
        s,
      ).toEqual([]);
  });
});

/**
 * A fourth batch, blind like the third: key-fact bullets inside the article, video captions,
 * "Name for Publication" photo credits, pull quotes, a tabloid page without blank lines.
 * First sight (cleaner v8): 2 of 6 headlines wrong, 20/89 article snippets dropped, 3/123 junk
 * kept. After the fixes it prompted: 1 headline wrong, 8 dropped, 2 kept — all on the tabloid
 * page (q2), whose article is cut four times (caption, video, poll, ranked list) with no blank
 * line anywhere, so only its last stretch is found. Held to floors, not to perfection.
 */
describe('cleaning the fourth batch of noisy pages', () => {
  const { dir: DIR4, labels: labels4, title, keptText, totals } = batch('noisy-pages-4');

  it('finds the headlines (all but the tabloid page)', () => {
    const right = Object.keys(labels4).filter((id) => title(id) === labels4[id]!.headline.trim());
    expect(right.length).toBeGreaterThanOrEqual(5);
  });

  it('keeps key-fact bullets inside the article as content', () => {
    for (const id of ['q1.txt', 'q4.txt', 'q6.txt']) {
      const bullets = labels4[id]!.article_sentences.filter((s) =>
        readFileSync(path.join(DIR4, id), 'utf8')
          .split('\n')
          .some((l) => /^[-•]/.test(l) && l.includes(s)),
      );
      expect(bullets.length, id).toBeGreaterThan(0);
      for (const s of bullets)
        expect(
          keptText(id).some((p) => p.includes(fold(s))),
          s,
        ).toBe(true);
    }
  });

  it('keeps nearly all article text and almost none of the junk', () => {
    const kept = totals();
    expect(kept.article).toBeGreaterThanOrEqual(0.9);
    expect(kept.junk).toBeLessThanOrEqual(0.03);
  });
});

/**
 * Blind batches 5–13: six site shapes each, written by outside writers who never saw the cleaner,
 * measured on first sight, then held to what the cleaner does now (all headlines, all article
 * text, no junk, or the known shortfall).
 */
const blindBatches: { batch: number; headlines: string; known?: Known }[] = [
  // A fifth blind batch: six more site styles (metro daily, broadsheet, business wire, sports,
  // science magazine, public broadcaster), two pages without blank lines, one hard-wrapped.
  // First sight (cleaner v9): every article paragraph kept, 2/89 junk snippets kept, but 4 of 6
  // headlines wrong (a byline with its role or outlet, a long time stamp, two share bars).
  { batch: 5, headlines: 'not a byline, time stamp or share bar' },
  // A sixth blind batch, aimed at the top of the page: kickers, Title Case, ALL CAPS and question
  // headlines, standfirsts with and without a full stop, bylines in many forms ("Words by …",
  // "A and B in City"), captions above the headline. First sight (cleaner v11): 0/68 article
  // snippets dropped, 4/49 junk kept, 2 of 6 headlines wrong (two bylines).
  { batch: 6, headlines: 'among kickers, standfirsts and bylines' },
  // A seventh blind batch of six site shapes: a live blog, a regional page without blank lines,
  // a magazine feature with a pull quote and a sign-up box, a wire story on a portal, a print
  // page, a broadcaster page with "Image caption," labels. First sight (cleaner v12): 1/89 article
  // snippets dropped, 2/78 junk kept, 4 of 6 headlines wrong (an entry heading, a share bar with a
  // comment count, a print stamp, a caption).
  // One live-blog entry heading is not kept.
  { batch: 7, headlines: 'not a live entry, print stamp, share bar or caption', known: { article: 88 / 89 } },
  // An eighth blind batch aimed at page tops again: a match report, a press release and a council
  // notice without blank lines, an opinion column with a kicker, a Q&A interview, a newsletter
  // post. First sight (cleaner v13): 0/94 article snippets dropped, 3/80 junk kept, 3 of 6
  // headlines wrong (a share bar with "·", a reading-list button, an "On this page" entry).
  { batch: 8, headlines: 'past kickers, standfirsts, buttons and contents lists' },
  // A ninth blind batch: a US TV station page, a Markdown scrape, a financial page without blank
  // lines, a news wiki, a tabloid of one-sentence paragraphs, a translated page. First sight
  // (cleaner v14): 0/85 article snippets dropped, 0/80 junk kept, 3 of 6 headlines wrong (a
  // "Now Playing:" video label, a standfirst as long as its headline, a "Tags:" line).
  { batch: 9, headlines: 'past video labels, tags, translation notes and standfirsts' },
  // A tenth blind batch: a broadsheet page with its browser tab title, a university press release
  // and a radio station page without blank lines, a trade magazine behind a registration prompt,
  // a legal report, a feed reader. First sight (cleaner v16): 0/86 article snippets dropped, 0/79
  // junk kept, 3 of 6 headlines wrong (a department label, a feed's source line, and a legal
  // report's 18-word headline in two parts under a fact box).
  { batch: 10, headlines: 'not a department label, a feed source line or a fact box field' },
  // An eleventh blind batch: a WordPress blog, a web-archive capture and a forum thread without
  // blank lines, text from a PDF weekly, an email digest, a mobile page. First sight (cleaner
  // v17): 5 of 6 headlines right, 1/89 article snippets dropped (a sentence saying "his share on"
  // read as a share prompt), 7/77 junk kept (a digest's other stories, a forum reply). Still kept:
  // the forum reply written right under the quoted article, in the poster's own voice.
  { batch: 11, headlines: 'past archive bars, digests and app banners', known: { junk: 1 / 77 } },
  // A twelfth blind batch, shapes of the writer's choosing: a Canadian public broadcaster, an Indian
  // city page and a cricket site without blank lines, a science news site with field labels, a
  // syndicated business wire, a hyperlocal page with alt texts. First sight (cleaner v19): 0/81
  // article snippets dropped, 3/73 junk kept, 4 of 6 headlines wrong (a caption under text-size
  // buttons, a field value, a credited caption, an alt text). Still kept: a hyperlocal site's promo.
  { batch: 12, headlines: 'past captions, field values, taglines and alt texts', known: { junk: 1 / 73 } },
  // A thirteenth blind batch, measured last: a New Zealand daily, a tech site and an arts magazine
  // without blank lines, a health site, a motoring site, a business daily with a paywall. First
  // sight (cleaner v20): 0/85 article snippets dropped, 4/73 junk kept, 2 of 6 headlines wrong (a
  // read time, a menu of sections). Still kept: a tech site's newsletter line and an embedded post.
  { batch: 13, headlines: 'past menus, read times and paywall labels', known: { junk: 2 / 73 } },
];

describe.each(blindBatches)('cleaning blind batch $batch', ({ batch, headlines, known }) => {
  allRight(`noisy-pages-${batch}`, headlines, known);
});
