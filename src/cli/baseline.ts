/**
 * `nad baseline trusted.pcap… -o models/NAME.json` (train mode; also `nad analyze -m`): learn what normal looks like
 * and save it as a versioned model JSON with the inputs' sha256.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { learnBaseline, saveBaseline, type BaselineModel } from '../detect/baseline.js';
import type { GeoLookup as DetectGeo } from '../detect/detector.js';
import { openGeoFromOptions, type GeoLookup } from '../geo/lookup.js';
import { appByUid, type CaptureData } from './analyze.js';
import { readForAnalysis } from './analyze_command.js';
import { EXIT } from './errors.js';
import { checkNewFile } from './outdir.js';
import { handleInterrupts } from './signals.js';

export interface BaselineCliOptions {
  out: string;
  force: boolean;
  quiet: boolean;
  filter?: string | undefined;
  geo?: boolean;
  geoip?: string;
  asn?: string;
  /** Flow-table timeouts (s), from the same options as analyze's (main.ts addFlowTimeouts, with its defaults). */
  tcpTimeout: number;
  udpTimeout: number;
  icmpTimeout: number;
  activeTimeout: number;
}

/** The detectors' view of geo: country and ASN of public addresses only. */
export function detectGeo(geo: GeoLookup): DetectGeo | null {
  if (!geo.enabled) return null;
  return (ip) => {
    const g = geo.lookup(ip);
    if (g.scope !== 'public' || g.country === '') return null;
    return { country: g.country, asn: g.asn === null ? '' : `AS${g.asn}` };
  };
}

/** Learns a model from assembled capture data. */
export function learnFromData(data: CaptureData, geo: GeoLookup): BaselineModel {
  return learnBaseline(
    { conns: data.conns, app: appByUid(data) },
    { inputs: data.inputs.map((i) => ({ path: i.path, sha256: i.sha256 })), geo: detectGeo(geo) },
  );
}

export async function runBaselineFromData(data: CaptureData, path: string, inputs?: { path: string; sha256: string }[], geoOpts: { geo?: boolean; geoip?: string; asn?: string } = {}): Promise<number> {
  const model = learnFromData(data, openGeoFromOptions(geoOpts));
  if (inputs) model.inputs = inputs;
  mkdirSync(dirname(path), { recursive: true });
  saveBaseline(path, model);
  process.stderr.write(
    `nad: baseline of ${model.conns} flows over ${model.hours.toFixed(2)} h → ${path} ` +
      `(${model.known.flow.length} flow and ${model.known.pair.length} pair shapes the isolation forest finds unusual kept as known)\n`,
  );
  return EXIT.ok;
}

export async function runBaselineCommand(captures: string[], opts: BaselineCliOptions): Promise<number> {
  checkNewFile(opts.out, opts.force);
  const interrupts = handleInterrupts();
  try {
    const data = await readForAnalysis(
      captures,
      {
        tcpTimeout: opts.tcpTimeout, udpTimeout: opts.udpTimeout, icmpTimeout: opts.icmpTimeout, activeTimeout: opts.activeTimeout,
        app: true, quiet: opts.quiet, ...(opts.filter !== undefined ? { filter: opts.filter } : {}),
      },
      null,
      interrupts.signal,
    );
    return await runBaselineFromData(data, opts.out, undefined, opts);
  } finally {
    interrupts.dispose();
  }
}
