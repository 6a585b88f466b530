import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny HTTP server on 127.0.0.1 for upstream fakes, with failures that can be injected in front
 * of any route: the ways real services and networks fail that the HTTP layer must survive.
 */

export interface FakeRequest {
  method: string;
  /** Path and query as sent on the wire. */
  path: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** Date.now() when the request arrived (tests measure waits between attempts). */
  at: number;
}

export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

export type Route = (request: FakeRequest) => Reply | Promise<Reply>;

export type Fault =
  /** Answer this status instead of the route's (e.g. 429 with Retry-After, 503). */
  | { kind: 'status'; status: number; retryAfter?: string; body?: string }
  /** Drop the connection without answering. */
  | { kind: 'reset' }
  /** Never answer (a server that accepted the connection and went quiet). */
  | { kind: 'hang' }
  /** Send the headers and the first `afterBytes` bytes of the route's reply, then nothing. */
  | { kind: 'idle'; afterBytes: number }
  /** Declare the full Content-Length, send the first `afterBytes` bytes, then close the connection. */
  | { kind: 'truncate'; afterBytes: number };

export interface FaultOptions {
  /** How many matching requests get the fault (default 1). */
  times?: number;
  /** Only requests whose path contains this (default: every request). */
  path?: string;
}

export interface FakeServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  requests: FakeRequest[];
  inject(fault: Fault, options?: FaultOptions): void;
  close(): Promise<void>;
}

export async function startFakeServer(route: Route): Promise<FakeServer> {
  const requests: FakeRequest[] = [];
  const faults: { fault: Fault; remaining: number; path?: string }[] = [];

  const takeFault = (path: string): Fault | undefined => {
    const planned = faults.find((f) => f.remaining > 0 && (f.path === undefined || path.includes(f.path)));
    if (!planned) return undefined;
    planned.remaining -= 1;
    return planned.fault;
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const request: FakeRequest = {
        method: req.method ?? 'GET',
        path,
        url: new URL(path, 'http://127.0.0.1'),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      requests.push(request);
      const fault = takeFault(decodeURIComponent(path));
      if (fault?.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault?.kind === 'hang') return;
      if (fault?.kind === 'status') {
        const headers: Record<string, string> = { 'Content-Type': 'application/json' };
        if (fault.retryAfter !== undefined) headers['Retry-After'] = fault.retryAfter;
        const body =
          fault.body ?? JSON.stringify({ statusCode: fault.status, message: `injected HTTP ${fault.status}` });
        send(res, { status: fault.status, headers, body });
        return;
      }
      void Promise.resolve(route(request))
        .catch((error: Error): Reply => ({ status: 500, body: `fake route failed: ${error.message}` }))
        .then((reply) =>
          fault?.kind === 'idle' || fault?.kind === 'truncate' ? sendPart(res, reply, fault) : send(res, reply),
        );
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    inject(fault, options = {}) {
      faults.push({ fault, remaining: options.times ?? 1, path: options.path });
    },
    close() {
      // Hanging and idle connections never end by themselves.
      server.closeAllConnections();
      return new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function bodyOf(reply: Reply): Buffer {
  return typeof reply.body === 'string' ? Buffer.from(reply.body, 'utf8') : (reply.body ?? Buffer.alloc(0));
}

function send(res: http.ServerResponse, reply: Reply): void {
  const body = bodyOf(reply);
  res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(body.length) });
  res.end(body);
}

function sendPart(res: http.ServerResponse, reply: Reply, fault: Extract<Fault, { kind: 'idle' | 'truncate' }>): void {
  const body = bodyOf(reply);
  res.writeHead(reply.status, { ...reply.headers, 'Content-Length': String(body.length) });
  res.flushHeaders();
  res.write(body.subarray(0, fault.afterBytes));
  if (fault.kind === 'truncate') res.socket?.end();
}
