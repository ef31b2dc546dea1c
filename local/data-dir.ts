import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where `npm run webhooks:redrive -- --local` finds the running runtime's queues. */
export const LOCAL_ENDPOINTS_FILE = 'local-endpoints.json';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * One process owns a data folder: a second dynalite on the same LevelDB would crash with an
 * obscure "Database is not open" (LevelDB allows one opener). A stale lock from a killed process
 * is taken over. Returns the release function.
 */
export function acquireDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  const lock = join(dataDir, 'LOCK.pid');
  try {
    const owner = Number(readFileSync(lock, 'utf8'));
    if (owner && owner !== process.pid && isAlive(owner)) {
      throw new Error(
        `${dataDir} is in use by process ${owner} (another npm start?). Stop it or set DATA_DIR.`
      );
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  writeFileSync(lock, String(process.pid));
  return () => rmSync(lock, { force: true });
}
