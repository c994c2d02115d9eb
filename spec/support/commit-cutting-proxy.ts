import net from "node:net";

/**
 * A TCP proxy in front of MariaDB that lets every `every`-th COMMIT reach the server and then
 * cuts the connection before the server's reply gets back: the client cannot know whether
 * its transaction committed (it did). It reads the MySQL protocol's packet framing (3-byte
 * length, 1-byte sequence) from the client to find COM_QUERY "COMMIT" packets.
 */
export async function commitCuttingProxy(target: { host: string; port: number }, every: number) {
  let commits = 0;
  let cut = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client).add(upstream);
    let pending = Buffer.alloc(0);
    let dropReply = false;
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4) {
        const length = pending.readUIntLE(0, 3);
        if (pending.length < 4 + length) break;
        const packet = pending.subarray(0, 4 + length);
        pending = pending.subarray(4 + length);
        const isCommit =
          length > 1 &&
          packet[4] === 0x03 &&
          packet.subarray(5).toString("latin1").trim().toUpperCase() === "COMMIT";
        if (isCommit && ++commits % every === 0) dropReply = true;
        upstream.write(packet);
      }
    });
    upstream.on("data", (chunk) => {
      if (dropReply) {
        cut++;
        close();
      } else {
        client.write(chunk);
      }
    });
    client.on("error", close).on("close", close);
    upstream.on("error", close).on("close", close);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    /** How many COMMIT replies it has swallowed. */
    get cut() {
      return cut;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
