// provision/vagrant/dashboards.mjs URL EXPECTED SECONDS: whether the dashboards of the API at URL
// equal what was sent. EXPECTED is JSON {"letter": [initials, followups], ...} of everything sent
// since the store was new; the range dashboard over all time (all 26 letters) and
// /dashboard/symbol/<letter> of each letter sent must show exactly those counts, with earliest <=
// latest where there are any. The graph is projected from the log a moment after each write, so
// this asks again until SECONDS have passed. Exit 0 when equal; 1 with the differences.
import { setTimeout as sleep } from "node:timers/promises";

const { fetch } = globalThis;
const [url, expectedJson, seconds] = process.argv.slice(2);
const expected = JSON.parse(expectedJson);
const letters = "abcdefghijklmnopqrstuvwxyz".split("");

async function differences() {
  const errors = [];
  const same = (where, got, [count, followups] = [0, 0]) => {
    if (!got || got.count !== count || got.followups !== followups) {
      errors.push(`${where}: ${JSON.stringify(got)}, want count ${count} followups ${followups}`);
    } else if (count > 0 && !(got.earliest && got.latest && got.earliest <= got.latest)) {
      errors.push(`${where}: earliest ${got.earliest}, latest ${got.latest}`);
    }
  };
  const range = await (await fetch(`${url}/dashboard/range/2000-01-01/2100-01-01`)).json();
  if (!Array.isArray(range) || range.length !== 26) {
    errors.push(`range: ${JSON.stringify(range).slice(0, 200)}`);
  } else {
    for (const row of range) same(`range ${row.symbol}`, row, expected[row.symbol]);
    const symbols = range.map((row) => row.symbol).join("");
    if (symbols !== letters.join("")) errors.push(`range: letters ${symbols}`);
  }
  for (const letter of Object.keys(expected)) {
    const reply = await fetch(`${url}/dashboard/symbol/${letter}`);
    same(
      `symbol ${letter}`,
      reply.ok ? await reply.json() : { status: reply.status },
      expected[letter],
    );
  }
  return errors;
}

const deadline = Date.now() + Number(seconds) * 1000;
let errors = ["not asked yet"];
while (errors.length > 0 && Date.now() < deadline) {
  errors = await differences().catch((error) => [String(error)]);
  if (errors.length > 0) await sleep(1000);
}
if (errors.length > 0) {
  console.error(errors.join("\n"));
  process.exit(1);
}
