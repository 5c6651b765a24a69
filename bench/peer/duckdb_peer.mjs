// The DuckDB peer of `make bench`: runs the ready Nexmark queries of bench/nexmark/ over the
// json-log mode's records as NDJSON files (<dir>/bid.ndjson, person.ndjson, auction.ndjson),
// `COPY (query) TO '/dev/null'`, and measures the CPU seconds of this process (user+sys, every
// DuckDB thread included) per query, as the runner does for a Sluice worker. For q0-q2 the query
// text is the very SELECT of bench/nexmark/qN.sql; q3-q8 are written below in DuckDB's SQL with
// the same semantics (windows by arithmetic on the epoch-ms event time, the setup's intermediate
// streams as CTEs), as a user would write them there. Events: the records of the streams a query
// reads (the manifest's second column), as the runner counts them.
//
//   node duckdb_peer.mjs --ndjson-dir DIR --suite bench/nexmark [--queries q0,q1]
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

// The queries the manifest marks ready (`ready` or `ready:N`), in manifest order, with the
// streams each reads.
function readyQueries(suite, only) {
  const wanted = new Set(only.split(',').filter((name) => name));
  return fs.readFileSync(path.join(suite, 'manifest.tsv'), 'utf8').split('\n')
    .filter((line) => line.trim() && !line.startsWith('#'))
    .map((line) => line.trim().split(/\s+/))
    .filter(([name, , status]) => /^ready(:|$)/.test(status) &&
                                  (wanted.size === 0 || wanted.has(name)))
    .map(([name, streams]) => ({ name, streams: streams.split(',') }));
}

// q3-q8 in DuckDB's SQL. Sluice's files express windows with TUMBLE/HOP and the intermediate
// streams as persistent queries; here they are arithmetic on datetime (epoch ms) and CTEs.
const DUCKDB_QUERIES = {
  // The seller as known when the auction arrives: created at or before it.
  q3: `SELECT P.name, P.city, P.state, A.id FROM auction AS A JOIN person AS P ON A.seller = P.id
       WHERE A.category = 10 AND P.state IN ('OR', 'ID', 'CA') AND P.datetime <= A.datetime`,
  q4: `SELECT category, AVG(final) AS avg_final FROM (
         SELECT A.id, A.category, MAX(B.price) AS final
         FROM auction AS A JOIN bid AS B ON A.id = B.auction
         WHERE B.datetime BETWEEN A.datetime AND A.expires GROUP BY A.id, A.category)
       GROUP BY category`,
  // HOP(10 s, 2 s): a bid is in the 5 windows starting at its 2 s slice and the 4 before it.
  q5: `WITH auction_bids AS (
         SELECT auction, (datetime // 2000 - k) * 2000 AS window_start, COUNT(*) AS num
         FROM bid CROSS JOIN range(5) AS r(k) GROUP BY auction, window_start),
       max_bids AS (SELECT window_start, MAX(num) AS maxn FROM auction_bids GROUP BY window_start)
       SELECT AB.auction, AB.num FROM auction_bids AS AB JOIN max_bids AS MB
         ON AB.window_start = MB.window_start AND AB.num >= MB.maxn`,
  q7: `WITH max_price AS (SELECT datetime // 10000 * 10000 AS window_start, MAX(price) AS maxprice
                         FROM bid GROUP BY window_start)
       SELECT B.auction, B.price, B.bidder, B.datetime, B.extra FROM bid AS B JOIN max_price AS M
         ON B.price = M.maxprice AND B.datetime >= M.window_start
        AND B.datetime < M.window_start + 10000`,
  q8: `WITH new_people AS (SELECT id, name, datetime // 10000 * 10000 AS window_start FROM person
                          GROUP BY id, name, window_start),
       new_sellers AS (SELECT seller, datetime // 10000 * 10000 AS window_start FROM auction
                       GROUP BY seller, window_start)
       SELECT P.id, P.name, P.window_start FROM new_people AS P JOIN new_sellers AS A
         ON P.id = A.seller AND P.window_start = A.window_start`,
};

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
// The columns are declared, as a Sluice stream declares them; times are epoch ms in the JSON.
const COLUMNS = {
  bid: `{auction: 'BIGINT', bidder: 'BIGINT', price: 'BIGINT', channel: 'VARCHAR',
         url: 'VARCHAR', datetime: 'BIGINT', extra: 'VARCHAR'}`,
  person: `{id: 'BIGINT', name: 'VARCHAR', emailaddress: 'VARCHAR', creditcard: 'VARCHAR',
            city: 'VARCHAR', state: 'VARCHAR', datetime: 'BIGINT', extra: 'VARCHAR'}`,
  auction: `{id: 'BIGINT', itemname: 'VARCHAR', description: 'VARCHAR', initialbid: 'BIGINT',
             reserve: 'BIGINT', datetime: 'BIGINT', expires: 'BIGINT', seller: 'BIGINT',
             category: 'BIGINT', extra: 'VARCHAR'}`,
};
const countOf = async (sql) =>
  Number((await connection.runAndReadAll(`SELECT count(*) FROM (${sql})`)).getRows()[0][0]);
const rowsOf = {};
for (const [stream, columns] of Object.entries(COLUMNS)) {
  const file = path.join(args['ndjson-dir'], `${stream}.ndjson`);
  if (!fs.existsSync(file)) continue;
  await connection.run(`CREATE VIEW ${stream} AS SELECT * FROM read_json(
    '${file.replace(/'/g, "''")}', format = 'newline_delimited', columns = ${columns})`);
  rowsOf[stream] = await countOf(`SELECT * FROM ${stream}`);
}
const format = args.format === 'csv' ? '(FORMAT CSV)' : '(FORMAT JSON)';

// COPY locks its target file, /dev/null included: another DuckDB process copying to it (a second
// bench on the machine) makes the COPY fail at once. Waits and tries again (a minute at most); the
// time of a failed attempt is not counted.
async function timedCopy(sql) {
  for (let attempt = 0; ; ++attempt) {
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    try {
      await connection.run(`COPY (${sql}) TO '/dev/null' ${format}`);
      return { cpu: cpuSeconds(process.cpuUsage(cpuBefore)),
               wall: (performance.now() - wallBefore) / 1000 };
    } catch (error) {
      if (!/Could not set lock/.test(String(error)) || attempt >= 600) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

const lines = [];
for (const { name, streams } of readyQueries(args.suite, args.queries)) {
  if (!streams.every((stream) => stream in rowsOf)) {
    console.log(`${name} duckdb   skipped: no NDJSON for ${streams.join(', ')}`);
    continue;
  }
  const events = streams.reduce((sum, stream) => sum + rowsOf[stream], 0);
  const sql = DUCKDB_QUERIES[name] ?? finalSelect(path.join(args.suite, `${name}.sql`));
  const recordsOut = await countOf(sql);  // untimed; also warms the page cache like the runner's
  const { cpu, wall } = await timedCopy(sql);
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
