/**
 * A fake Discord on 127.0.0.1 (port 0) for tests and `npm run loadtest` (test/harness/loadtest.ts): no network.
 *
 * REST (`node:http`, base `fake.restUrl` = `http://127.0.0.1:PORT/api`, pass it as the client's
 * `rest.api`; discord.js appends `/v10`):
 *   GET  /gateway/bot, /gateway                       → the fake's ws URL (token checked on /gateway/bot)
 *   GET  /users/@me, /applications/@me                → the bot user / application
 *   PUT  /applications/{app}[/guilds/{g}]/commands    → command registration (stored in `registered`)
 *   POST /interactions/{id}/{token}/callback          → types 4,5,6,7,8 (204, or 200 with ?with_response=true)
 *   GET|PATCH|DELETE /webhooks/{app}/{token}/messages/{@original|id}
 *   POST /webhooks/{app}/{token}                      → follow-up
 *   PUT|DELETE /channels/{c}/messages/pins/{m}         → pin (what `message.pin()` calls in discord.js 14.28;
 *                                                        the legacy /channels/{c}/pins/{m} works too)
 *   GET  /channels/{c}/messages/pins                   → pinned messages
 *   GET  /attachments/{id}/{name}                      → an uploaded file's bytes (the CDN; outside /api)
 * Discord's rules that matter to a bot are enforced: one callback per interaction (40060), message limits
 * (50035, recorded in `violations`), the first follow-up after a defer replaces the placeholder with the
 * defer's visibility, pinning needs the bot's PIN_MESSAGES in the channel (`botPermissions`, 50013),
 * the channel's pin limit (`pinLimit`, 30003). `inject429` makes the next matching requests answer 429
 * with `Retry-After`. Every request is recorded in `requests` (method, path, query, body).
 *
 * Gateway (`ws`, `fake.gatewayUrl`): HELLO → IDENTIFY (token checked, 4004) → READY with the guild
 * unavailable → GUILD_CREATE with its channel and roles (so discord.js caches the channel and
 * `message.pin()` works); heartbeats are ACKed; RESUME replays events missed while disconnected and sends
 * RESUMED; `closeGateway(code)` drops the socket (e.g. 4000, resumable). Interactions sent while no
 * session is live are queued and delivered on READY/RESUMED. `holdGateway()` drops it and keeps the
 * gateway down (new sockets get no HELLO) until `releaseGateway()`.
 * `SendOptions.guildId` sends an interaction from another server (one the bot has no GUILD_CREATE for).
 *
 * Interactions: `sendCommand`, `sendAutocomplete`, `sendButton` (member permissions and
 * `app_permissions` per call; a `subcommand`; attachment options given as `FakeAttachment`, sent
 * as Discord does: the option's value is an id resolved in `data.resolved.attachments`, with a URL
 * on this server and a declared `size` that may lie) return a `FakeInteraction` whose `events`, `original` and `followUps`
 * fill in as the bot responds; `waitForReply`/`waitFor` await them.
 *
 * Conversations: `sendMessageCommand` (a message context-menu command: `data.type` 3, `target_id`, the
 * message in `data.resolved.messages`), a form opened with callback type 9 (kept in `modal`, checked
 * against Discord's modal limits), `sendModalSubmit` (interaction type 5, MODAL_SUBMIT, the values in
 * label components), `thread` on any send (the channel is a thread, type 11, under a parent), and
 * callback type 7 applied to the message the button was on. Messages go to the interaction's channel.
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { PermissionFlagsBits } from 'discord.js';
import { WebSocket, WebSocketServer } from 'ws';

export const EPHEMERAL = 64;

/** Permissions a member or the bot typically has in a text channel, with and without pinning. */
export const PERMS = {
  basic:
    PermissionFlagsBits.ViewChannel |
    PermissionFlagsBits.SendMessages |
    PermissionFlagsBits.ReadMessageHistory |
    PermissionFlagsBits.EmbedLinks,
  get withPin(): bigint {
    return this.basic | PermissionFlagsBits.PinMessages;
  },
  /** MANAGE_MESSAGES alone no longer allows pinning (split on 2026-02-23). */
  get manageNoPin(): bigint {
    return this.basic | PermissionFlagsBits.ManageMessages;
  },
};

export interface RecordedRequest {
  method: string;
  /** Path as received, without the query (e.g. `/api/v10/webhooks/1/abc/messages/%40original`). */
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** Files uploaded with a multipart request (name and text content). */
  files?: { name: string; content: string }[];
  status: number;
  at: number;
}

export interface FakeUser {
  id: string;
  username: string;
}

export interface FakeMessage {
  id: string;
  channel_id: string;
  content: string;
  embeds: Record<string, unknown>[];
  components: Record<string, unknown>[];
  flags: number;
  pinned: boolean;
  allowed_mentions: unknown;
  /** Interaction that created it. */
  interactionId: string;
  /** The server it was posted in (null: a DM; absent: the fake's own server). */
  guild_id?: string | null;
  /** false while it is a deferred "thinking…" placeholder. */
  ready: boolean;
}

export interface InteractionEvent {
  kind: 'callback' | 'edit' | 'followup' | 'delete';
  at: number;
  body: Record<string, unknown>;
  /** For follow-ups: whether it replaced the deferred placeholder. */
  replacedOriginal?: boolean;
}

export interface FakeInteraction {
  id: string;
  token: string;
  type: number;
  sentAt: number;
  events: InteractionEvent[];
  callbackType?: number;
  callbackAt?: number;
  /** The original response message (deferred placeholder or reply). */
  original?: FakeMessage;
  followUps: FakeMessage[];
  /** Autocomplete choices (callback type 8). */
  choices?: { name: string; value: string | number }[];
  /** Where it was sent: the server (null: a DM) and channel. */
  guildId: string | null;
  /** The form shown (callback type 9). */
  modal?: Record<string, unknown>;
  /** The channel the interaction came from. */
  channelId: string;
  /** The message a button was clicked on (a type 7 callback updates it). */
  messageId?: string;
}

