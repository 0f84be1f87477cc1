// Lets a closing server let go of connections that carry no request. Node's server.close()
// ends idle keep-alive connections, but two kinds would hold it open until their keep-alive
// timeout (72 s in Fastify): connections opened without a request yet (browsers and fetch
// open spare ones, and Node counts those as active), and connections whose last request
// finishes after closing began. Requests in flight are left to finish.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import type { FastifyInstance } from "fastify";

export function releaseConnectionsOnClose(app: FastifyInstance): void {
  const requests = new Map<Socket, number>();
  let closing = false;
  const releaseIfIdle = (socket: Socket) => {
    if (!closing || requests.get(socket) !== 0) return;
    requests.delete(socket);
    // end() first: a response just written is flushed before the connection goes.
    socket.end(() => socket.destroy());
  };

  app.server.on("connection", (socket: Socket) => {
    if (closing) return void socket.destroy();
    requests.set(socket, 0);
    socket.once("close", () => requests.delete(socket));
  });
  app.server.on("request", (request: IncomingMessage, response: ServerResponse) => {
    const { socket } = request;
    if (!requests.has(socket)) return;
    requests.set(socket, requests.get(socket)! + 1);
    response.once("close", () => {
      if (!requests.has(socket)) return;
      requests.set(socket, requests.get(socket)! - 1);
      releaseIfIdle(socket);
    });
  });
  // preClose runs once Fastify answers new requests with 503, before it stops listening.
  app.addHook("preClose", async () => {
    closing = true;
    for (const socket of [...requests.keys()]) releaseIfIdle(socket);
  });
}
