/**
 * `nad merge SHARD_DIR…`: joins shards made by `nad analyze --shard` (merge.ts), then detects and writes the same
 * outputs as `nad analyze` over the whole capture. Timeouts and --no-app come from the shards, not the command line.
 */
import { join } from 'node:path';
import { detectionSetup, runParameters, type AnalyzeCliOptions } from '../cli/analyze_command.js';
import { prepareOutDir } from '../cli/outdir.js';
import { writeCsv, writeRunOutputs } from '../cli/outputs.js';
import { FLOW_COLUMNS } from '../export/tables.js';
import { mergeShards } from './merge.js';

export async function runMergeCommand(dirs: string[], cli: AnalyzeCliOptions): Promise<number> {
  const outDir = cli.out ?? join('reports', 'merged');
  prepareOutDir(outDir, cli.force);
  const { data, shards } = await mergeShards(dirs);
  const flow = shards[0]!.meta.flow;
  const opts: AnalyzeCliOptions = {
    ...cli,
    out: outDir,
    tcpTimeout: flow.tcp_idle_s,
    udpTimeout: flow.udp_idle_s,
    icmpTimeout: flow.icmp_idle_s,
    activeTimeout: flow.active_timeout_s,
    app: shards[0]!.meta.app,
  };
  const setup = await detectionSetup(opts, new AbortController().signal);
  writeCsv(join(outDir, 'flows.csv'), FLOW_COLUMNS, data.conns);
  const merged = shards.map((s) => ({ dir: s.dir, first_ts: s.meta.first_ts, last_ts: s.meta.last_ts, flows: s.meta.flows, edge_flows: s.meta.edge_flows }));
  const result = await writeRunOutputs(outDir, data, runParameters(opts), opts, setup, { merged_shards: merged });
  return result.exitCode;
}
