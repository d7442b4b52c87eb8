/**
 * A long-running bot must not hold on to what each interaction leaves behind. Every interaction
 * token is a REST route of its own (the callback, the edit of the original reply), used once;
 * discord.js keeps a handler per route until its sweeper runs.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createClient, startBot, type Bot } from '../src/discord/client.js';
import { memoryLogger } from '../src/core/log.js';
import { FakeDiscord } from './harness/fake-discord.js';
import { createStubEngine, SAMPLE_DOCS } from './helpers/stub-engine.js';

let fake: FakeDiscord;
let bot: Bot;

beforeAll(async () => {
  fake = await FakeDiscord.start();
  // The sweep interval is shortened so the test need not wait for the default.
  bot = await startBot({
    token: fake.token,
    engine: createStubEngine(SAMPLE_DOCS),
    restUrl: fake.restUrl,
    log: memoryLogger('info'),
    rateLimit: { count: 100, windowS: 1 },
    clientOptions: { rest: { handlerSweepInterval: 300 } },
  });
});

afterAll(async () => {
  await bot?.stop(2000);
  await fake?.close();
});

const handlers = () => (bot.client.rest as unknown as { handlers: Map<string, unknown> }).handlers.size;

describe('per-interaction REST state', () => {
  test('is let go once the answers are sent', async () => {
    let swept = 0;
    (bot.client.rest as unknown as { on(e: string, f: (h: Map<string, unknown>) => void): void }).on(
      'handlerSweep',
      (h) => (swept += h.size),
    );
    const ixs = Array.from({ length: 20 }, (_, k) =>
      fake.sendCommand(
        'ask',
        { question: 'Who grows the apples?' },
        { user: { id: String(700000000000000000n + BigInt(k)), username: `mem${k}` } },
      ),
    );
    await Promise.all(ixs.map((ix) => fake.waitForReply(ix)));
    // Every interaction's routes (at least one each) are swept once idle; wait for the sweeps, however slow the machine.
    for (let i = 0; i < 200 && swept < 20; i++) await new Promise((r) => setTimeout(r, 50));
    expect(swept).toBeGreaterThanOrEqual(20);
    expect(handlers()).toBeLessThan(5);
  });

  test('by default within a minute, not discord.js’s hour', () => {
    const client = createClient();
    try {
      const interval = (client.rest as unknown as { options: { handlerSweepInterval: number } }).options
        .handlerSweepInterval;
      expect(interval).toBeGreaterThan(0);
      expect(interval).toBeLessThanOrEqual(60_000);
    } finally {
      void client.destroy();
    }
  });
});
