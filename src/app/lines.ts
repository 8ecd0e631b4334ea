/**
 * Line-oriented text protocols (FTP, SMTP, POP3, IMAP): whole lines out of a reassembled direction (StreamBuf),
 * bounded. RFC 5321 §4.5.3.1.6 limits an SMTP text line to 1000 octets, RFC 959 and RFC 1939 set none; a line longer
 * than MAX_LINE means the bytes are not one of these protocols.
 */
import type { StreamBuf } from './stream.js';

export const MAX_LINE = 4096;
/** Buffer a direction needs: a whole line and the start of the next one. */
export const LINE_SIDE_CAP = 2 * MAX_LINE;

/**
 * The next whole line of sb (CR LF or a bare LF stripped), consumed, as latin1 text; null when none is complete yet;
 * false when the bytes waiting outgrew MAX_LINE without a line end (or overflowed the buffer): give the side up.
 */
export function nextLine(sb: StreamBuf): string | null | false {
  if (sb.len === 0) return sb.overflow ? false : null;
  const eol = sb.data.indexOf(0x0a, sb.start);
  if (eol < 0 || eol >= sb.start + sb.len) return sb.len > MAX_LINE || sb.overflow ? false : null;
  let end = eol;
  if (end > sb.start && sb.data[end - 1] === 0x0d) end--;
  const line = sb.data.toString('latin1', sb.start, end);
  sb.consume(eol + 1 - sb.start);
  return line;
}

/** Text a protocol line may hold: no control characters but tab (Latin-1 and UTF-8 bytes pass). */
export function textLine(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) return false;
  }
  return true;
}

/** A reply of the protocols that number theirs (FTP, SMTP): its code and the text of its first line. */
export interface Reply { code: number; text: string }

const REPLY = /^(\d{3})([ -])(.*)$/;

/**
 * Replies as RFC 959 §4.2 and RFC 5321 §4.2 frame them: `ddd text` is one; `ddd-text` opens a multi-line reply that
 * ends with a line starting with the same code and a space (the lines between may be anything).
 */
export class ReplyReader {
  /** The open multi-line reply: its code (0 when none) and first line's text. */
  private code = 0;
  private text = '';

  /** The reply this line completes; null while a multi-line one goes on; 'bad' for a line that is not a reply. */
  read(line: string): Reply | null | 'bad' {
    if (this.code !== 0) {
      if (line.length < 4 || line.charCodeAt(3) !== 0x20 || Number(line.slice(0, 3)) !== this.code) return null;
      const done = { code: this.code, text: this.text };
      this.code = 0;
      return done;
    }
    const m = REPLY.exec(line);
    if (m === null || !textLine(line)) return 'bad';
    if (m[2] === '-') {
      this.code = Number(m[1]);
      this.text = m[3]!;
      return null;
    }
    return { code: Number(m[1]), text: m[3]! };
  }
}
