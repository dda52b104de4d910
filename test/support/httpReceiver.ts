/**
 * A local HTTP server on loopback standing in for DingTalk, WeCom, Feishu or a
 * webhook: it records every request exactly as it arrived and answers as the
 * test says.
 */
import { createServer, type Server } from 'node:http';

export interface ReceivedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  atMs: number;
}

export interface Answer {
  status: number;
  body: string;
}

export interface HttpReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** What to answer (at once, or when the promise settles: a receiver that holds its answer); the default is 200 with {"errcode":0,"code":0}. */
  respond: (req: ReceivedRequest) => Answer | Promise<Answer>;
  close(): Promise<void>;
}

export async function startHttpReceiver(): Promise<HttpReceiver> {
  const receiver: HttpReceiver = {
    url: '',
    requests: [],
    respond: () => ({ status: 200, body: '{"errcode":0,"errmsg":"ok","code":0,"msg":"success"}' }),
    close: async () => undefined,
  };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: ReceivedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        atMs: Date.now(),
      };
      receiver.requests.push(r);
      void Promise.resolve(receiver.respond(r)).then((answer) => {
        if (res.destroyed) return; // the sender is gone (killed while we held its answer)
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(answer.body);
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const address = server.address() as { port: number };
  receiver.url = `http://127.0.0.1:${address.port}`;
  receiver.close = () => new Promise<void>((r) => server.close(() => r()));
  return receiver;
}
