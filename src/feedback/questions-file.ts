/**
 * The question log in local files: one folder per server (`<guild id>/`, the base in `base/`) of
 * one JSON-lines file per day (`YYYY-MM-DD.jsonl`, UTC, by the record's time). Reading a server's
 * insights opens only that server's folder; retention removes whole past days, so it never
 * rewrites a file another process (a shard) may be appending to. Appends are serialized in this
 * process and grouped per file; a line cut short by a crash is ended before the next one.
 */
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { jsonLines } from './jsonl.js';
import { QuestionRecordSchema, type QuestionLog, type QuestionRecord } from './questions.js';

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;
const FOLDER = /^(\d{15,22}|base)$/;

const folderOf = (guild: string | null): string => {
  if (guild === null) return 'base';
  if (!/^\d{15,22}$/.test(guild)) throw new Error('not a server id');
  return guild;
};
const dayOf = (t: Date | string): string => new Date(t).toISOString().slice(0, 10);

export function fileQuestionLog(root: string): QuestionLog {
  let pending: { file: string; line: string; done: (err?: unknown) => void }[] = [];
  let writing: Promise<void> | undefined;
  /** Files whose last byte was checked by this process. */
  const checked = new Set<string>();

  const appendTo = async (file: string, text: string): Promise<void> => {
    await mkdir(join(file, '..'), { recursive: true });
    const fh = await open(file, 'a+');
    try {
      if (!checked.has(file)) {
        const { size } = await fh.stat();
        const last = Buffer.alloc(1);
        if (size > 0) await fh.read(last, 0, 1, size - 1);
        if (size > 0 && last[0] !== 0x0a) text = '\n' + text;
        checked.add(file);
      }
      await fh.write(text);
    } finally {
      await fh.close();
    }
  };

  const flush = async (): Promise<void> => {
    while (pending.length) {
      const batch = pending;
      pending = [];
      const byFile = new Map<string, typeof batch>();
      for (const b of batch) byFile.set(b.file, [...(byFile.get(b.file) ?? []), b]);
      for (const [file, items] of byFile) {
        try {
          await appendTo(file, items.map((b) => b.line).join(''));
          for (const b of items) b.done();
        } catch (err) {
          for (const b of items) b.done(err);
        }
      }
    }
    writing = undefined;
  };

  return {
    where: root,
    record(q: QuestionRecord) {
      const parsed = QuestionRecordSchema.parse(q);
      const file = join(root, folderOf(parsed.guild), `${dayOf(parsed.at)}.jsonl`);
      return new Promise<void>((resolve, reject) => {
        pending.push({ file, line: JSON.stringify(parsed) + '\n', done: (err) => (err ? reject(err) : resolve()) });
        writing ??= flush();
      });
    },
    async read(guild, since) {
      await writing;
      const dir = join(root, folderOf(guild));
      const from = dayOf(since);
      let names: string[];
      try {
        names = await readdir(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
      const out: QuestionRecord[] = [];
      for (const name of names.sort()) {
        const day = DAY_FILE.exec(name)?.[1];
        if (!day || day < from) continue;
        const raw = await readFile(join(dir, name), 'utf8').catch(() => '');
        for (const json of jsonLines(raw)) {
          const r = QuestionRecordSchema.safeParse(json);
          if (r.success && r.data.guild === guild && Date.parse(r.data.at) >= since.getTime()) out.push(r.data);
        }
      }
      return out.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
    },
    async prune(before) {
      await writing;
      const cutoff = dayOf(before);
      let removed = 0;
      let folders: string[];
      try {
        folders = (await readdir(root)).filter((f) => FOLDER.test(f));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
        throw err;
      }
      for (const folder of folders) {
        for (const name of await readdir(join(root, folder)).catch(() => [] as string[])) {
          const day = DAY_FILE.exec(name)?.[1];
          if (!day || day >= cutoff) continue;
          await rm(join(root, folder, name), { force: true });
          removed++;
        }
      }
      return removed;
    },
    async close() {
      await writing;
    },
  };
}
