import { expect } from "chai";
import {
  daysOf,
  daysToWrite,
  ExportUsageError,
  nextDay,
  parseExportArgs,
  partitionFile,
} from "../../../ops/export/export-plan.js";

const now = new Date("2026-12-06T12:00:00Z");
const parse = (...argv: string[]) => parseExportArgs(argv, "/data/export", now);

describe("npm run export's plan (ops/export/export-plan.ts)", () => {
  it("when only the dates are given, then Parquet goes to the default directory", () => {
    expect(parse("--from", "2026-11-01", "--to", "2026-12-01")).to.deep.equal({
      help: false,
      from: "2026-11-01",
      to: "2026-12-01",
      format: "parquet",
      out: "/data/export",
      overwrite: false,
      json: false,
    });
  });

  it("when a date is not a calendar day, then the usage error says what is wanted", () => {
    expect(() => parse("--from", "2026-02-30", "--to", "2026-03-02")).to.throw(
      ExportUsageError,
      /--from wants a day/,
    );
    expect(() => parse("--from", "2026-11-01")).to.throw(ExportUsageError, /--to DATE is required/);
    expect(() => parse("--from", "2026-11-02", "--to", "2026-11-01")).to.throw(
      ExportUsageError,
      /must come before/,
    );
    expect(() => parse("--from", "2026-11-01", "--to", "2026-11-02", "--format", "xlsx")).to.throw(
      ExportUsageError,
      /parquet or csv/,
    );
  });

  it("when --to is after today, then it is refused: a day is exported once it has ended", () => {
    expect(() => parse("--from", "2026-12-01", "--to", "2026-12-07")).to.throw(
      ExportUsageError,
      /after today/,
    );
    expect(parse("--from", "2026-12-01", "--to", "2026-12-06").to).to.equal("2026-12-06");
  });

  it("when a range spans a month end and a leap day, then every UTC day is in it once", () => {
    expect(daysOf("2028-02-28", "2028-03-02")).to.deep.equal([
      "2028-02-28",
      "2028-02-29",
      "2028-03-01",
    ]);
    expect(nextDay("2026-12-31")).to.equal("2027-01-01");
    expect(partitionFile("2026-12-06", "csv")).to.equal("date=2026-12-06/events.csv");
  });

  it("when some days are finished, then only the others are written, unless --overwrite", () => {
    const days = ["2026-11-01", "2026-11-02", "2026-11-03"];
    expect(daysToWrite(days, new Set(["2026-11-02"]), false)).to.deep.equal({
      write: ["2026-11-01", "2026-11-03"],
      skip: ["2026-11-02"],
    });
    expect(daysToWrite(days, new Set(["2026-11-02"]), true).write).to.deep.equal(days);
  });
});
