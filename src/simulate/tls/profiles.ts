/**
 * TLS ClientHello shapes of common clients, from their published fingerprints (cipher and extension order as each
 * stack sends them): Chrome/Edge (BoringSSL: GREASE, RFC 8701, and a shuffled extension order since Chrome 110),
 * Firefox (NSS), Safari (Apple's BoringSSL build), curl (OpenSSL 3), Windows SChannel (TLS 1.2 only) and Go crypto/tls.
 * Post-quantum key shares are left out so that every ClientHello fits one TCP segment.
 */

/** Placeholder for a GREASE value (RFC 8701); each connection draws its own. */
export const GREASE = -1;

export const Ext = {
  server_name: 0, status_request: 5, supported_groups: 10, ec_point_formats: 11, signature_algorithms: 13,
  alpn: 16, sct: 18, padding: 21, encrypt_then_mac: 22, extended_master_secret: 23, compress_certificate: 27,
  record_size_limit: 28, delegated_credentials: 34, session_ticket: 35, supported_versions: 43, psk_key_exchange_modes: 45,
  post_handshake_auth: 49, key_share: 51, quic_transport_parameters: 57, application_settings: 17513, renegotiation_info: 65281,
} as const;

export type ClientName = 'chrome' | 'edge' | 'firefox' | 'safari' | 'curl' | 'schannel' | 'go' | 'chrome_quic';

export interface ClientProfile {
  readonly name: ClientName;
  readonly ciphers: readonly number[];
  /** Extension order; GREASE marks a GREASE extension. */
  readonly extensions: readonly number[];
  /** Chrome ≥ 110 shuffles every extension except GREASE, padding and pre_shared_key. */
  readonly shuffle: boolean;
  readonly groups: readonly number[];
  readonly key_shares: readonly number[];
  readonly sigalgs: readonly number[];
  readonly versions: readonly number[];
  readonly point_formats: readonly number[];
  readonly alpn: readonly string[];
  readonly compress_cert?: readonly number[];
  readonly delegated_sigalgs?: readonly number[];
  /** BoringSSL/NSS pad a ClientHello of 256..511 bytes to 512 (RFC 7685). */
  readonly pad_to_512: boolean;
  /** Carried in QUIC CRYPTO frames (RFC 9001 §4): no legacy session id, transport parameters extension. */
  readonly quic?: boolean;
}

const CHROME_SIGALGS = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
const chromium = (name: 'chrome' | 'edge'): ClientProfile => ({
  name,
  ciphers: [GREASE, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035],
  extensions: [GREASE, 0, 23, 65281, 10, 11, 35, 16, 5, 13, 18, 51, 45, 43, 27, 17513, GREASE, 21],
  shuffle: true,
  groups: [GREASE, 29, 23, 24],
  key_shares: [GREASE, 29],
  sigalgs: CHROME_SIGALGS,
  versions: [GREASE, 0x0304, 0x0303],
  point_formats: [0],
  alpn: ['h2', 'http/1.1'],
  compress_cert: [2],
  pad_to_512: true,
});

