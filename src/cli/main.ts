#!/usr/bin/env node
/**
 * nad's command line (commander). The Python tool's flags keep their meaning: -i interface, -c count, -t timeout,
 * -f BPF filter, -m train mode, -g geo, -a anomaly threshold, -v verbose.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { EXIT, reportError } from './errors.js';
import { pythonGeoip } from './geo_default.js';
import type { AnalyzeCliOptions } from './analyze_command.js';
import type { BaselineCliOptions } from './baseline.js';
import type { CaptureCliOptions } from './capture.js';
import { TOOL_VERSION } from './version.js';

function parseNumber(min: number, max: number, integer: boolean) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
    }
    return n;
  };
}
function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Options shared by `analyze` and `capture` (capture analyses what it captures). */
function addAnalyzeOptions(cmd: Command): Command {
  const top = cmd
    .option('-o, --out <dir>', 'output directory (default: reports/<input name>/)')
    .option('--force', 'replace a non-empty output directory', false)
    .option('-b, --baseline <file...>', 'trusted capture(s) to learn from, or a model JSON made by `nad baseline`')
    .option('--save-baseline <file>', 'also save the baseline learned from --baseline captures as a model JSON')
    .option('-a, --threshold <0..1>', `anomaly cut for the isolation-forest score, as in the Python tool (default 0.6)`, parseNumber(0, 1, false))
    // The Python tool's long name for -a; hidden, so --help lists the flag once.
    .addOption(new Option('--anomaly-threshold <0..1>').argParser(parseNumber(0, 1, false)).conflicts('threshold').hideHelp());
  const head = addGeoOptions(top, 'geo enrichment (country, city, ASN) of public addresses (default on)', 'no geo enrichment')
    .option('-f, --filter <bpf>', 'BPF filter applied through tcpdump (real BPF semantics; tcpdump must be installed)')
    .option('--allow <file>', 'allow-list (YAML or JSON: CIDRs, domain suffixes, JA3/JA4/JA4H, each with a reason)')
    .option('--intel <file>', 'threat-intel indicators to match: a Zeek Intel framework file, a STIX 2 bundle or a plain list (repeatable)', collect, [] as string[])
    .option('--detector <module>', 'load a custom detector module (repeatable)', collect, [] as string[])
    .addOption(new Option('--fail-on <severity>', 'exit 1 when any finding is at or above this severity').choices(['low', 'medium', 'high']))
    .addOption(new Option('--alert-level <severity>', 'lowest severity written to alert sinks, as the Python tool\'s ALERT_LEVEL').choices(['low', 'medium', 'high']).default('medium'))
    .option('--alert-log <file>', 'append alerts (ECS JSON lines) to a long-lived log');
  return addFlowTimeouts(head)
    .option('--no-app', 'skip application-layer parsing (DNS, TLS, QUIC, HTTP, SSH, FTP)')
    .option('--capture-passwords', 'keep the passwords of cleartext logins (FTP, HTTP Basic, SMTP, POP3, IMAP, LDAP) in ftp.csv and credentials.csv (default: user names only, FTP guests\' passwords)')
    .option('--tls-keylog <file>', 'decrypt the TLS connections whose secrets this key log holds (SSLKEYLOGFILE / NSS format, as Wireshark reads it; repeatable): their HTTP goes to http.csv', collect, [] as string[])
    .option('--extract-files', 'write every file seen whole to files/ in the output folder, named by its SHA-256 as files.csv gives it: HTTP bodies and form files both ways (HTTP/1.x; HTTP/2 and 3 when decrypted), FTP transfers, mail attachments')
    .option('--no-detect', 'skip detection: flows and metadata exports only')
    .option('--no-report', 'skip report.html')
    .option('--workers <n>', 'n flow tables, one in the reading thread and n - 1 in worker threads (default: the number of cores for a pipe or a capture over 64 MB on more than 2 cores, else 1); the outputs are the same for any n', parseNumber(1, 64, true))
    .option('-q, --quiet', 'no progress and no terminal summary', false)
    .option('-v, --verbose', 'more detail in the terminal summary', false)
    .option('--debug', 'show stack traces', false)
    .hook('preAction', (c) => {
      const alias = c.getOptionValue('anomalyThreshold') as number | undefined;
      if (alias !== undefined) c.setOptionValue('threshold', alias);
    });
}

/** --geoip defaults to the Python tool's data/GeoLite2-City.mmdb when that file is there (geo_default.ts); said once. */
function usePythonGeoip(c: Command): void {
  const o = c.opts<{ geo?: boolean; geoip?: string; quiet?: boolean }>();
  const path = pythonGeoip(o);
  if (path === undefined) return;
  c.setOptionValue('geoip', path);
  if (o.quiet !== true) process.stderr.write(`nad: geo: ${path} (the Python tool's GeoIP path); --geoip FILE for another, --no-geo for none\n`);
}

/** The flow table's timeouts: a baseline must be learned with those of the analyses it serves (flows are its rows). */
function addFlowTimeouts(cmd: Command): Command {
  return cmd
    .option('--tcp-timeout <s>', 'TCP idle timeout in seconds', parseNumber(1, 86400, false), 300)
    .option('--udp-timeout <s>', 'UDP idle timeout in seconds', parseNumber(1, 86400, false), 60)
    .option('--icmp-timeout <s>', 'ICMP idle timeout in seconds', parseNumber(1, 86400, false), 60)
    .option('--active-timeout <s>', 'active timeout in seconds: a longer flow is split (0 = off)', parseNumber(0, 7 * 86400, false), 3600);
}

