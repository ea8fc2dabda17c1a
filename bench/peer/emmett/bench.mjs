// bench/peer/emmett/bench.mjs - esk-bench's peer: the SQLite store
// workloads of esk-bench on emmett-sqlite, through its public API.
//
// esk-bench runs it once per workload (so that each workload's peak RSS
// is its own process's) and reads one JSON line from it:
//
//   node bench.mjs --workload sqlite.append_batch --events 100000 \
//       --streams 1000 --batch 100 --page 500 --passes 5 --runs 5 \
//       --dir /tmp/esk-bench.XXXXXX
//
// The events are the bench's: type AttendeeRegistered, data
// {"workshopId":"w-17","seats":1}, streams workshop-0 .. workshop-N-1,
// appended round-robin with the expected version. See bench/README.md.
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

import {
  appendToStream,
  createEventStoreSchema,
  readMessagesBatch,
  readStream,
  sqliteConnection,
} from '@event-driven-io/emmett-sqlite';

// The installed version (the package exports no package.json).
const version = JSON.parse(
  readFileSync(
    new URL(
      './node_modules/@event-driven-io/emmett-sqlite/package.json',
      import.meta.url,
    ),
  ),
).version;

function parseArgs(argv) {
  const o = {
    workload: '',
    events: 100000,
    streams: 1000,
    batch: 100,
    page: 500,
    passes: 5,
    runs: 3,
    dir: '/tmp',
  };
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (!(key in o) || i + 1 >= argv.length)
      throw new Error(`unknown or incomplete option ${argv[i]}`);
    o[key] = typeof o[key] === 'number' ? Number(argv[i + 1]) : argv[i + 1];
  }
  return o;
}

const streamId = (s) => `workshop-${s}`;
const event = (s) => ({
  type: 'AttendeeRegistered',
  data: { workshopId: `w-${s}`, seats: 1 },
});

function removeDb(path) {
  for (const suffix of ['', '-wal', '-shm', '-journal'])
    rmSync(path + suffix, { force: true });
}

// The size of a database and its WAL, as it sits on disk.
function dbBytes(path) {
  let total = 0;
  for (const suffix of ['', '-wal'])
    if (existsSync(path + suffix)) total += statSync(path + suffix).size;
  return total;
}

// One connection for the whole workload, as esk keeps its store open.
// (emmett's getSQLiteEventStore opens and closes a connection around
// every call on a file; on this machine that failed now and then with
// "SQLITE_BUSY: cannot commit transaction - SQL statements in progress",
// and it would measure opening files rather than appending.)
async function open(path) {
  const connection = sqliteConnection({ fileName: path });
  await createEventStoreSchema(connection);
  return connection;
}

// cfg.events events in appends of n, round-robin over the streams, each
// expecting the stream's version: the bench's append workloads.
async function append(cfg, path, n) {
  const connection = await open(path);
  const versions = new Array(cfg.streams).fill(0n);
  const batches = [];
  for (let s = 0; s < cfg.streams; s++)
    batches.push(Array.from({ length: n }, () => event(s)));
  let b = 0;
  for (let done = 0; done < cfg.events; b++) {
    const count = Math.min(n, cfg.events - done);
    const s = b % cfg.streams;
    const events = count === n ? batches[s] : batches[s].slice(0, count);
    const result = await appendToStream(
      connection,
      streamId(s),
      'workshop',
      events,
      { expectedStreamVersion: versions[s] },
    );
    if (!result.success) throw new Error(`append to ${streamId(s)} failed`);
    versions[s] += BigInt(count);
    done += count;
  }
  // Into the main file, as esk's last connection does when it closes,
  // so that the file sizes compare.
  await connection.command('PRAGMA wal_checkpoint(TRUNCATE)');
  connection.close();
}

// The database the read workloads read: written once per bench run, in
// batches, since one-event appends would take minutes.
async function fixture(cfg) {
  const path = join(cfg.dir, 'emmett-fixture.db');
  if (!existsSync(path)) await append(cfg, path, cfg.batch);
  return path;
}

async function readStreams(cfg, path) {
  const connection = await open(path);
  let events = 0;
  let seats = 0;
  for (let pass = 0; pass < cfg.passes; pass++)
    for (let s = 0; s < cfg.streams; s++) {
      const result = await readStream(connection, streamId(s));
      for (const e of result.events) {
        events++;
        seats += e.data.seats;
      }
    }
  connection.close();
  return { events, seats };
}

async function readAll(cfg, path) {
  const connection = await open(path);
  let events = 0;
  let seats = 0;
  try {
    for (let pass = 0; pass < cfg.passes; pass++) {
      let after = 0n;
      for (;;) {
        const batch = await readMessagesBatch(connection, {
          after,
          batchSize: cfg.page,
        });
        for (const e of batch.messages) {
          events++;
          seats += e.data.seats;
        }
        if (!batch.areEventsLeft || batch.messages.length === 0) break;
        after = batch.currentGlobalPosition;
      }
    }
  } finally {
    connection.close();
  }
  return { events, seats };
}

async function measure(cfg) {
  const rates = [];
  let bytes = null;
  for (let run = 0; run < cfg.runs; run++) {
    const ops = cfg.workload.startsWith('sqlite.read')
      ? cfg.events * cfg.passes
      : cfg.events;
    let seconds;
    if (cfg.workload.startsWith('sqlite.append')) {
      const path = join(cfg.dir, `emmett-append-${process.pid}.db`);
      removeDb(path);
      const n = cfg.workload === 'sqlite.append_1' ? 1 : cfg.batch;
      const start = performance.now();
      await append(cfg, path, n);
      seconds = (performance.now() - start) / 1000;
      bytes = dbBytes(path);
      removeDb(path);
    } else {
      const path = await fixture(cfg);
      const read = cfg.workload === 'sqlite.read_all' ? readAll : readStreams;
      const start = performance.now();
      const got = await read(cfg, path);
      seconds = (performance.now() - start) / 1000;
      if (got.events !== ops || got.seats !== ops)
        throw new Error(`read ${got.events} events, expected ${ops}`);
    }
    rates.push(ops / seconds);
  }
  return { rates, bytes };
}

const supported = [
  'sqlite.append_1',
  'sqlite.append_batch',
  'sqlite.read_streams',
  'sqlite.read_all',
];

async function main() {
  const cfg = parseArgs(process.argv);
  const line = { peer: 'emmett-sqlite', version, workload: cfg.workload };
  if (!supported.includes(cfg.workload)) {
    line.unsupported = 'not a workload this peer runs';
  } else {
    const { rates, bytes } = await measure(cfg);
    line.unit = 'events/s';
    line.runs = rates;
    // Node reports the peak resident set size in KiB.
    line.peak_rss_kib = process.resourceUsage().maxRSS;
    if (bytes !== null) {
      line.db_bytes = bytes;
      line.db_events = cfg.events;
    }
  }
  process.stdout.write(JSON.stringify(line) + '\n');
}

main().catch((error) => {
  process.stdout.write(
    JSON.stringify({ peer: 'emmett-sqlite', failed: String(error) }) + '\n',
  );
  process.exitCode = 1;
});
