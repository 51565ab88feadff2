import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../copy/ports.js';

/** How often at most the "connection limit reached" line is logged. */
const LOG_EVERY_MS = 10_000;

/** What {@link limitConnections} needs. */
export interface ConnectionLimitOptions {
  /** Open connections at most; chosen below the process's file-descriptor limit. */
  maxConnections: number;
  logger: Logger;
}

/**
 * Caps the server's open connections. A connection that would go over the cap first closes the oldest
 * connection that is not serving a request (one that has not finished sending a request head, as in a
 * slowloris attack, or an idle keep-alive connection); only when every connection is busy is the new
 * one refused (closed). So a flood of slow or idle sockets cannot lock out a health probe or a real
 * client, and the process never runs out of file descriptors. Logs a warning when the cap is reached
 * (at most once every 10 s, with counts). Returns the number of open connections, for tests and probes.
 */
export function limitConnections(server: Server, options: ConnectionLimitOptions): () => number {
  const open = new Set<Socket>();
  // Connections not serving a request, oldest first (a Set keeps insertion order).
  const idle = new Set<Socket>();
  let evicted = 0;
  let refused = 0;
  let lastLog = 0;
  const report = () => {
    const now = Date.now();
    if (now - lastLog < LOG_EVERY_MS) return;
    lastLog = now;
    options.logger.warn(
      { maxConnections: options.maxConnections, closedIdle: evicted, refused },
      'connection limit reached: closing the oldest idle connections, refusing new ones when all are busy',
    );
    evicted = 0;
    refused = 0;
  };

  server.on('connection', (socket: Socket) => {
    if (open.size >= options.maxConnections) {
      const oldest = idle.values().next();
      if (oldest.done) {
        refused += 1;
        report();
        socket.destroy();
        return;
      }
      evicted += 1;
      report();
      idle.delete(oldest.value);
      open.delete(oldest.value);
      oldest.value.destroy();
    }
    open.add(socket);
    idle.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      idle.delete(socket);
    });
  });
  server.on('request', (request, response) => {
    const socket = request.socket;
    idle.delete(socket);
    response.once('close', () => {
      // Back at the end of the queue: the most recently active connection is closed last.
      if (open.has(socket) && !socket.destroyed) idle.add(socket);
    });
  });
  // A WebSocket keeps its connection busy for its whole life.
  server.on('upgrade', (request) => idle.delete(request.socket));
  return () => open.size;
}
