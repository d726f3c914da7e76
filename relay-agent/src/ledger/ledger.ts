import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import type { RelayMessage } from '@rackops/core/relay/result.schema';

export type LedgerStatus = 'in_progress' | 'completed';

export interface LedgerEntry {
  readonly id: string;
  readonly kind: string;
  readonly target: string;
  /** The envelope signature: a different signature for a known id is a replay, not a redelivery. */
  readonly sig: string;
  readonly status: LedgerStatus;
  readonly attempts: number;
  readonly expiresAt: string;
  readonly result: RelayMessage | undefined;
}

interface Row {
  id: string;
  kind: string;
  target: string;
  sig: string;
  status: LedgerStatus;
  attempts: number;
  expires_at: string;
  result: string | null;
}

/**
 * Persisted ledger of command ids and outcomes (SQLite, WAL, synchronous=FULL so an entry survives
 * SIGKILL and power loss). Handlers also keep checkpoints here (`memo`), e.g. the iDRAC job ids
 * they created, so a resumed command monitors instead of repeating.
 */
export class Ledger {
  private readonly db: Database.Database;

  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS commands (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, target TEXT NOT NULL, sig TEXT NOT NULL,
        status TEXT NOT NULL, attempts INTEGER NOT NULL, expires_at TEXT NOT NULL,
        result TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS memo (
        command_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (command_id, key));
    `);
  }

  get(id: string): LedgerEntry | undefined {
    const row = this.db.prepare('SELECT * FROM commands WHERE id = ?').get(id) as Row | undefined;
    if (!row) return undefined;
    return {
      id: row.id,
      kind: row.kind,
      target: row.target,
      sig: row.sig,
      status: row.status,
      attempts: row.attempts,
      expiresAt: row.expires_at,
      result: row.result ? (JSON.parse(row.result) as RelayMessage) : undefined,
    };
  }

  /** Records a start (first time) or a resume (attempts + 1). */
  begin(
    e: { id: string; kind: string; target: string; sig: string; expiresAt: string },
    now: Date,
  ): LedgerEntry {
    const at = now.toISOString();
    this.db
      .prepare(
        `INSERT INTO commands (id, kind, target, sig, status, attempts, expires_at, created_at, updated_at)
         VALUES (@id, @kind, @target, @sig, 'in_progress', 1, @expiresAt, @at, @at)
         ON CONFLICT(id) DO UPDATE SET attempts = attempts + 1, updated_at = @at`,
      )
      .run({ ...e, at });
    return this.get(e.id) as LedgerEntry;
  }

  complete(id: string, result: RelayMessage, now: Date): void {
    this.db
      .prepare(`UPDATE commands SET status = 'completed', result = ?, updated_at = ? WHERE id = ?`)
      .run(JSON.stringify(result), now.toISOString(), id);
  }

  getMemo<T>(commandId: string, key: string): T | undefined {
    const row = this.db
      .prepare('SELECT value FROM memo WHERE command_id = ? AND key = ?')
      .get(commandId, key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  setMemo(commandId: string, key: string, value: unknown): void {
    this.db
      .prepare(
        'INSERT INTO memo (command_id, key, value) VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value',
      )
      .run(commandId, key, JSON.stringify(value));
  }

  /**
   * Forgets commands that expired long ago (completed or not): an expired envelope is rejected
   * on verification anyway, so remembering its id past `expiresAt` adds nothing to replay protection.
   */
  prune(olderThan: Date): number {
    const cutoff = olderThan.toISOString();
    const tx = this.db.transaction(() => {
      this.db
        .prepare(`DELETE FROM memo WHERE command_id IN (SELECT id FROM commands WHERE expires_at < ?)`)
        .run(cutoff);
      return this.db.prepare(`DELETE FROM commands WHERE expires_at < ?`).run(cutoff).changes;
    });
    return tx();
  }

  close(): void {
    this.db.close();
  }
}
