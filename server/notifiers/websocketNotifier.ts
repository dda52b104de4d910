/**
 * Pushes to the console over WebSocket: every alarm notice goes to every
 * connected, authenticated browser. The hub runs without a server of its own
 * (ws's noServer mode): the console's HTTP server hands it upgrade requests
 * once it has checked the session (issue 6), and tests attach it to theirs.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import type { AlarmNotice, Notifier } from './notifier.ts';

export const MAX_SOCKETS_PER_SESSION = 8;

export class WebSocketHub {
  readonly #wss = new WebSocketServer({ noServer: true });

  /** Open sockets per session, oldest first. */
  readonly #bySession = new Map<string, WebSocket[]>();

  /**
   * Takes over an HTTP upgrade request the caller has already authorised,
   * for `session`. A session keeps at most MAX_SOCKETS_PER_SESSION sockets
   * (a wall screen and a few tabs); a new one closes its oldest, so one
   * login cannot hold a thousand.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, session = ''): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const open = this.#bySession.get(session) ?? [];
      open.push(ws);
      this.#bySession.set(session, open);
      while (open.length > MAX_SOCKETS_PER_SESSION) open.shift()!.close(1008, 'too many connections for this session');
      ws.once('close', () => {
        const list = this.#bySession.get(session);
        const at = list?.indexOf(ws) ?? -1;
        if (at >= 0) list!.splice(at, 1);
        if (list?.length === 0) this.#bySession.delete(session);
      });
      this.#wss.emit('connection', ws, req);
    });
  }

  get clients(): number {
    return this.#wss.clients.size;
  }

  broadcast(message: unknown): number {
    const text = JSON.stringify(message);
    let sent = 0;
    for (const ws of this.#wss.clients) {
      if (ws.readyState === WebSocket.OPEN) {
        ws.send(text);
        sent++;
      }
    }
    return sent;
  }

  /**
   * Tells every browser the server is going away (close code 1001, so the
   * page shows its data as stale and reconnects when the server is back),
   * gives them `graceMs` to answer, then cuts whoever has not. Until these
   * sockets are gone the HTTP server cannot finish closing.
   */
  async close(graceMs = 1000): Promise<void> {
    const open = [...this.#wss.clients];
    const closed = open.map((ws) => new Promise<void>((r) => (ws.readyState === WebSocket.CLOSED ? r() : ws.once('close', () => r()))));
    for (const ws of open) ws.close(1001, 'server stopping');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(closed), new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
    for (const ws of this.#wss.clients) ws.terminate();
    await new Promise<void>((r) => this.#wss.close(() => r()));
  }
}

/** A browser that is not connected misses nothing: the console reloads alarms over HTTP when it reconnects. */
export function websocketNotifier(name: string, hub: WebSocketHub): Notifier {
  return {
    name,
    async send(notice: AlarmNotice): Promise<void> {
      hub.broadcast({ type: 'alarm', id: notice.id, reason: notice.reason, title: notice.title, alarm: notice.alarm });
    },
  };
}
