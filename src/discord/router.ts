/**
 * The interaction router: commands (slash and message context-menu) are loaded from `commands/`
 * into a Collection (as in the discord.js guide), buttons go to buttons.ts, forms to conversation.ts. `handle` never throws: a failing handler gets an
 * ephemeral apology and a log line with the interaction id. In-flight handlers are tracked so
 * shutdown can wait for them (`drain`), and new interactions are turned away while closing.
 */
import { readdir } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Collection, type Interaction, type RepliableInteraction } from 'discord.js';
import { handleButton } from './buttons.js';
import { handleFollowUpForm } from './conversation.js';
import { errorFields } from '../core/log.js';
import { send } from './respond.js';
import { isMessageCommand, type AnyCommand, type BotContext, type HandlerResult } from './types.js';
import { APOLOGY, renderNotice } from '../message/rendered.js';

const COMMANDS_DIR = new URL('../../commands/', import.meta.url);

function isCommand(mod: unknown): mod is AnyCommand {
  const m = mod as Partial<AnyCommand> | null;
  return (
    !!m &&
    typeof m.execute === 'function' &&
    !!m.data &&
    typeof m.data.name === 'string' &&
    typeof m.data.toJSON === 'function'
  );
}

/** Loads every command module in `commands/` (works from the sources under vitest and from dist/). */
export async function loadCommands(dir: URL = COMMANDS_DIR): Promise<Collection<string, AnyCommand>> {
  const commands = new Collection<string, AnyCommand>();
  const files = (await readdir(fileURLToPath(dir))).filter((f) => {
    if (f.endsWith('.d.ts') || f.endsWith('.map')) return false;
    return ['.js', '.ts'].includes(extname(f));
  });
  // Prefer compiled .js when both exist.
  const byBase = new Map<string, string>();
  for (const f of files.sort()) {
    const base = f.slice(0, -extname(f).length);
    if (!byBase.has(base) || f.endsWith('.js')) byBase.set(base, f);
  }
  for (const f of byBase.values()) {
    const mod: unknown = await import(pathToFileURL(fileURLToPath(new URL(f, dir))).href);
    if (!isCommand(mod)) throw new Error(`commands/${f} must export data and execute`);
    commands.set(mod.data.name, mod);
  }
  return commands;
}

export class Router {
  private readonly inFlight = new Set<Promise<void>>();
  private closing = false;

  constructor(
    private readonly ctx: BotContext,
    readonly commands: Collection<string, AnyCommand>,
  ) {}

  /** Handlers still running. */
  get busy(): number {
    return this.inFlight.size;
  }

  /** Entry point for every interaction; never rejects. */
  handle(interaction: Interaction): Promise<void> {
    const task = this.run(interaction);
    this.inFlight.add(task);
    void task.finally(() => this.inFlight.delete(task));
    return task;
  }

  /** Stop taking new work and wait (bounded) for running handlers. Resolves true when all finished. */
  async drain(timeoutMs: number): Promise<boolean> {
    this.closing = true;
    if (this.inFlight.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), timeoutMs)));
    const all = Promise.allSettled([...this.inFlight]).then(() => true as const);
    const done = await Promise.race([all, timeout]);
    clearTimeout(timer);
    return done;
  }

  private describe(i: Interaction): { kind: string; command: string } {
    if (i.isChatInputCommand()) return { kind: 'command', command: i.commandName };
    if (i.isMessageContextMenuCommand()) return { kind: 'message_command', command: i.commandName };
    if (i.isModalSubmit()) return { kind: 'form', command: i.customId.split(':')[0]!.slice(0, 20) };
    if (i.isAutocomplete()) return { kind: 'autocomplete', command: i.commandName };
    if (i.isButton()) return { kind: 'button', command: i.customId.split(':')[0]!.slice(0, 20) };
    return { kind: 'other', command: String(i.type) };
  }

  private async run(i: Interaction): Promise<void> {
    const started = performance.now();
    const { kind, command } = this.describe(i);
    let result: HandlerResult;
    try {
      result = await this.dispatch(i);
    } catch (err) {
      this.ctx.log.error('handler_failed', { id: i.id, kind, command, ...errorFields(err) });
      await this.apologize(i);
      result = { outcome: 'error' };
    }
    this.ctx.log.info('interaction', {
      id: i.id,
      kind,
      command,
      latency_ms: Math.round(performance.now() - started),
      outcome: result.outcome,
      answered: result.answered,
    });
  }

  private async dispatch(i: Interaction): Promise<HandlerResult> {
    if (this.closing) {
      if (i.isAutocomplete()) {
        await i.respond([]);
      } else if (i.isRepliable()) {
        await send(i, renderNotice('The bot is restarting; please try again in a moment.'));
      }
      return { outcome: 'closing' };
    }
    if (i.isChatInputCommand()) {
      const cmd = this.commands.get(i.commandName);
      if (!cmd || isMessageCommand(cmd)) {
        await send(i, renderNotice('I do not know that command.'));
        return { outcome: 'unknown_command' };
      }
      return cmd.execute(i, this.ctx);
    }
    if (i.isMessageContextMenuCommand()) {
      const cmd = this.commands.get(i.commandName);
      if (!cmd || !isMessageCommand(cmd)) {
        await send(i, renderNotice('I do not know that command.'));
        return { outcome: 'unknown_command' };
      }
      return cmd.execute(i, this.ctx);
    }
    if (i.isModalSubmit()) return handleFollowUpForm(i, this.ctx);
    if (i.isAutocomplete()) {
      const cmd = this.commands.get(i.commandName);
      if (!cmd || isMessageCommand(cmd) || !cmd.autocomplete) {
        await i.respond([]);
        return { outcome: 'no_autocomplete' };
      }
      return cmd.autocomplete(i, this.ctx);
    }
    if (i.isButton()) return handleButton(i, this.ctx);
    return { outcome: 'ignored' };
  }

  private async apologize(i: Interaction): Promise<void> {
    try {
      if (i.isAutocomplete()) {
        if (!i.responded) await i.respond([]);
        return;
      }
      if (!i.isRepliable()) return;
      await send(i as RepliableInteraction, renderNotice(APOLOGY), {
        publicNote: renderNotice('Sorry, I could not finish this answer.', false),
      });
    } catch (err) {
      this.ctx.log.warn('apology_failed', { id: i.id, ...errorFields(err) });
    }
  }
}