/** A member's message in a channel, as a message command targets it. */
export interface FakeChatMessage {
  id?: string;
  content: string;
  author?: FakeUser;
  /** Default: the interaction's channel. */
  channelId?: string;
  embeds?: Record<string, unknown>[];
  /** Users the message mentions (`<@id>` in the content). */
  mentions?: FakeUser[];
}

export interface SendOptions {
  user?: FakeUser;
  /** Send the options inside this subcommand. */
  subcommand?: string;
  /** The member's permissions in the channel (as Discord computes them). Default PERMS.basic. */
  memberPermissions?: bigint;
  /** The bot's permissions in the channel as told to the app. Default: `botPermissions`. */
  appPermissions?: bigint;
  channelId?: string;
  /** Deliver to the gateway session of this shard (as for a guild on it) when the bot runs several. */
  shard?: number;
  /** The channel is a thread (type 11) under this parent channel. */
  thread?: { parentId: string };
  /** Send from this server (any snowflake: a second server the bot is in); null: from a DM with the bot. */
  guildId?: string | null;
}

/** A file a member attaches to a command option. */
export interface FakeAttachment {
  filename: string;
  content: Buffer | string;
  /** The size Discord declares (default: the real one). */
  size?: number;
  contentType?: string;
}

export type OptionValue = string | number | boolean | FakeAttachment;

export interface FakeDiscordOptions {
  token?: string;
  appId?: string;
  guildId?: string;
  channelId?: string;
  /** What the bot really has in the channel (enforced on pin). Default PERMS.withPin. */
  botPermissions?: bigint;
  pinLimit?: number;
  heartbeatIntervalMs?: number;
  /** Send GUILD_CREATE after READY (default true). */
  guildCreate?: boolean;
}

interface Session {
  id: string;
  /** The shard it identified as (0 when the bot does not shard). */
  shard: number;
  seq: number;
  socket?: WebSocket;
  /** Events sent, for RESUME replay (seq → payload). */
  sent: { s: number; payload: string }[];
}

interface Injection {
  method: string;
  match: RegExp;
  remaining: number;
  retryAfterS: number;
  global: boolean;
}

const DISCORD_EPOCH = 1420070400000n;

export class FakeDiscord extends EventEmitter {
  readonly token: string;
  readonly appId: string;
  readonly botUser: FakeUser;
  readonly guildId: string;
  readonly channelId: string;
  botPermissions: bigint;
  pinLimit: number;
  readonly requests: RecordedRequest[] = [];
  /** Message-limit violations found in bot payloads (should stay empty). */
  readonly violations: string[] = [];
  readonly interactions = new Map<string, FakeInteraction>();
  readonly messages = new Map<string, FakeMessage>();
  readonly registered: { path: string; body: unknown }[] = [];
  /** Uploaded files by attachment id, and how often each was downloaded. */
  readonly attachments = new Map<string, { filename: string; content: Buffer; downloads: number }>();
  identifies = 0;
  resumes = 0;
  heartbeats = 0;

  private readonly server: http.Server;
  private readonly wss: WebSocketServer;
  private port = 0;
  private counter = 0n;
  private session?: Session;
  /** Every shard's session when the bot identifies with a shard count above 1. */
  private readonly shardSessions = new Map<number, Session>();
  private readonly queued: { t: string; d: unknown; shard: number }[] = [];
  private readonly injections: Injection[] = [];
  private readonly commandIds = new Map<string, string>();
  private readonly opts: Required<Pick<FakeDiscordOptions, 'heartbeatIntervalMs' | 'guildCreate'>>;

  private constructor(opts: FakeDiscordOptions) {
    super();
    this.setMaxListeners(0);
    this.token = opts.token ?? 'fake-token-for-tests';
    this.appId = opts.appId ?? this.snowflake();
    this.botUser = { id: this.appId, username: 'quotebot' };
    this.guildId = opts.guildId ?? this.snowflake();
    this.channelId = opts.channelId ?? this.snowflake();
    this.botPermissions = opts.botPermissions ?? PERMS.withPin;
    this.pinLimit = opts.pinLimit ?? 250;
    this.opts = { heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 41_250, guildCreate: opts.guildCreate ?? true };
    this.server = http.createServer((req, res) => void this.onRequest(req, res));
    this.wss = new WebSocketServer({ server: this.server, path: '/gateway' });
    this.wss.on('connection', (ws) => this.onSocket(ws));
  }

  static async start(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const fake = new FakeDiscord(opts);
    await new Promise<void>((resolve, reject) => {
      fake.server.once('error', reject);
      fake.server.listen(0, '127.0.0.1', () => resolve());
    });
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  /** True while a gateway session is connected and identified/resumed. */
  get connected(): boolean {
    return this.session?.socket?.readyState === WebSocket.OPEN;
  }

  snowflake(): string {
    this.counter = (this.counter + 1n) & 0x3fffffn;
    return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | this.counter).toString();
  }

