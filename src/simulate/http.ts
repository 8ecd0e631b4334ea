/**
 * Plain HTTP/1.1 (RFC 9112) requests and responses over a TcpSession: headers always captured, bodies captured when
 * given as text and otherwise opaque (counted in sequence numbers, cut from the capture).
 */
import type { Piece, TcpSession } from './tcp.js';

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'HEAD';
  readonly path: string;
  readonly host: string;
  readonly user_agent: string;
  readonly headers?: readonly (readonly [string, string])[];
  /** Body bytes (opaque) or text (captured). */
  readonly body?: number | string;
  readonly content_type?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly content_type?: string;
  readonly body?: number | string;
  readonly headers?: readonly (readonly [string, string])[];
  /** Server processing time, µs. */
  readonly server_us?: number;
}

const REASON: Readonly<Record<number, string>> = {
  200: 'OK', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified', 404: 'Not Found',
};

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** IMF-fixdate (RFC 9110 §5.6.7) of a capture time. */
function httpDate(t_us: number): string {
  const d = new Date(Math.floor(t_us / 1000));
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]!}, ${p2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]!} ${d.getUTCFullYear()} ` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())} GMT`;
}

function bodyLength(body: number | string | undefined): number {
  return body === undefined ? 0 : typeof body === 'number' ? body : Buffer.byteLength(body);
}

function message(head: string, headers: readonly (readonly [string, string])[], body: number | string | undefined): Piece {
  const lines = [head, ...headers.map(([k, v]) => `${k}: ${v}`), '', ''].join('\r\n');
  const text = Buffer.from(lines, 'latin1');
  if (typeof body === 'string') return { data: Buffer.concat([text, Buffer.from(body, 'latin1')]) };
  return { data: text, size: text.length + (body ?? 0) };
}

function requestPiece(r: HttpRequest): Piece {
  const n = bodyLength(r.body);
  const headers: (readonly [string, string])[] = [
    ['Host', r.host],
    ['User-Agent', r.user_agent],
    ...(r.headers ?? [['Accept', '*/*']]),
    ...(r.method === 'POST' ? [['Content-Type', r.content_type ?? 'application/octet-stream'] as const, ['Content-Length', String(n)] as const] : []),
    ['Connection', 'keep-alive'],
  ];
  return message(`${r.method} ${r.path} HTTP/1.1`, headers, r.body);
}

function responsePiece(r: HttpResponse, t_us: number, server: string): Piece {
  const n = bodyLength(r.body);
  const headers: (readonly [string, string])[] = [
    ['Date', httpDate(t_us)],
    ['Server', server],
    ...(r.status === 204 || r.status === 304 ? [] : [['Content-Type', r.content_type ?? 'text/html; charset=utf-8'] as const, ['Content-Length', String(n)] as const]),
    ...(r.headers ?? []),
  ];
  return message(`HTTP/1.1 ${r.status} ${REASON[r.status] ?? 'OK'}`, headers, r.status === 204 || r.status === 304 ? undefined : r.body);
}

/** One request and its response on an established connection; returns the capture time of the response's end. */
export function httpExchange(tcp: TcpSession, req: HttpRequest, res: HttpResponse, server: string, think_us = 0): number {
  tcp.send('c', [requestPiece(req)], { delay_us: think_us });
  return tcp.send('s', [responsePiece(res, tcp.t, server)], { delay_us: res.server_us ?? 2000 });
}
