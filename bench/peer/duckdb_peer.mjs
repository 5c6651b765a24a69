// The DuckDB peer of `make bench`: runs the ready Nexmark queries of bench/nexmark/ over the
// json-log mode's bids as an NDJSON file, `COPY (query) TO '/dev/null'`, and measures the CPU
// seconds of this process (user+sys, every DuckDB thread included) per query, as the runner does
// for a Sluice worker. The query text is the very SELECT of bench/nexmark/qN.sql.
//
//   node duckdb_peer.mjs --ndjson bids.ndjson --suite bench/nexmark [--queries q0,q1]
//                        [--out peer.jsonl] [--format json|csv] [--threads N]
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';

function parseArgs(argv) {
  const args = { queries: '', out: '', format: process.env.SLUICE_BENCH_PEER_FORMAT || 'json',
                 threads: process.env.SLUICE_BENCH_PEER_THREADS || '' };
  for (let i = 2; i < argv.length; i += 2) args[argv[i].replace(/^--/, '')] = argv[i + 1] ?? '';
  return args;
}

// The queries the manifest marks ready, in manifest order.
function readyQueries(suite, only) {
  const wanted = new Set(only.split(',').filter((name) => name));
  return fs.readFileSync(path.join(suite, 'manifest.tsv'), 'utf8').split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => line.trim().split(/\s+/))
    .filter(([name, , status]) => status === 'ready' && (wanted.size === 0 || wanted.has(name)))
    .map(([name]) => name);
}

// The last statement of a query file, without comments and the trailing ';'.
function finalSelect(file) {
  const text = fs.readFileSync(file, 'utf8').split('\n')
    .map((line) => line.replace(/--.*$/, '')).join('\n');
  const statements = text.split(';').map((s) => s.trim()).filter((s) => s);
  return statements[statements.length - 1];
}

function cpuSeconds(usage) { return (usage.user + usage.system) / 1e6; }

const args = parseArgs(process.argv);
const config = {};
if (args.threads) config.threads = String(args.threads);
const instance = await DuckDBInstance.create(':memory:', config);
const connection = await instance.connect();
const file = args.ndjson.replace(/'/g, "''");
// The columns are declared, as a Sluice stream declares them; datetime is epoch ms in the JSON.
await connection.run(`CREATE VIEW bid AS SELECT * FROM read_json('${file}',
  format = 'newline_delimited', columns = {auction: 'BIGINT', bidder: 'BIGINT', price: 'BIGINT',
  channel: 'VARCHAR', url: 'VARCHAR', datetime: 'BIGINT', extra: 'VARCHAR'})`);
const countOf = async (sql) =>
  Number((await connection.runAndReadAll(`SELECT count(*) FROM (${sql})`)).getRows()[0][0]);
const events = await countOf('SELECT * FROM bid');
const format = args.format === 'csv' ? '(FORMAT CSV)' : '(FORMAT JSON)';

const lines = [];
for (const name of readyQueries(args.suite, args.queries)) {
  const sql = finalSelect(path.join(args.suite, `${name}.sql`));
  const recordsOut = await countOf(sql);  // untimed; also warms the page cache like the runner's
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  await connection.run(`COPY (${sql}) TO '/dev/null' ${format}`);
  const cpu = cpuSeconds(process.cpuUsage(cpuBefore));
  const wall = (performance.now() - wallBefore) / 1000;
  const result = {
    query: name, engine: 'duckdb', events, records_out: recordsOut, cpu_s: cpu, wall_s: wall,
    events_per_cpu_s: cpu > 0 ? events / cpu : 0, output_format: args.format,
    peak_rss_mib: process.resourceUsage().maxRSS / 1024,
  };
  console.log(`${name} duckdb   events=${events} out=${recordsOut} wall=${wall.toFixed(2)}s ` +
              `cpu=${cpu.toFixed(2)}s ${Math.round(result.events_per_cpu_s)} events/cpu-s`);
  lines.push(JSON.stringify(result));
}
if (args.out) fs.writeFileSync(args.out, lines.map((line) => line + '\n').join(''));
