/**
 * The default feedback store: one JSON line per event, appended to a local file. Appends are
 * serialized and grouped: events that arrive while a write is under way go out together in the
 * next single write, followed by an fsync, so a burst of votes loses none and a vote
 * acknowledged to a member is on disk. Reading keeps the last vote per member per answer.
 * Votes are keyed with the secret in `<file>.key` (secret.ts), made on first use.
 */
import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileSecret } from './secret.js';
import {
  FeedbackEventSchema,
  memberKey,
  lastVotes,
  type AnswerRecord,
  type FeedbackLog,
  type FeedbackStore,
  type Vote,
} from './store.js';

export function jsonlFeedbackStore(path: string): FeedbackStore {
  let pending: { line: string; done: (err?: unknown) => void }[] = [];
  let writing: Promise<void> | undefined;
  let handle: Promise<FileHandle> | undefined;
  let secret: Promise<string> | undefined;

  const file = () =>
    (handle ??= (async () => {
      await mkdir(dirname(path), { recursive: true });
      const fh = await open(path, 'a+');
      // A line cut short by a crash is ended, so the next event starts a line of its own.
      const { size } = await fh.stat();
      if (size > 0) {
        const last = Buffer.alloc(1);
        await fh.read(last, 0, 1, size - 1);
        if (last[0] !== 0x0a) await fh.write('\n');
      }
      return fh;
    })().catch((err: unknown) => {
      handle = undefined; // try again on the next event
      throw err;
    }));

  const flush = async (): Promise<void> => {
    while (pending.length) {
      const batch = pending;
      pending = [];
      try {
        const fh = await file();
        await fh.write(batch.map((b) => b.line).join(''));
        await fh.datasync();
        for (const b of batch) b.done();
      } catch (err) {
        for (const b of batch) b.done(err);
      }
    }
    writing = undefined;
  };

  const append = (event: AnswerRecord | Vote): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      pending.push({ line: JSON.stringify(event) + '\n', done: (err) => (err ? reject(err) : resolve()) });
      writing ??= flush();
    });

  return {
    where: path,
    recordAnswer: (record) => append(record),
    recordVote: (vote) => append(vote),
    async memberKey(answer, member) {
      secret ??= fileSecret(`${path}.key`).catch((err: unknown) => {
        secret = undefined; // tried again on the next vote
        throw err;
      });
      return memberKey(await secret, answer, member);
    },
    async read(opts = {}): Promise<FeedbackLog> {
      await writing;
      let raw: string;
      try {
        raw = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { answers: [], votes: [], skipped: 0 };
        throw err;
      }
      const answers: AnswerRecord[] = [];
      const votes: Vote[] = [];
      let skipped = 0;
      for (const json of jsonLines(raw, () => skipped++)) {
        const ev = FeedbackEventSchema.safeParse(json);
        if (!ev.success) skipped++;
        else if (opts.guild !== undefined && ev.data.guild !== opts.guild) continue;
        else if (ev.data.type === 'answer') answers.push(ev.data);
        else votes.push(ev.data);
      }
      return { answers, votes: lastVotes(votes), skipped };
    },
    async close() {
      await writing;
      const h = handle;
      handle = undefined;
      if (h) await (await h.catch(() => undefined))?.close();
    },
  };
}

/** The values of a JSON-lines text; a line that is not JSON (cut short by a crash) is passed to `bad` and skipped. */
export function* jsonLines(raw: string, bad: (line: string) => void = () => {}): Generator<unknown> {
  for (const line of raw.split('\n')) {
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      bad(line);
      continue;
    }
    yield value;
  }
}
