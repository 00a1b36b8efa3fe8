/** A Redis connection that fails at once with the address and the fix, instead of retrying in the background. */
import { Redis } from 'ioredis';

export async function connectRedis(url: string): Promise<Redis> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  let lastError: Error | undefined;
  client.on('error', (error: Error) => {
    lastError = error;
  });
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch (error) {
    client.disconnect();
    const reason = (lastError ?? (error as Error)).message;
    throw new Error(`cannot reach Redis at ${url} (${reason}): start redis-server there, or pass the right --redis URL (redis://host:port)`);
  }
}
