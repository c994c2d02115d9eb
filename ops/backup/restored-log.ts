import type { Config } from "../../lib/config.js";
import { createMariadbPool } from "../../lib/stores/mariadb.js";
import { BackupError } from "./backup-set.js";

/** How many events a restored log holds; a restore without the log's table is refused. */
export async function countEvents(mariadb: Config["mariadb"]): Promise<number> {
  const pool = createMariadbPool(mariadb);
  try {
    const [rows] = await pool.query("SELECT COUNT(*) AS n FROM events");
    return Number((rows as { n: number }[])[0]!.n);
  } catch (error) {
    if ((error as { code?: string }).code !== "ER_NO_SUCH_TABLE") throw error;
    throw new BackupError(
      `the restored server has no event log in database ${mariadb.database} (the backup was ` +
        "taken before the service first started, or of another server)",
    );
  } finally {
    await pool.end();
  }
}
