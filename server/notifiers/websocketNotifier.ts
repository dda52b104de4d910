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

export class WebSocketHub {
  readonly #wss = new WebSocketServer({ noServer: true });

  /** Takes over an HTTP upgrade request the caller has already authorised. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#wss.emit('connection', ws, req));
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

  close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate();
    return new Promise((r) => this.#wss.close(() => r()));
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
