/**
 * The simulator's control API, on loopback only:
 *   GET  /endpoints  device id → { host, port, snmpVersion } (never credentials)
 *   GET  /status     simulated time, devices, links down, active faults
 *   POST /faults     a fault as JSON, e.g. {"fault":"link-down","circuit":"HY-HYX","for":"5m"}
 * A bad request gets 400 with {"error": "..."} that says what was wrong.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Simulator } from '../simulator.ts';

const MAX_BODY = 64 * 1024;

export class ControlServer {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** @throws Error when the port is taken. */
  static async start(sim: Simulator, port: number): Promise<ControlServer> {
    const server = createServer((req, res) => {
      handle(sim, req, res).catch((err: Error) => reply(res, 500, { error: err.message }));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new Error(`simulator control API: port 127.0.0.1:${port} ${err.code === 'EADDRINUSE' ? 'is already in use' : `cannot be opened (${err.code})`}`),
        ),
      );
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const { port: bound } = server.address() as { port: number };
    return new ControlServer(server, `http://127.0.0.1:${bound}`);
  }

  close(): Promise<void> {
    return new Promise((res) => {
      this.server.close(() => res());
      this.server.closeAllConnections();
    });
  }
}

async function handle(sim: Simulator, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (req.method === 'GET' && path === '/endpoints') return reply(res, 200, { network: sim.topology.network.id, devices: sim.endpoints() });
  if (req.method === 'GET' && path === '/status') return reply(res, 200, sim.status());
  if (path === '/faults') {
    if (req.method !== 'POST') return reply(res, 405, { error: 'use POST with a JSON fault' });
    const body = await readBody(req);
    if (body === null) return reply(res, 413, { error: `request body over ${MAX_BODY} bytes` });
    let input: unknown;
    try {
      input = JSON.parse(body);
    } catch {
      return reply(res, 400, { error: 'body is not JSON' });
    }
    const checked = sim.check(input);
    if (!checked.ok) return reply(res, 400, { error: checked.error });
    const { id, atMs } = sim.inject(checked.fault);
    return reply(res, 201, { id, at: new Date(atMs).toISOString(), fault: checked.fault });
  }
  return reply(res, 404, { error: `no such endpoint: ${req.method} ${path}` });
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(`${JSON.stringify(body)}\n`);
}