  async close(): Promise<void> {
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise<void>((r) => this.wss.close(() => r()));
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  // -------------------------------------------------------------------------------------------
  // Test controls

  /** Resolves when a client has identified (or already has). */
  async waitForReady(timeoutMs = 15_000): Promise<void> {
    if (this.connected) return;
    await this.until('ready', () => this.connected, timeoutMs);
  }

  /** Resolves when `count` shards have identified and are connected. */
  async waitForShards(count: number, timeoutMs = 60_000): Promise<void> {
    const open = () =>
      [...this.shardSessions.values()].filter((x) => x.socket?.readyState === WebSocket.OPEN).length >= count;
    if (open()) return;
    await this.until('ready', open, timeoutMs);
  }

  // --- gateway outage (ops tests): sockets opened while held wait for HELLO until released ---
  private gatewayHeld = false;
  private readonly heldSockets: WebSocket[] = [];

  /** Drop the gateway socket and keep the gateway down: reconnecting sockets get no HELLO. */
  holdGateway(code = 4000): void {
    this.gatewayHeld = true;
    this.closeGateway(code, 'fake: gateway down');
  }

  /** End `holdGateway`: waiting sockets get their HELLO (and resume). */
  releaseGateway(): void {
    this.gatewayHeld = false;
    for (const ws of this.heldSockets.splice(0)) if (ws.readyState === WebSocket.OPEN) this.hello(ws);
  }

  private hello(ws: WebSocket): void {
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.opts.heartbeatIntervalMs } }));
  }
  // --- end gateway outage ---

  /** Drop the gateway socket with a close code (4000 = unknown error, resumable). */
  closeGateway(code = 4000, reason = 'fake: closing'): void {
    const ws = this.session?.socket;
    if (this.session) this.session.socket = undefined;
    ws?.close(code, reason);
  }

  /** The next `count` requests matching method and path answer 429 with `Retry-After: retryAfterS`. */
  inject429(opts: { method?: string; match: RegExp; count?: number; retryAfterS?: number; global?: boolean }): void {
    this.injections.push({
      method: (opts.method ?? 'PATCH').toUpperCase(),
      match: opts.match,
      remaining: opts.count ?? 1,
      retryAfterS: opts.retryAfterS ?? 0.2,
      global: opts.global ?? false,
    });
  }

  /** Pin a message directly (to set up "already pinned" or a full channel). */
  setPinned(messageId: string, pinned = true): void {
    const m = this.messages.get(messageId);
    if (m) m.pinned = pinned;
  }

  pinnedIn(channelId = this.channelId): FakeMessage[] {
    return [...this.messages.values()].filter((m) => m.channel_id === channelId && m.pinned);
  }

  /** Recorded requests whose path matches. */
  requestsTo(method: string, match: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method.toUpperCase() && match.test(r.path));
  }

  sendCommand(
    name: string,
    options: Record<string, OptionValue | undefined> = {},
    opts: SendOptions = {},
  ): FakeInteraction {
    const resolved: Record<string, Record<string, unknown>> = {};
    const list = this.toOptions(options, resolved);
    return this.dispatchInteraction(2, opts, {
      ...this.commandData(name, list, opts),
      ...(Object.keys(resolved).length ? { resolved: { attachments: resolved } } : {}),
    });
  }

  /** A chat-input command's `data` (its options under the subcommand, if any). */
  private commandData(name: string, list: Record<string, unknown>[], opts: SendOptions) {
    return {
      id: this.commandId(name),
      name,
      type: 1,
      ...(this.guildOf(opts) && { guild_id: this.guildOf(opts) }),
      options: opts.subcommand ? [{ name: opts.subcommand, type: 1, options: list }] : list,
    };
  }

  sendAutocomplete(
    name: string,
    options: Record<string, OptionValue | undefined>,
    focused: string,
    opts: SendOptions = {},
  ): FakeInteraction {
    const list = this.toOptions(options, {}).map((o) => (o.name === focused ? { ...o, focused: true } : o));
    return this.dispatchInteraction(4, opts, this.commandData(name, list, opts));
  }

  /** Options as Discord sends them; attachments are stored and described in `resolved`. */
  private toOptions(
    options: Record<string, OptionValue | undefined>,
    resolved: Record<string, Record<string, unknown>>,
  ) {
    return Object.entries(options)
      .filter((e): e is [string, OptionValue] => e[1] !== undefined)
      .map(([name, value]) => {
        if (typeof value !== 'object')
          return {
            name,
            value,
            type: typeof value === 'boolean' ? 5 : typeof value === 'number' ? (Number.isInteger(value) ? 4 : 10) : 3,
          };
        const id = this.snowflake();
        const content = Buffer.isBuffer(value.content) ? value.content : Buffer.from(value.content, 'utf8');
        this.attachments.set(id, { filename: value.filename, content, downloads: 0 });
        const url = `http://127.0.0.1:${this.port}/attachments/${id}/${encodeURIComponent(value.filename)}`;
        resolved[id] = {
          id,
          filename: value.filename,
          size: value.size ?? content.length,
          url,
          proxy_url: url,
          content_type: value.contentType ?? 'text/plain; charset=utf-8',
        };
        return { name, value: id, type: 11 };
      });
  }

  /** Click a button on a stored message (or on a message you describe yourself). */
  sendButton(customId: string, message: FakeMessage | string, opts: SendOptions = {}): FakeInteraction {
    const msg = typeof message === 'string' ? this.messages.get(message) : message;
    if (!msg) throw new Error(`fake: no message ${String(message)}`);
    // Clicked where the message is, unless the options say otherwise (a forged click).
    const where = msg.guild_id === undefined ? {} : { guildId: msg.guild_id, channelId: msg.channel_id };
    const ix = this.dispatchInteraction(
      3,
      { ...where, ...opts },
      { custom_id: customId, component_type: 2 },
      this.apiMessage(msg),
    );
    ix.messageId = msg.id;
    return ix;
  }

  /** A message command (Apps → name) on a member's message, sent as Discord does. */
  sendMessageCommand(name: string, target: FakeChatMessage, opts: SendOptions = {}): FakeInteraction {
    const id = target.id ?? this.snowflake();
    const author = target.author ?? { id: '100000000000000002', username: 'writer' };
    const user = (u: FakeUser) => ({
      id: u.id,
      username: u.username,
      discriminator: '0',
      global_name: u.username,
      avatar: null,
    });
    const message = {
      id,
      channel_id: target.channelId ?? opts.channelId ?? this.channelId,
      author: user(author),
      content: target.content,
      embeds: target.embeds ?? [],
      components: [],
      attachments: [],
      mentions: (target.mentions ?? []).map(user),
      mention_roles: [],
      mention_everyone: false,
      pinned: false,
      tts: false,
      type: 0,
      flags: 0,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
    };
    return this.dispatchInteraction(2, opts, {
      id: this.commandId(name),
      name,
      type: 3,
      guild_id: this.guildOf(opts),
      target_id: id,
      resolved: { messages: { [id]: message } },
    });
  }

  /**
   * Submit a form (MODAL_SUBMIT, type 5): each value in a label component as Discord sends it; `message`:
   * the message whose button opened the form.
   */
  sendModalSubmit(
    customId: string,
    values: Record<string, string>,
    opts: SendOptions & { message?: FakeMessage } = {},
  ): FakeInteraction {
    let n = 0;
    const components = Object.entries(values).map(([field, value]) => ({
      type: 18,
      id: ++n,
      component: { type: 4, id: ++n, custom_id: field, value },
    }));
    return this.dispatchInteraction(
      5,
      { ...(opts.message && { channelId: opts.message.channel_id }), ...opts },
      { custom_id: customId, components },
      opts.message && this.apiMessage(opts.message),
    );
  }

  /** Wait until `pred` holds for the interaction. */
  async waitFor(
    ix: FakeInteraction,
    pred: (ix: FakeInteraction) => boolean,
    timeoutMs = 20_000,
  ): Promise<FakeInteraction> {
    await this.until(`interaction:${ix.id}`, () => pred(ix), timeoutMs);
    return ix;
  }

  /**
   * Wait for the reply: an immediate response (types 4, 7, 8), or after a defer the edited original
   * plus `followUps` follow-up messages (default 0).
   */
  waitForReply(ix: FakeInteraction, opts: { followUps?: number; timeoutMs?: number } = {}): Promise<FakeInteraction> {
    const n = opts.followUps ?? 0;
    return this.waitFor(
      ix,
      (x) => {
        if (x.callbackType === undefined) return false;
        if (x.callbackType === 5 || x.callbackType === 6)
          return (x.original?.ready ?? false) && x.followUps.length >= n;
        return x.followUps.length >= n;
      },
      opts.timeoutMs,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Interactions

  private commandId(name: string): string {
    let id = this.commandIds.get(name);
    if (!id) this.commandIds.set(name, (id = this.snowflake()));
    return id;
  }

  private readonly channels = new Map<string, string>();
  /** The channel interactions of a server (or a DM with one user) come from. */
  private channelFor(where: string): string {
    if (where === this.guildId) return this.channelId;
    let id = this.channels.get(where);
    if (!id) this.channels.set(where, (id = this.snowflake()));
    return id;
  }

  /** The server an interaction comes from: the fake's own unless the options name another (null: a DM). */
  private guildOf(opts: SendOptions): string | null {
    return opts.guildId === undefined ? this.guildId : opts.guildId;
  }

  private dispatchInteraction(
    type: number,
    opts: SendOptions,
    data: Record<string, unknown>,
    message?: Record<string, unknown>,
  ): FakeInteraction {
    const user = opts.user ?? { id: '100000000000000001', username: 'tester' };
    const guildId = this.guildOf(opts);
    // A DM has a channel of its own; another server, another channel (unless one is named).
    const channelId = opts.channelId ?? this.channelFor(guildId ?? `dm:${user.id}`);
    const ix: FakeInteraction = {
      id: this.snowflake(),
      token: `ix-token-${this.snowflake()}-${Math.random().toString(36).slice(2)}`,
      type,
      sentAt: Date.now(),
      events: [],
      followUps: [],
      guildId,
      channelId,
    };
    this.interactions.set(ix.id, ix);
    const discordUser = {
      id: user.id,
      username: user.username,
      discriminator: '0',
      global_name: user.username,
      avatar: null,
    };
    const where = guildId
      ? {
          guild_id: guildId,
          guild: { id: guildId, locale: 'en-US', features: [] },
          channel: {
            id: channelId,
            type: opts.thread ? 11 : 0,
            guild_id: guildId,
            name: opts.thread ? 'a thread' : 'general',
            ...(opts.thread && { parent_id: opts.thread.parentId }),
            permissions: String(opts.memberPermissions ?? PERMS.basic),
          },
          member: {
            user: discordUser,
            roles: [],
            permissions: String(opts.memberPermissions ?? PERMS.basic),
            joined_at: new Date(0).toISOString(),
            deaf: false,
            mute: false,
            flags: 0,
            pending: false,
          },
          guild_locale: 'en-US',
          authorizing_integration_owners: { '0': guildId },
          context: 0,
        }
      : {
          channel: { id: channelId, type: 1, recipients: [discordUser] },
          user: discordUser,
          authorizing_integration_owners: { '1': user.id },
          context: 1,
        };
    const payload: Record<string, unknown> = {
      id: ix.id,
      application_id: this.appId,
      type,
      token: ix.token,
      version: 1,
      channel_id: channelId,
      ...where,
      app_permissions: String(opts.appPermissions ?? this.botPermissions),
      locale: 'en-US',
      entitlements: [],
      attachment_size_limit: 8 * 1024 * 1024,
      data,
    };
    if (message) payload.message = message;
    this.dispatch('INTERACTION_CREATE', payload, opts.shard);
    return ix;
  }

  private apiMessage(m: FakeMessage): Record<string, unknown> {
    const guildId = m.guild_id === undefined ? this.guildId : m.guild_id;
    return {
      id: m.id,
      channel_id: m.channel_id,
      ...(guildId && { guild_id: guildId }),
      author: {
        id: this.botUser.id,
        username: this.botUser.username,
        discriminator: '0',
        avatar: null,
        bot: true,
        global_name: null,
      },
      content: m.content,
      embeds: m.embeds,
      components: m.components,
      attachments: [],
      mentions: [],
      mention_roles: [],
      mention_everyone: false,
      pinned: m.pinned,
      tts: false,
      type: 20,
      flags: m.flags,
      timestamp: new Date().toISOString(),
      edited_timestamp: null,
      webhook_id: this.appId,
      application_id: this.appId,
      interaction_metadata: {
        id: m.interactionId,
        type: 2,
        user: { id: '100000000000000001', username: 'tester', discriminator: '0', avatar: null },
        authorizing_integration_owners: guildId ? { '0': guildId } : {},
      },
    };
  }

  // -------------------------------------------------------------------------------------------
  // Gateway

  private dispatch(t: string, d: unknown, shard = 0): void {
    const s = this.shardSessions.size ? this.shardSessions.get(shard) : this.session;
    if (!s || !s.socket || s.socket.readyState !== WebSocket.OPEN) {
      this.queued.push({ t, d, shard });
      return;
    }
    this.sendEvent(s, t, d);
  }

  private sendEvent(s: Session, t: string, d: unknown): void {
    const seq = ++s.seq;
    const payload = JSON.stringify({ op: 0, t, s: seq, d });
    s.sent.push({ s: seq, payload });
    if (s.sent.length > 1000) s.sent.splice(0, s.sent.length - 1000);
    s.socket?.send(payload);
  }

  private flushQueue(s: Session): void {
    const mine = this.queued.filter((ev) => ev.shard === s.shard || !this.shardSessions.size);
    this.queued.splice(0, this.queued.length, ...this.queued.filter((ev) => !mine.includes(ev)));
    for (const ev of mine) this.sendEvent(s, ev.t, ev.d);
  }

  private onSocket(ws: WebSocket): void {
    if (this.gatewayHeld) this.heldSockets.push(ws);
    else this.hello(ws);
    ws.on('message', (raw) => {
      let msg: { op: number; d: any };
      try {
        msg = JSON.parse(String(raw));
      } catch {
        ws.close(4002, 'decode error');
        return;
      }
      switch (msg.op) {
        case 1:
          this.heartbeats++;
          ws.send(JSON.stringify({ op: 11 }));
          break;
        case 2:
          this.onIdentify(ws, msg.d);
          break;
        case 6:
          this.onResume(ws, msg.d);
          break;
        default:
          break; // presence updates, member requests: ignored
      }
    });
    ws.on('close', () => {
      for (const x of [this.session, ...this.shardSessions.values()]) if (x?.socket === ws) x.socket = undefined;
    });
  }

  private onIdentify(ws: WebSocket, d: { token?: string; shard?: [number, number] }): void {
    if (d?.token !== this.token) {
      ws.close(4004, 'Authentication failed.');
      return;
    }
    this.identifies++;
    const [shard, count] = d.shard ?? [0, 1];
    const s: Session = { id: `session-${this.snowflake()}`, shard, seq: 0, socket: ws, sent: [] };
    if (count > 1) this.shardSessions.set(shard, s);
    if (shard === 0) this.session = s;
    this.sendEvent(s, 'READY', {
      v: 10,
      user: {
        id: this.botUser.id,
        username: this.botUser.username,
        discriminator: '0',
        avatar: null,
        bot: true,
        global_name: null,
        flags: 0,
      },
      guilds: [{ id: this.guildId, unavailable: true }],
      session_id: s.id,
      resume_gateway_url: this.gatewayUrl,
      shard: [shard, count],
      application: { id: this.appId, flags: 0 },
      private_channels: [],
      relationships: [],
    });
    if (this.opts.guildCreate) this.sendEvent(s, 'GUILD_CREATE', this.guildPayload());
    this.flushQueue(s);
    this.emit('ready');
  }

  private onResume(ws: WebSocket, d: { token?: string; session_id?: string; seq?: number }): void {
    const s = [this.session, ...this.shardSessions.values()].find((x) => x?.id === d?.session_id);
    if (d?.token !== this.token || !s) {
      ws.send(JSON.stringify({ op: 9, d: false })); // invalid session: identify again
      return;
    }
    this.resumes++;
    s.socket = ws;
    for (const ev of s.sent) if (ev.s > (d.seq ?? 0)) ws.send(ev.payload);
    this.sendEvent(s, 'RESUMED', {});
    this.flushQueue(s);
    this.emit('ready');
  }

  private guildPayload(): Record<string, unknown> {
    return {
      id: this.guildId,
      name: 'Fake guild',
      icon: null,
      owner_id: '100000000000000999',
      unavailable: false,
      member_count: 2,
      large: false,
      joined_at: new Date(0).toISOString(),
      features: [],
      emojis: [],
      stickers: [],
      members: [],
      presences: [],
      voice_states: [],
      threads: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
      preferred_locale: 'en-US',
      premium_tier: 0,
      system_channel_flags: 0,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      mfa_level: 0,
      nsfw_level: 0,
      roles: [
        {
          id: this.guildId,
          name: '@everyone',
          permissions: String(PERMS.basic),
          position: 0,
          color: 0,
          hoist: false,
          managed: false,
          mentionable: false,
          flags: 0,
        },
      ],
      channels: [
        {
          id: this.channelId,
          type: 0,
          name: 'general',
          position: 0,
          parent_id: null,
          topic: null,
          nsfw: false,
          rate_limit_per_user: 0,
          last_message_id: null,
          permission_overwrites: [],
        },
      ],
    };
  }

  // -------------------------------------------------------------------------------------------
  // REST

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const file = req.method === 'GET' ? /^\/attachments\/(\d+)\//.exec(url.pathname) : null;
    if (file) {
      const a = this.attachments.get(file[1]!);
      if (!a) {
        res.writeHead(404).end();
        return;
      }
      a.downloads++;
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(a.content.length) });
      res.end(a.content);
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const body = parseBody(raw, String(req.headers['content-type'] ?? ''));
    const method = (req.method ?? 'GET').toUpperCase();
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body,
      ...(String(req.headers['content-type'] ?? '').includes('multipart/form-data') && { files: parseFiles(raw) }),
      status: 0,
      at: Date.now(),
    };
    this.requests.push(record);
    const reply = (status: number, json?: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      const text = json === undefined ? '' : JSON.stringify(json);
      res.writeHead(status, { ...(json === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
      res.end(text);
      this.emit('request', record);
    };
    try {
      const route = url.pathname.replace(/^\/api(?:\/v\d+)?/, '');
      const inj = this.injections.find((i) => i.remaining > 0 && i.method === method && i.match.test(url.pathname));
      if (inj) {
        inj.remaining--;
        const headers: Record<string, string> = {
          'retry-after': String(inj.retryAfterS),
          'x-ratelimit-limit': '5',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset-after': String(inj.retryAfterS),
          'x-ratelimit-bucket': 'fake-bucket',
          'x-ratelimit-scope': 'user',
        };
        if (inj.global) headers['x-ratelimit-global'] = 'true';
        return reply(
          429,
          { message: 'You are being rate limited.', retry_after: inj.retryAfterS, global: inj.global },
          headers,
        );
      }
      const result = this.route(method, route, url.searchParams, body, req.headers);
      return reply(result.status, result.json, result.headers);
    } catch (err) {
      return reply(500, { code: 0, message: `fake: ${(err as Error).message}` });
    }
  }

  private route(
    method: string,
    route: string,
    query: URLSearchParams,
    body: any,
    headers: http.IncomingHttpHeaders,
  ): { status: number; json?: unknown; headers?: Record<string, string> } {
    const authed = headers.authorization === `Bot ${this.token}`;
    const unauthorized = { status: 401, json: { code: 0, message: '401: Unauthorized' } };
    let m: RegExpMatchArray | null;

    if (method === 'GET' && route === '/gateway/bot') {
      if (!authed) return unauthorized;
      return {
        status: 200,
        json: {
          url: this.gatewayUrl,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
        },
      };
    }
    if (method === 'GET' && route === '/gateway') return { status: 200, json: { url: this.gatewayUrl } };
    if (method === 'GET' && route === '/users/@me') {
      if (!authed) return unauthorized;
      return {
        status: 200,
        json: { id: this.botUser.id, username: this.botUser.username, discriminator: '0', avatar: null, bot: true },
      };
    }
    if (method === 'GET' && route === '/applications/@me') {
      if (!authed) return unauthorized;
      return {
        status: 200,
        json: { id: this.appId, name: 'quotebot', flags: 0, bot_public: false, bot_require_code_grant: false },
      };
    }
    if (method === 'PUT' && (m = route.match(/^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/))) {
      if (!authed) return unauthorized;
      this.registered.push({ path: route, body });
      const list = Array.isArray(body) ? body : [];
      return {
        status: 200,
        json: list.map((c: Record<string, unknown>) => ({
          ...c,
          id: this.commandId(String(c.name)),
          application_id: m![1],
          version: this.snowflake(),
          ...(m![2] ? { guild_id: m![2] } : {}),
        })),
      };
    }
    if (method === 'POST' && (m = route.match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/))) {
      return this.onCallback(m[1]!, decodeURIComponent(m[2]!), body, query.get('with_response') === 'true');
    }
    if ((m = route.match(/^\/webhooks\/(\d+)\/([^/]+)\/messages\/([^/]+)$/))) {
      return this.onWebhookMessage(method, decodeURIComponent(m[2]!), decodeURIComponent(m[3]!), body);
    }
    if (method === 'POST' && (m = route.match(/^\/webhooks\/(\d+)\/([^/]+)$/))) {
      return this.onFollowUp(decodeURIComponent(m[2]!), body);
    }
    if (
      (method === 'PUT' || method === 'DELETE') &&
      (m = route.match(/^\/channels\/(\d+)\/(?:messages\/)?pins\/(\d+)$/))
    ) {
      if (!authed) return unauthorized;
      return this.onPin(method, m[1]!, m[2]!);
    }
    if (method === 'GET' && (m = route.match(/^\/channels\/(\d+)\/messages\/pins$/))) {
      if (!authed) return unauthorized;
      return {
        status: 200,
        json: {
          items: this.pinnedIn(m[1]!).map((p) => ({
            pinned_at: new Date().toISOString(),
            message: this.apiMessage(p),
          })),
          has_more: false,
        },
      };
    }
    return { status: 404, json: { code: 0, message: '404: Not Found' } };
  }

  private byToken(token: string): FakeInteraction | undefined {
    for (const ix of this.interactions.values()) if (ix.token === token) return ix;
    return undefined;
  }

  private changed(ix: FakeInteraction): void {
    this.emit(`interaction:${ix.id}`);
  }

  private newMessage(ix: FakeInteraction, body: any, flags: number, ready: boolean): FakeMessage | { error: unknown } {
    const problems = messageViolations(body ?? {});
    if (problems.length) {
      this.violations.push(...problems.map((p) => `${ix.id}: ${p}`));
      return { error: { code: 50035, message: 'Invalid Form Body', errors: problems } };
    }
    return {
      id: this.snowflake(),
      channel_id: ix.channelId,
      guild_id: ix.guildId,
      content: typeof body?.content === 'string' ? body.content : '',
      embeds: Array.isArray(body?.embeds) ? body.embeds : [],
      components: Array.isArray(body?.components) ? body.components : [],
      flags,
      pinned: false,
      allowed_mentions: body?.allowed_mentions,
      interactionId: ix.id,
      ready,
    };
  }

  private onCallback(id: string, token: string, body: any, withResponse: boolean) {
    const ix = this.interactions.get(id);
    if (!ix || ix.token !== token) return { status: 404, json: { code: 10062, message: 'Unknown interaction' } };
    if (ix.callbackType !== undefined)
      return { status: 400, json: { code: 40060, message: 'Interaction has already been acknowledged.' } };
    const type = Number(body?.type);
    const data = body?.data ?? {};
    const flags = Number(data.flags ?? 0) & EPHEMERAL;
    if (type === 4 || type === 5) {
      const msg = this.newMessage(ix, type === 4 ? data : {}, flags, type === 4);
      if ('error' in msg) return { status: 400, json: msg.error };
      ix.original = msg;
      this.messages.set(msg.id, msg);
    } else if (type === 7) {
      const problems = messageViolations(data);
      if (problems.length) {
        this.violations.push(...problems);
        return { status: 400, json: { code: 50035, message: 'Invalid Form Body', errors: problems } };
      }
      const clicked = ix.messageId ? this.messages.get(ix.messageId) : undefined;
      if (clicked) Object.assign(clicked, pickMessage(data), { allowed_mentions: data.allowed_mentions });
    } else if (type === 9) {
      if (ix.type !== 2 && ix.type !== 3) return { status: 400, json: { code: 50035, message: 'fake: no modal here' } };
      const problems = modalViolations(data);
      if (problems.length) {
        this.violations.push(...problems.map((p) => `${ix.id}: ${p}`));
        return { status: 400, json: { code: 50035, message: 'Invalid Form Body', errors: problems } };
      }
      ix.modal = data;
    } else if (type === 8) {
      const choices = Array.isArray(data.choices) ? data.choices : [];
      if (choices.length > 25) {
        this.violations.push(`${ix.id}: ${choices.length} autocomplete choices`);
        return { status: 400, json: { code: 50035, message: 'Invalid Form Body' } };
      }
      ix.choices = choices;
    } else if (type !== 6) {
      return { status: 400, json: { code: 50035, message: `fake: unsupported callback type ${type}` } };
    }
    ix.callbackType = type;
    ix.callbackAt = Date.now();
    ix.events.push({ kind: 'callback', at: ix.callbackAt, body: body ?? {} });
    this.changed(ix);
    if (!withResponse) return { status: 204 };
    return {
      status: 200,
      json: {
        interaction: {
          id: ix.id,
          type: ix.type,
          response_message_id: ix.original?.id,
          response_message_loading: type === 5,
          response_message_ephemeral: flags !== 0,
        },
        resource: { type, ...(ix.original && type === 4 ? { message: this.apiMessage(ix.original) } : {}) },
      },
    };
  }

  private onWebhookMessage(method: string, token: string, which: string, body: any) {
    const ix = this.byToken(token);
    if (!ix) return { status: 404, json: { code: 10015, message: 'Unknown Webhook' } };
    const msg = which === '@original' ? ix.original : ix.followUps.find((f) => f.id === which);
    if (!msg || !this.messages.has(msg.id)) return { status: 404, json: { code: 10008, message: 'Unknown Message' } };
    if (method === 'GET') return { status: 200, json: this.apiMessage(msg) };
    if (method === 'DELETE') {
      this.messages.delete(msg.id);
      ix.events.push({ kind: 'delete', at: Date.now(), body: { message: which } });
      this.changed(ix);
      return { status: 204 };
    }
    if (method !== 'PATCH') return { status: 405, json: { code: 0, message: '405: Method Not Allowed' } };
    const next = { ...msg, ...pickMessage(body) };
    const problems = messageViolations(next);
    if (problems.length) {
      this.violations.push(...problems.map((p) => `${ix.id}: ${p}`));
      return { status: 400, json: { code: 50035, message: 'Invalid Form Body', errors: problems } };
    }
    Object.assign(msg, pickMessage(body), { ready: true, allowed_mentions: body?.allowed_mentions });
    ix.events.push({ kind: 'edit', at: Date.now(), body: body ?? {} });
    this.changed(ix);
    return { status: 200, json: this.apiMessage(msg) };
  }

  private onFollowUp(token: string, body: any) {
    const ix = this.byToken(token);
    if (!ix || ix.callbackType === undefined) return { status: 404, json: { code: 10015, message: 'Unknown Webhook' } };
    const placeholder = ix.original && !ix.original.ready && ix.callbackType === 5;
    // Discord: the first follow-up after a defer replaces the placeholder and keeps the defer's visibility.
    const flags = placeholder ? ix.original!.flags : Number(body?.flags ?? 0) & EPHEMERAL;
    const msg = this.newMessage(ix, body, flags, true);
    if ('error' in msg) return { status: 400, json: msg.error };
    if (placeholder) {
      Object.assign(ix.original!, { ...pickMessage(body), ready: true, allowed_mentions: body?.allowed_mentions });
      ix.followUps.push(ix.original!);
      ix.events.push({ kind: 'followup', at: Date.now(), body: body ?? {}, replacedOriginal: true });
      this.changed(ix);
      return { status: 200, json: this.apiMessage(ix.original!) };
    }
    this.messages.set(msg.id, msg);
    ix.followUps.push(msg);
    ix.events.push({ kind: 'followup', at: Date.now(), body: body ?? {}, replacedOriginal: false });
    this.changed(ix);
    return { status: 200, json: this.apiMessage(msg) };
  }

  private onPin(method: string, channelId: string, messageId: string) {
    if (
      (this.botPermissions & PermissionFlagsBits.PinMessages) === 0n &&
      (this.botPermissions & PermissionFlagsBits.Administrator) === 0n
    ) {
      return { status: 403, json: { code: 50013, message: 'Missing Permissions' } };
    }
    const msg = this.messages.get(messageId);
    if (!msg || msg.channel_id !== channelId || msg.flags & EPHEMERAL)
      return { status: 404, json: { code: 10008, message: 'Unknown Message' } };
    if (method === 'DELETE') {
      msg.pinned = false;
      return { status: 204 };
    }
    if (!msg.pinned && this.pinnedIn(channelId).length >= this.pinLimit) {
      return { status: 400, json: { code: 30003, message: `Maximum number of pins reached (${this.pinLimit})` } };
    }
    msg.pinned = true;
    return { status: 204 };
  }

  private until(event: string, done: () => boolean, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`fake: timed out after ${timeoutMs} ms waiting for ${event}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.off(event, check);
      };
      this.on(event, check);
    });
  }
}

function pickMessage(body: any): Partial<FakeMessage> {
  const out: Partial<FakeMessage> = {};
  if (typeof body?.content === 'string') out.content = body.content;
  if (Array.isArray(body?.embeds)) out.embeds = body.embeds;
  if (Array.isArray(body?.components)) out.components = body.components;
  return out;
}

/** The file parts of a multipart body (`files[n]`), as text. */
function parseFiles(raw: string): { name: string; content: string }[] {
  const re = /name="files\[\d+\]"; filename="([^"]*)"\r?\n(?:[^\r\n]+\r?\n)*\r?\n([\s\S]*?)\r?\n--/g;
  return [...raw.matchAll(re)].map((m) => ({ name: m[1]!, content: m[2]! }));
}

function parseBody(raw: string, type: string): unknown {
  if (!raw) return undefined;
  if (type.includes('multipart/form-data')) {
    const m = raw.match(/name="payload_json"\r?\n(?:[^\r\n]+\r?\n)*\r?\n([\s\S]*?)\r?\n--/);
    return m ? JSON.parse(m[1]!) : raw;
  }
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Discord's modal limits (title 45, custom id 100, 1–5 components, label 45, description 100, text input). */
export function modalViolations(data: Record<string, any>): string[] {
  const out: string[] = [];
  const len = (x: unknown) => (typeof x === 'string' ? x.length : 0);
  if (!len(data.title) || len(data.title) > 45) out.push(`modal title ${len(data.title)}`);
  if (!len(data.custom_id) || len(data.custom_id) > 100) out.push('modal custom_id');
  const comps: any[] = Array.isArray(data.components) ? data.components : [];
  if (comps.length < 1 || comps.length > 5) out.push(`modal with ${comps.length} components`);
  for (const c of comps) {
    const input = c?.type === 18 ? c.component : c?.type === 1 ? c.components?.[0] : undefined;
    if (c?.type === 18 && (!len(c.label) || len(c.label) > 45)) out.push('modal label');
    if (c?.type === 18 && len(c.description) > 100) out.push('modal description');
    if (!input || input.type !== 4 || !len(input.custom_id) || len(input.custom_id) > 100) out.push('modal text input');
    else if (len(input.placeholder) > 100 || (input.max_length ?? 0) > 4000 || (input.min_length ?? 0) > 4000)
      out.push('modal text input limits');
  }
  return out;
}

/** Discord's message limits, checked the way Discord rejects a payload (50035). */
export function messageViolations(body: Record<string, any>): string[] {
  const out: string[] = [];
  const content = typeof body.content === 'string' ? body.content : '';
  if (content.length > 2000) out.push(`content ${content.length} > 2000`);
  const embeds: any[] = Array.isArray(body.embeds) ? body.embeds : [];
  if (embeds.length > 10) out.push(`${embeds.length} embeds`);
  let total = 0;
  embeds.forEach((e, i) => {
    const len = (s: unknown) => (typeof s === 'string' ? s.length : 0);
    if (len(e.title) > 256) out.push(`embed ${i} title ${len(e.title)}`);
    if (len(e.description) > 4096) out.push(`embed ${i} description ${len(e.description)}`);
    if (len(e.footer?.text) > 2048) out.push(`embed ${i} footer`);
    const fields: any[] = Array.isArray(e.fields) ? e.fields : [];
    if (fields.length > 25) out.push(`embed ${i} ${fields.length} fields`);
    for (const f of fields) {
      if (len(f.name) > 256 || len(f.name) === 0) out.push(`embed ${i} field name`);
      if (len(f.value) > 1024 || len(f.value) === 0) out.push(`embed ${i} field value`);
      total += len(f.name) + len(f.value);
    }
    total += len(e.title) + len(e.description) + len(e.footer?.text) + len(e.author?.name);
  });
  if (total > 6000) out.push(`embeds total ${total} > 6000`);
  const rows: any[] = Array.isArray(body.components) ? body.components : [];
  if (rows.length > 5) out.push(`${rows.length} rows`);
  for (const r of rows) {
    const comps: any[] = Array.isArray(r?.components) ? r.components : [];
    if (comps.length > 5) out.push(`row with ${comps.length} components`);
    for (const c of comps) {
      if (typeof c.custom_id === 'string' && c.custom_id.length > 100) out.push('custom_id > 100');
      if (typeof c.label === 'string' && c.label.length > 80) out.push('label > 80');
    }
  }
  return out;
}
