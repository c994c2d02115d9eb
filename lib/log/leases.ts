import { randomUUID } from "node:crypto";
import os from "node:os";
import type { Pool, RowDataPacket } from "mysql2/promise";
import { isRetryableConflict, QUERY_TIMEOUT_MS, withConnection } from "../stores/mariadb.js";
import { SQL } from "../stores/statements.js";

/** A lease lapses this long after its holder last renewed it (a killed or frozen process). */
export const LEASE_TTL_MS = 3000;
/** How often a holder renews, and a stand-by asks again. */
export const LEASE_RENEW_MS = 1000;

interface HolderRow extends RowDataPacket {
  name: string;
  holder: string;
  live: number;
}

/**
 * Leases in MariaDB's `leases` table, taken and renewed by one process (`holder`). A process
 * that dies stops renewing, and its leases pass to a stand-by within LEASE_TTL_MS +
 * LEASE_RENEW_MS. Nothing exact depends on a lease: two holders at once (a frozen process
 * that wakes up) slow each other down but cannot corrupt the log or the graph.
 */
export class Leases {
  /** host:pid:nonce, so an operator (and a test) can tell which process holds what. */
  readonly holder = `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  constructor(private readonly pool: Pool) {}

  /** Takes (or renews) the lease `name`; true if this process holds it now. */
  async take(name: string): Promise<boolean> {
    try {
      return await this.tryTake(name);
    } catch (error) {
      // Two holders' upserts on different Galera nodes: one fails certification. Not taken.
      if (isRetryableConflict(error)) return false;
      throw error;
    }
  }

  private async tryTake(name: string): Promise<boolean> {
    return withConnection(this.pool, async (connection) => {
      await connection.query({ sql: SQL.leaseTake, timeout: QUERY_TIMEOUT_MS }, [
        name,
        this.holder,
        LEASE_TTL_MS * 1000,
      ]);
      const [rows] = await connection.query<HolderRow[]>(
        { sql: SQL.leaseHolder, timeout: QUERY_TIMEOUT_MS },
        [[name]],
      );
      return rows[0]?.holder === this.holder && Boolean(rows[0].live);
    });
  }

  /** Takes the first free lease of `names`, in order; null if every one is held. */
  async takeFirstFree(names: readonly string[]): Promise<string | null> {
    const [rows] = await withConnection(this.pool, (connection) =>
      connection.query<HolderRow[]>({ sql: SQL.leaseHolder, timeout: QUERY_TIMEOUT_MS }, [names]),
    );
    const held = new Set(rows.filter((row) => row.live).map((row) => row.name));
    for (const name of names) {
      if (!held.has(name) && (await this.take(name))) return name;
    }
    return null;
  }

  /** Gives the lease up, so a stand-by takes over at once; errors are the caller's to ignore. */
  async release(name: string): Promise<void> {
    await withConnection(this.pool, (connection) =>
      connection.query({ sql: SQL.leaseRelease, timeout: QUERY_TIMEOUT_MS }, [name, this.holder]),
    );
  }
}
