import { expect } from "chai";
import { StoreUnavailableError } from "../../../lib/backend/data-errors.js";
import { isRetryableConflict, translateMariadbError } from "../../../lib/stores/mariadb.js";

const mariadbError = (code: string, errno: number, message: string) =>
  Object.assign(new Error(message), { code, errno, fatal: false });

const translated = (error: unknown) => {
  try {
    translateMariadbError(error);
  } catch (thrown) {
    return thrown;
  }
  throw new Error("translateMariadbError returned");
};

describe("MariaDB errors", () => {
  for (const [code, errno, message] of [
    ["ER_UNKNOWN_COM_ERROR", 1047, "WSREP has not yet prepared node for application use"],
    ["ER_ERROR_DURING_COMMIT", 1180, "Error while appending streaming replication fragment"],
    ["ER_QUERY_INTERRUPTED", 1317, "Query execution was interrupted"],
  ] as const) {
    it(`when a Galera node answers ${errno} (${code}), then the store is unavailable (503)`, () => {
      expect(translated(mariadbError(code, errno, message))).to.be.instanceOf(
        StoreUnavailableError,
      );
    });
  }

  it("when Galera's certification fails at COMMIT (1213), then the whole transaction is retried", () => {
    const error = mariadbError("ER_LOCK_DEADLOCK", 1213, "Deadlock found when trying to get lock");
    expect(isRetryableConflict(error)).to.equal(true);
  });

  it("when a statement is wrong, then the error is passed on unchanged", () => {
    const error = mariadbError("ER_DUP_ENTRY", 1062, "Duplicate entry");
    expect(translated(error)).to.equal(error);
  });
});
