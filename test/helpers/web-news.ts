/**
 * Invented local-news articles for the web-source tests, each with a question only it answers,
 * and a loopback news site that serves them with a feed (`newsroom`).
 */
import { articlePage, rssFeed, serve, type Site } from './web-site.js';

export interface NewsItem {
  slug: string;
  title: string;
  paragraphs: string[];
  question: string;
  /** Words the answer's quote must hold. */
  answer: RegExp;
}

export const NEWS: Record<'dam' | 'festival' | 'ferry' | 'bridge' | 'library', NewsItem> = {
  dam: {
    slug: 'harrowby-dam-opens',
    title: 'Harrowby Dam opens after four years of work',
    paragraphs: [
      'The new Harrowby Dam stands 48 metres tall and took four years to build, the regional water board said on Tuesday.',
      'Engineers began filling the reservoir behind the dam in March, and the lake is expected to reach its full level by the end of the summer.',
      'The water board said the reservoir will supply about 90,000 homes in the valley during dry months.',
      'Local farmers, who lost grazing land to the lake, will receive compensation under an agreement signed last year.',
    ],
    question: 'How tall is the Harrowby Dam?',
    answer: /48 metres tall/,
  },
  festival: {
    slug: 'lantern-festival-record',
    title: 'Record crowd at Wexcombe lantern festival',
    paragraphs: [
      'More than 12,000 people attended the Wexcombe lantern festival on Saturday night, organisers said.',
      'Hundreds of paper lanterns were carried through the old town before being floated on the harbour at midnight.',
      'The organisers said the crowd was the largest since the festival began in 1987, and thanked volunteers who cleared the harbour the next morning.',
      'Next year the festival will move to the first weekend of October to avoid clashing with the regatta.',
    ],
    question: 'How many people attended the Wexcombe lantern festival?',
    answer: /12,000 people/,
  },
  ferry: {
    slug: 'corran-ferry-timetable',
    title: 'Corran Point ferry to run more often',
    paragraphs: [
      'The Corran Point ferry will run every twenty minutes from June, the operator announced on Monday.',
      'The crossing currently runs every forty minutes, and passengers have complained of long queues in the summer.',
      'A second vessel, bought from an operator in Norway, will join the route after its refit is finished.',
      'Fares will stay the same until at least the end of the year, the operator said.',
    ],
    question: 'How often will the Corran Point ferry run from June?',
    answer: /every twenty minutes/,
  },
  bridge: {
    slug: 'idle-footbridge',
    title: 'Footbridge over the Idle to open in September',
    paragraphs: [
      'A new footbridge over the river Idle will open to walkers in September, the council confirmed on Thursday.',
      'The steel bridge links the riverside path to the railway station and replaces a crossing washed away by floods two winters ago.',
      'Cyclists will have to dismount on the bridge, which is only two metres wide.',
      'The council said the project came in under its budget of 1.2 million pounds.',
    ],
    question: 'When will the footbridge over the river Idle open?',
    answer: /open to walkers in September/,
  },
  library: {
    slug: 'millbrook-library-hours',
    title: 'Millbrook library extends its opening hours',
    paragraphs: [
      'The Millbrook library will stay open until 9pm on weekdays from next month, the library trust said.',
      'Students had asked for longer hours during the exam season, when the reading room is often full by mid-afternoon.',
      'The trust will pay for the extra staff with a grant from a local housing association.',
      'Saturday opening hours will not change.',
    ],
    question: 'Until what time will the Millbrook library stay open on weekdays?',
    answer: /until 9pm on weekdays/,
  },
};

/**
 * A news site serving every article of NEWS at `/news/<slug>` and a feed at `/feed.xml`, as the
 * test changes them: `items` (the feed, in order), `gone` (slugs answering 410), `text` (an
 * article's paragraphs now).
 */
export interface Newsroom {
  items: NewsItem[];
  gone: Set<string>;
  text: Map<string, string[]>;
  url(item: NewsItem): string;
  feedUrl: string;
}

export function newsroom(site: Site, items: NewsItem[], title = 'Valley Courier'): Newsroom {
  const room: Newsroom = {
    items,
    gone: new Set(),
    text: new Map(Object.values(NEWS).map((i) => [i.slug, i.paragraphs])),
    url: (item) => `${site.origin}/news/${item.slug}`,
    feedUrl: `${site.origin}/feed.xml`,
  };
  for (const item of Object.values(NEWS))
    site.routes.set(`/news/${item.slug}`, (req, res) =>
      room.gone.has(item.slug)
        ? void res.writeHead(410).end()
        : serve(() => articlePage(item.title, room.text.get(item.slug)!))(req, res),
    );
  site.routes.set(
    '/feed.xml',
    serve(
      () =>
        rssFeed(
          title,
          room.items.map((i) => ({ title: i.title, link: `/news/${i.slug}` })),
        ),
      'application/rss+xml',
    ),
  );
  return room;
}
