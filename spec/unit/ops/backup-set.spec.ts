import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect } from "chai";
import {
  backupName,
  backupsToRemove,
  BackupError,
  MANIFEST,
  openBackup,
  parseBinlogInfo,
  parseKeyValues,
} from "../../../ops/backup/backup-set.js";
import { binlogsToReplay, stopDatetime } from "../../../ops/backup/binlog-replay.js";
import { majorVersion } from "../../../ops/backup/tools.js";
import { parseTimestamp } from "../../../lib/model/timestamp.js";

describe("backups on disk (ops/backup/backup-set.ts, binlog-replay.ts)", () => {
  describe("retention", () => {
    const entries = [
      { name: "2026-12-01T00-00-00Z", complete: true },
      { name: "2026-12-02T00-00-00Z", complete: true },
      { name: "2026-12-02T12-00-00Z.partial", complete: false },
      { name: "2026-12-03T00-00-00Z", complete: true },
      { name: "2026-12-04T00-00-00Z.partial", complete: false },
    ];

    it("when there are more complete backups than kept, then the oldest go and interrupted ones too", () => {
      expect(backupsToRemove(entries, 2, "2026-12-04T00-00-00Z.partial")).to.deep.equal([
        "2026-12-01T00-00-00Z",
        "2026-12-02T12-00-00Z.partial",
      ]);
    });

    it("when fewer backups than kept exist, then only interrupted ones go", () => {
      expect(backupsToRemove(entries, 7)).to.deep.equal([
        "2026-12-02T12-00-00Z.partial",
        "2026-12-04T00-00-00Z.partial",
      ]);
    });

    it("when backups are named, then the names sort by time (UTC, no colons)", () => {
      expect(backupName(new Date("2026-12-06T18:32:21.456Z"))).to.equal("2026-12-06T18-32-21Z");
    });
  });

  describe("mariadb-backup's files", () => {
    it("when xtrabackup_binlog_info is read, then it gives file, position and GTID", () => {
      expect(parseBinlogInfo("mariadb-bin.000007\t837\t0-1-3\n")).to.deep.equal({
        file: "mariadb-bin.000007",
        position: 837,
        gtid: "0-1-3",
      });
      expect(parseBinlogInfo("")).to.equal(null);
    });

    it("when xtrabackup_checkpoints is read, then its keys and values come out", () => {
      const values = parseKeyValues("backup_type = log-applied\nfrom_lsn = 0\n");
      expect(values.get("backup_type")).to.equal("log-applied");
      expect(values.get("from_lsn")).to.equal("0");
    });

    it("when versions are compared, then only the major version counts", () => {
      expect(majorVersion("10.11.19-MariaDB-0+deb12u1-log")).to.equal("10.11");
      expect(majorVersion("11.4.2-MariaDB")).to.equal("11.4");
      expect(majorVersion("garbage")).to.equal(null);
    });
  });

  describe("opening a backup to restore", () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "vg-backup-unit-"));
      fs.writeFileSync(path.join(dir, "xtrabackup_checkpoints"), "backup_type = log-applied\n");
      fs.writeFileSync(
        path.join(dir, MANIFEST),
        JSON.stringify({ format: 1, server_version: "10.11.19-MariaDB-log", database: "og" }),
      );
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("when it is complete and of this major version, then its manifest is returned", () => {
      expect(openBackup(dir, "10.11.6-MariaDB").database).to.equal("og");
    });

    it("when it was never prepared, then it is a partial backup", () => {
      fs.writeFileSync(path.join(dir, "xtrabackup_checkpoints"), "backup_type = full-backuped\n");
      expect(() => openBackup(dir, "10.11.6-MariaDB")).to.throw(BackupError, /never prepared/);
    });

    it("when its manifest is missing, then it is a partial backup", () => {
      fs.rmSync(path.join(dir, MANIFEST));
      expect(() => openBackup(dir, "10.11.6-MariaDB")).to.throw(BackupError, /partial backup/);
    });

    it("when it comes from another major version, then it is refused naming both", () => {
      expect(() => openBackup(dir, "11.4.2-MariaDB")).to.throw(
        BackupError,
        /10\.11\.19-MariaDB-log.*11\.4\.2-MariaDB/,
      );
    });

    it("when there is nothing there, then it says so", () => {
      expect(() => openBackup(path.join(dir, "nope"), "10.11.6")).to.throw(
        BackupError,
        /no backup at/,
      );
    });
  });

  describe("the binary-log replay", () => {
    const start = { file: "mariadb-bin.000007", position: 837, gtid: "0-1-3" };

    it("when the directory holds older and newer files, then the replay reads from the backup's file on, in order", () => {
      const names = [
        "mariadb-bin.000009",
        "mariadb-bin.index",
        "mariadb-bin.000006",
        "mariadb-bin.000007",
        "mariadb-bin.000008",
        "other.000010",
      ];
      expect(binlogsToReplay(names, start)).to.deep.equal([
        "mariadb-bin.000007",
        "mariadb-bin.000008",
        "mariadb-bin.000009",
      ]);
    });

    it("when the backup's file was purged, then the replay refuses, saying what to do", () => {
      expect(() => binlogsToReplay(["mariadb-bin.000008"], start)).to.throw(
        BackupError,
        /purged.*--until/s,
      );
    });

    it("when a stop time is given, then the replay stops at its whole second, in UTC", () => {
      expect(stopDatetime(parseTimestamp("2026-12-06T18:30:05.250+01:00")!)).to.equal(
        "2026-12-06 17:30:05",
      );
    });
  });
});
