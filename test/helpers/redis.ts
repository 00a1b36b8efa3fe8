/** A throw-away redis-server on 127.0.0.1, on a free port, for the queue tests (stopped by the caller). */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { connectRedis } from '../../src/queue/redis.js';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export async function startRedis(): Promise<{ url: string; stop(): Promise<void> }> {
  const port = await freePort();
  const server: ChildProcess = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const failed = new Promise<never>((_, reject) => {
    server.once('error', (error) => reject(new Error(`cannot start redis-server (${error.message}): install it (apt-get install redis-server; .ci/run does)`)));
    server.once('exit', (code) => reject(new Error(`redis-server exited with code ${code}`)));
  });
  let serverFailed = false;
  failed.catch(() => {
    serverFailed = true;
  });
  const url = `redis://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      await Promise.race([connectRedis(url).then((client) => client.disconnect()), failed]);
      break;
    } catch (error) {
      if (Date.now() > deadline || serverFailed) {
        server.kill('SIGKILL');
        throw error;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        if (server.exitCode !== null) return resolve();
        server.once('exit', () => resolve());
        server.kill('SIGTERM');
      }),
  };
}