export const CLIENT_PROFILES: Readonly<Record<ClientName, ClientProfile>> = {
  chrome: chromium('chrome'),
  edge: chromium('edge'),
  chrome_quic: {
    name: 'chrome_quic',
    ciphers: [0x1301, 0x1302, 0x1303],
    extensions: [GREASE, 0, 10, 13, 16, 27, 43, 45, 51, 57, 17513, GREASE],
    shuffle: true,
    groups: [GREASE, 29, 23, 24],
    key_shares: [GREASE, 29],
    sigalgs: CHROME_SIGALGS,
    versions: [GREASE, 0x0304],
    point_formats: [],
    alpn: ['h3'],
    compress_cert: [2],
    pad_to_512: false,
    quic: true,
  },
  firefox: {
    name: 'firefox',
    ciphers: [0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc02c, 0xc030, 0xc00a, 0xc009, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035],
    extensions: [0, 23, 65281, 10, 11, 35, 16, 5, 34, 51, 43, 13, 45, 28, 21],
    shuffle: false,
    groups: [29, 23, 24, 25, 256, 257],
    key_shares: [29, 23],
    sigalgs: [0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201],
    versions: [0x0304, 0x0303],
    point_formats: [0],
    alpn: ['h2', 'http/1.1'],
    delegated_sigalgs: [0x0403, 0x0503, 0x0603, 0x0203],
    pad_to_512: true,
  },
  safari: {
    name: 'safari',
    ciphers: [GREASE, 0x1301, 0x1302, 0x1303, 0xc02c, 0xc02b, 0xcca9, 0xc030, 0xc02f, 0xcca8, 0xc00a, 0xc009, 0xc014, 0xc013, 0x009d, 0x009c, 0x0035, 0x002f, 0xc008, 0xc012, 0x000a],
    extensions: [GREASE, 0, 23, 65281, 10, 11, 16, 5, 13, 18, 51, 45, 43, 27, GREASE, 21],
    shuffle: false,
    groups: [GREASE, 29, 23, 24, 25],
    key_shares: [GREASE, 29],
    sigalgs: [0x0403, 0x0804, 0x0401, 0x0503, 0x0203, 0x0805, 0x0805, 0x0501, 0x0806, 0x0601, 0x0201],
    versions: [GREASE, 0x0304, 0x0303, 0x0302, 0x0301],
    point_formats: [0],
    alpn: ['h2', 'http/1.1'],
    compress_cert: [1],
    pad_to_512: true,
  },
  curl: {
    name: 'curl',
    ciphers: [0x1302, 0x1303, 0x1301, 0xc02c, 0xc030, 0x009f, 0xcca9, 0xcca8, 0xccaa, 0xc02b, 0xc02f, 0x009e, 0xc024, 0xc028, 0x006b, 0xc023, 0xc027, 0x0067, 0xc00a, 0xc014, 0x0039, 0xc009, 0xc013, 0x0033, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x00ff],
    extensions: [0, 11, 10, 35, 16, 22, 23, 49, 13, 43, 45, 51],
    shuffle: false,
    groups: [29, 23, 30, 25, 24, 256, 257, 258, 259, 260],
    key_shares: [29],
    sigalgs: [0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x081a, 0x081b, 0x081c, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602],
    versions: [0x0304, 0x0303],
    point_formats: [0, 1, 2],
    alpn: ['h2', 'http/1.1'],
    pad_to_512: false,
  },
  schannel: {
    name: 'schannel',
    ciphers: [0xc02c, 0xc02b, 0xc030, 0xc02f, 0xc024, 0xc023, 0xc028, 0xc027, 0xc00a, 0xc009, 0xc014, 0xc013, 0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, 0x000a],
    extensions: [0, 5, 10, 11, 13, 35, 16, 23, 65281],
    shuffle: false,
    groups: [29, 23, 24],
    key_shares: [],
    sigalgs: [0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0201, 0x0403, 0x0503, 0x0203, 0x0202, 0x0601, 0x0603],
    versions: [],
    point_formats: [0],
    alpn: ['h2', 'http/1.1'],
    pad_to_512: false,
  },
  go: {
    name: 'go',
    ciphers: [0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc009, 0xc013, 0xc00a, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035, 0xc012, 0x000a, 0x1301, 0x1302, 0x1303],
    extensions: [0, 5, 10, 11, 13, 65281, 18, 43, 51],
    shuffle: false,
    groups: [29, 23, 24, 25],
    key_shares: [29],
    sigalgs: [0x0804, 0x0403, 0x0807, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0503, 0x0603, 0x0201, 0x0203],
    versions: [0x0304, 0x0303],
    point_formats: [0],
    alpn: [],
    pad_to_512: false,
  },
};

/** How a server answers: TLS 1.3 when it and the client can, and the order of its ServerHello extensions (JA3S). */
export interface ServerProfile {
  readonly name: string;
  readonly tls13: boolean;
  /** Preferred suites, first match with the client's list wins. */
  readonly ciphers: readonly number[];
  readonly ext13: readonly number[];
  readonly ext12: readonly number[];
  /** Size of the certificate chain in bytes (drives the size of the server's first flight). */
  readonly cert_bytes: number;
}

export const SERVER_PROFILES = {
  /** Google front ends (BoringSSL). */
  gws: { name: 'gws', tls13: true, ciphers: [0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, 0xcca9], ext13: [51, 43], ext12: [65281, 11, 23, 16], cert_bytes: 4100 },
  /** Cloudflare edge. */
  cloudflare: { name: 'cloudflare', tls13: true, ciphers: [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f], ext13: [51, 43], ext12: [65281, 11, 35, 16], cert_bytes: 2600 },
  /** nginx / OpenSSL 1.1.1+ (AWS, Fastly, most hosting). */
  openssl: { name: 'openssl', tls13: true, ciphers: [0x1302, 0x1301, 0x1303, 0xc030, 0xc02f, 0xc02c, 0xc02b], ext13: [43, 51], ext12: [65281, 11, 35, 16, 23], cert_bytes: 3600 },
  /** Microsoft front doors (SChannel). */
  iis: { name: 'iis', tls13: true, ciphers: [0x1302, 0x1301, 0xc030, 0xc02f, 0xc028, 0xc027], ext13: [43, 51], ext12: [23, 65281, 16], cert_bytes: 5200 },
  /** Akamai edge. */
  akamai: { name: 'akamai', tls13: true, ciphers: [0x1302, 0x1301, 0x1303, 0xc030, 0xc02f], ext13: [43, 51], ext12: [65281, 11, 16, 23], cert_bytes: 3900 },
  /** An older appliance or small host that stops at TLS 1.2. */
  legacy: { name: 'legacy', tls13: false, ciphers: [0xc030, 0xc02f, 0x009d, 0x009c, 0x0035], ext13: [], ext12: [65281, 11, 35, 23], cert_bytes: 2900 },
} as const satisfies Record<string, ServerProfile>;

export type ServerName = keyof typeof SERVER_PROFILES;
