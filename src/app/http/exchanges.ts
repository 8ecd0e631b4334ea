/**
 * The transactions of a multiplexed HTTP connection (HTTP/2, h2.ts; HTTP/3, h3.ts), one HttpRecord a client
 * stream: the request's fields make the row, the response's set its status and type, the DATA bytes of each side
 * are counted, typed by their first bytes and hashed as they pass (body.ts), never buffered unless a
 * Content-Encoding must be decoded first.
 */
import type { FlowView } from '../../flow/conn.js';
import type { HttpRecord } from '../records.js';
import { tsString } from '../ref.js';
import type { AppStats } from '../stats.js';
import { BodyHasher, recordBody } from './body.js';
import { formBoundary, FormSplitter } from './multipart.js';
import type { FileExtractor } from './extract.js';
import type { HeaderField } from './hpack.js';
import { ja4h2 } from './ja4h.js';

/** Transactions kept per connection, as the HTTP/1.x parser keeps. */
const MAX_TRANS = 1000;

export class Exchanges {
  private readonly streams = new Map<number, HttpRecord>();
  /** Bodies being read, by stream, each way. */
  private readonly requestBodies = new Map<number, BodyHasher>();
  private readonly responseBodies = new Map<number, BodyHasher>();
  /** Content-Encoding by stream, of the requests' and the responses' bodies, for their decoding. */
  private readonly encodings: [request: Map<number, string>, response: Map<number, string>] = [new Map(), new Map()];
  /** multipart/form-data boundaries of the requests, by stream: the files posted are read out of the body. */
  private readonly forms = new Map<number, string>();
  readonly trans: HttpRecord[] = [];

  constructor(private readonly stats: AppStats, private readonly flow: FlowView, private readonly version: '2' | '3', private readonly extract: FileExtractor | null = null) {}

  /** A client stream's request header fields (trailers, a second block, are passed over). */
  request(stream: number, fields: readonly HeaderField[], ts_sec: number, ts_nsec: number): void {
    if (this.streams.has(stream)) return;
    if (this.trans.length >= MAX_TRANS) {
      this.stats.records_dropped++;
      return;
    }
    const f = this.flow;
    const rec: HttpRecord = {
      ts: tsString(ts_sec, ts_nsec),
      uid: f.uid,
      community_id: f.community_id,
      orig_h: f.orig_h,
      orig_p: f.orig_p,
      resp_h: f.resp_h,
      resp_p: f.resp_p,
      trans_depth: this.trans.length + 1,
      method: value(fields, ':method'),
      host: value(fields, ':authority') || value(fields, 'host'),
      uri: value(fields, ':path'),
      referrer: value(fields, 'referer'),
      version: this.version,
      user_agent: value(fields, 'user-agent'),
      request_body_len: 0,
      response_body_len: 0,
      status_code: null,
      status_msg: '',
      resp_mime: '',
      ja4h: ja4h2(fields, this.version === '2' ? '20' : '30'),
      orig_mime_types: '',
      resp_mime_types: '',
      resp_md5: '',
      resp_sha256: '',
      orig_sha256: '',
      orig_filenames: [],
      orig_file_mime_types: [],
      orig_file_sha256: [],
    };
    this.streams.set(stream, rec);
    this.trans.push(rec);
    const encoding = value(fields, 'content-encoding').toLowerCase();
    if (encoding !== '') this.encodings[0].set(stream, encoding);
    const boundary = formBoundary(value(fields, 'content-type'));
    if (boundary !== '') this.forms.set(stream, boundary);
  }

  /** A response's header fields: the final status (1xx are interim) and Content-Type; trailers are passed over. */
  response(stream: number, fields: readonly HeaderField[]): void {
    const rec = this.streams.get(stream);
    if (rec === undefined || rec.status_code !== null) return; // a stream the capture did not see open, or trailers
    const status = value(fields, ':status');
    if (!/^\d{3}$/.test(status) || status[0] === '1') return;
    rec.status_code = Number(status);
    rec.resp_mime = value(fields, 'content-type').split(';')[0]!.trim();
    const encoding = value(fields, 'content-encoding').toLowerCase();
    if (encoding !== '') this.encodings[1].set(stream, encoding);
  }

  /** DATA bytes src[from, to) of one side of a stream: counted, typed by their first bytes, and hashed. */
  data(client: boolean, stream: number, src: Buffer, from: number, to: number): void {
    const rec = this.streams.get(stream);
    if (rec === undefined || to <= from) return;
    if (client) rec.request_body_len += to - from;
    else rec.response_body_len += to - from;
    const bodies = client ? this.requestBodies : this.responseBodies;
    let h = bodies.get(stream);
    if (h === undefined) {
      const boundary = client ? this.forms.get(stream) ?? '' : '';
      h = BodyHasher.unbounded(this.encodings[client ? 0 : 1].get(stream) ?? '', this.extract, boundary === '' ? null : new FormSplitter(boundary, this.extract));
      bodies.set(stream, h);
    }
    h.body(src, from, to);
  }

  /** One side of a stream ended (END_STREAM, a QUIC FIN): its body is whole. */
  endStream(client: boolean, stream: number): void {
    const bodies = client ? this.requestBodies : this.responseBodies;
    const h = bodies.get(stream);
    const rec = this.streams.get(stream);
    if (h === undefined || rec === undefined) return;
    bodies.delete(stream);
    this.encodings[client ? 0 : 1].delete(stream);
    if (client) this.forms.delete(stream);
    recordBody(rec, client, h.finish(true));
  }

  /** The connection ended: bodies still open are typed, not hashed (they were not seen whole). */
  finish(): void {
    for (const [bodies, client] of [[this.requestBodies, true], [this.responseBodies, false]] as const) {
      for (const [stream, h] of bodies) {
        const rec = this.streams.get(stream);
        if (rec !== undefined) recordBody(rec, client, h.finish(false));
      }
      bodies.clear();
    }
    this.encodings[0].clear();
    this.encodings[1].clear();
    this.forms.clear();
  }
}

/** The first field of that name, '' when none. */
function value(fields: readonly HeaderField[], name: string): string {
  for (const [n, v] of fields) if (n === name) return v;
  return '';
}