/** -g/--geo, --no-geo, --geoip, --asn (the help of the first two says what geo is for), and the Python tool's path. */
function addGeoOptions(cmd: Command, geo: string, noGeo: string): Command {
  return cmd
    .option('-g, --geo', geo)
    .option('--no-geo', noGeo)
    .option('--geoip <mmdb>', 'MaxMind GeoLite2/GeoIP2 City (or Country) database to use instead of the embedded DB-IP Lite data')
    .option('--asn <mmdb>', 'MaxMind GeoLite2/GeoIP2 ASN database to use instead of the embedded ASN table')
    .hook('preAction', usePythonGeoip);
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('nad')
    .description('Network anomaly detector: offline PCAP forensic analyser and report generator')
    .version(TOOL_VERSION)
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(str) })
    .exitOverride();

  addAnalyzeOptions(
    program
      .command('analyze')
      .description('analyse capture files (pcap, pcapng, gzip; `-` for stdin) and write reports/<name>/')
      .argument('<captures...>', 'capture files, directories of rotated files (read as one capture), or - for stdin')
      .option('-m, --train-mode', 'train mode: learn a baseline from the captures instead (same as `nad baseline`)', false)
      .option('--shard', 'also write Parquet tables and edge packets, so time slices of one capture analysed apart can be joined by `nad merge`', false),
  ).action(async (captures: string[], opts: AnalyzeCliOptions & { trainMode: boolean }) => {
    if (opts.trainMode) {
      const { runBaselineCommand } = await import('./baseline.js');
      // The analyze options a baseline uses (filter, flow timeouts, geo) go on as they are.
      process.exitCode = await runBaselineCommand(captures, { ...opts, out: opts.out ?? 'models/baseline.json' });
      return;
    }
    const { runAnalyzeCommand } = await import('./analyze_command.js');
    process.exitCode = await runAnalyzeCommand(captures, opts);
  });

  addGeoOptions(addFlowTimeouts(
    program
      .command('baseline')
      .description('learn what normal looks like from trusted captures; write a model JSON')
      .argument('<captures...>', 'trusted capture files')
      .requiredOption('-o, --out <file>', 'model file to write, e.g. models/office.json')
      .option('--force', 'replace an existing model file', false)
      .option('-f, --filter <bpf>', 'BPF filter applied through tcpdump')
      .option('-q, --quiet', 'no progress', false)
      .option('--debug', 'show stack traces', false),
  ), 'countries and ASNs of public addresses in the model (default on)', 'no countries or ASNs in the model')
    .action(async (captures: string[], opts: BaselineCliOptions) => {
      const { runBaselineCommand } = await import('./baseline.js');
      process.exitCode = await runBaselineCommand(captures, opts);
    });

  program
    .command('simulate')
    .description('write a labelled synthetic capture of a small office network, with a ground-truth JSON beside it')
    .requiredOption('-o, --out <file>', 'capture to write (the ground truth goes to <name>.truth.json)')
    .option('--seed <n>', 'random seed: the same seed gives the same bytes', parseNumber(0, 2 ** 32 - 1, true), 1)
    .option('--start <iso>', 'capture start time (ISO 8601)', '2026-03-02T08:00:00Z')
    .option('--hours <h>', 'capture length in hours', parseNumber(0.01, 168, false), 4)
    .option('--hosts <k>', 'office hosts', parseNumber(1, 250, true), 12)
    .option('--inject <list>', 'behaviours to inject: beacon,exfil,dns-tunnel,scan,new-country,… or all', '')
    .option('--force', 'replace existing output files', false)
    .option('--debug', 'show stack traces', false)
    .action(async (opts: { out: string; seed: number; start: string; hours: number; hosts: number; inject: string; force: boolean }) => {
      const { runSimulateCommand } = await import('./simulate.js');
      process.exitCode = await runSimulateCommand(opts);
    });

  // scale: `nad merge` (src/scale/merge_command.ts)
  addAnalyzeOptions(
    program
      .command('merge')
      .description('join shard directories made by `nad analyze --shard` (DuckDB) and write the report of the whole capture')
      .argument('<shards...>', 'shard directories (any order: they are put in time order)'),
  ).action(async (shards: string[], opts: AnalyzeCliOptions) => {
    const { runMergeCommand } = await import('../scale/merge_command.js');
    process.exitCode = await runMergeCommand(shards, opts);
  });

  addAnalyzeOptions(
    program
      .command('capture')
      .description('capture live traffic with tcpdump and analyse it while it streams')
      .requiredOption('-i, --interface <iface>', 'network interface, as in the Python tool')
      .option('-c, --count <n>', 'stop after this many packets (0 = unlimited)', parseNumber(0, Number.MAX_SAFE_INTEGER, true), 0)
      .option('-t, --timeout <s>', 'stop after this many seconds', parseNumber(0, 7 * 86400, false))
      .option('-w, --write <pcap>', 'keep the raw capture here (default: capture.pcap beside the report)')
      .option('-m, --train-mode', 'train mode: learn a baseline from the live capture (writes --out as a model JSON)', false),
  ).action(async (opts: CaptureCliOptions) => {
    const { runCaptureCommand } = await import('./capture.js');
    process.exitCode = await runCaptureCommand(opts);
  });

  return program;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  const debug = argv.includes('--debug');
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') return EXIT.ok;
    if (typeof code === 'string' && code.startsWith('commander.')) return EXIT.usage;
    return reportError(err, debug);
  }
}

// `nad analyze … | head`: once the reader of stdout is gone, the summary has nowhere to go, but the files do; the
// broken pipe is not an error of the analysis (no stack trace, the run's own exit code).
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});
process.exitCode = await main(process.argv);
