import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { startStaticServer } from './staticServer.js';

/** The built site, web/dist (the same depth below the package root from src/cli and dist/cli). */
export const SITE_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the web site (optimizer race, train in your tab, results explorer) on 127.0.0.1')
    .option('--port <n>', 'port (0: any free one)', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--dir <dir>', 'the built site', SITE_DIR)
    .action(async (options: { port: string; host: string; dir: string }) => {
      if (!existsSync(path.join(options.dir, 'index.html'))) {
        throw new Error(`no built site in ${options.dir}: run \`npm run build:web\` in the alphaopt package first`);
      }
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port: expected a port number 0–65535, got '${options.port}'`);
      const server = await startStaticServer(options.dir, { host: options.host, port });
      process.stdout.write(`AlphaOpt site: ${server.url} (Ctrl-C stops)\n`);
    });
}
