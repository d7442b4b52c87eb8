/**
 * npm run register: registers the slash commands through REST — guild commands when
 * DISCORD_GUILD_ID is set (instant, for testing), else global — honouring DISCORD_REST_URL.
 */
import { REST, Routes } from 'discord.js';
import { ConfigError, loadConfig } from '../src/core/config.js';
import { redact } from '../src/core/log.js';
import { loadCommands } from '../src/discord/router.js';
import { isMessageCommand } from '../src/discord/types.js';

function fail(message: string, secrets: (string | undefined)[] = []): never {
  process.stderr.write(`${redact(message, secrets).split('\n')[0]}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  const token = config.DISCORD_TOKEN;
  if (!token) fail('DISCORD_TOKEN is not set: put the bot token in .env (DISCORD_TOKEN=...) to register commands.');
  if (!config.DISCORD_CLIENT_ID)
    fail('DISCORD_CLIENT_ID is not set: put the application id in .env (DISCORD_CLIENT_ID=...).');
  const commands = await loadCommands();
  const body = commands.map((c) => c.data.toJSON());
  const rest = new REST(config.DISCORD_REST_URL ? { api: config.DISCORD_REST_URL } : {}).setToken(token);
  const guild = config.DISCORD_GUILD_ID;
  const route = guild
    ? Routes.applicationGuildCommands(config.DISCORD_CLIENT_ID, guild)
    : Routes.applicationCommands(config.DISCORD_CLIENT_ID);
  try {
    const result = (await rest.put(route, { body })) as unknown[];
    const names = commands.map((c) => (isMessageCommand(c) ? `Apps → ${c.data.name}` : `/${c.data.name}`)).join(', ');
    process.stdout.write(
      guild
        ? `Registered ${result.length} commands (${names}) in guild ${guild}; they are available now.\n`
        : `Registered ${result.length} global commands (${names}); Discord may take up to an hour to show them everywhere.\n`,
    );
  } catch (err) {
    fail(`Registration failed: ${err instanceof Error ? err.message : String(err)}`, [token]);
  }
}

main().catch((err: unknown) =>
  fail(`Registration failed: ${err instanceof Error ? err.message : String(err)}`, [process.env.DISCORD_TOKEN]),
);
