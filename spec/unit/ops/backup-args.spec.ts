import { expect } from "chai";
import { parseBackupArgs, parseRestoreArgs, UsageError } from "../../../ops/backup/cli-args.js";
import { parseTimestamp } from "../../../lib/model/timestamp.js";

const settings = {
  backupDir: "/srv/backups",
  keep: 7,
  socket: "/run/mysqld/mysqld.sock",
  binlogDir: "/var/lib/vowelgraph/mariadb-binlog",
  restoreDir: "/var/lib/vowelgraph/restore",
};
const now = new Date("2026-12-06T12:00:00Z");

describe("npm run backup / restore arguments (ops/backup/cli-args.ts)", () => {
  it("when backup gets no flags, then the settings decide where and how many", () => {
    expect(parseBackupArgs([], settings)).to.deep.equal({
      help: false,
      backupDir: "/srv/backups",
      keep: 7,
      json: false,
    });
  });

  it("when --keep is not a whole number of at least one, then it is a usage error", () => {
    expect(() => parseBackupArgs(["--keep", "0"], settings)).to.throw(UsageError, /--keep/);
    expect(() => parseBackupArgs(["--keep", "two"], settings)).to.throw(UsageError, /--keep/);
  });

  it("when restore names a backup by its name, then it is found in the backup directory, into a new scratch directory, rebuilt into neo4j-test", () => {
    const args = parseRestoreArgs(["2026-12-06T10-00-00Z"], settings, now);
    expect(args.backup).to.equal("/srv/backups/2026-12-06T10-00-00Z");
    expect(args.into).to.equal(
      "/var/lib/vowelgraph/restore/2026-12-06T10-00-00Z-restored-2026-12-06T12-00-00Z",
    );
    expect(args.binlogDir).to.equal(settings.binlogDir);
    expect(args.until).to.equal(null);
    expect(args.graph).to.equal("neo4j-test");
    expect(args.toService).to.equal(false);
  });

  it("when --until is a time with an offset, then it is held in UTC microseconds", () => {
    const args = parseRestoreArgs(["/x/b", "--until", "2026-12-06T18:30:00+01:00"], settings, now);
    expect(args.until).to.equal(parseTimestamp("2026-12-06 17:30:00"));
  });

  it("when --until is not a time, then the usage error says what it wants", () => {
    expect(() => parseRestoreArgs(["/x/b", "--until", "yesterday"], settings)).to.throw(
      UsageError,
      /--until wants a time/,
    );
  });

  it("when flags contradict each other, then nothing runs", () => {
    expect(() =>
      parseRestoreArgs(["/x/b", "--no-binlog", "--until", "2026-12-06"], settings),
    ).to.throw(UsageError);
    expect(() => parseRestoreArgs(["/x/b", "--to-service", "--into", "/tmp/x"], settings)).to.throw(
      UsageError,
    );
    expect(() => parseRestoreArgs(["/x/b", "--graph", "neo4j", "--no-graph"], settings)).to.throw(
      UsageError,
    );
    expect(() => parseRestoreArgs([], settings)).to.throw(UsageError, /name the backup/);
    expect(() => parseRestoreArgs(["/x/b", "--bogus"], settings)).to.throw(UsageError);
  });

  it("when the service is the target, then the service's graph is rebuilt, and --no-binlog stops at the backup", () => {
    const args = parseRestoreArgs(["/x/b", "--to-service", "--no-binlog"], settings, now);
    expect(args.toService).to.equal(true);
    expect(args.graph).to.equal("neo4j");
    expect(args.binlogDir).to.equal(null);
  });
});
