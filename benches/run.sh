#!/usr/bin/env bash
# Side-by-side benchmarks through HTTP on loopback, printed as Markdown
# tables for docs/benchmarks.md:
#
#   1. filing requests (a distinct address each, as real requesters do) into
#      the full app and into the bare baseline (benches/baseline.rs: one
#      handler inserting the same case row through the same pool), at 1, 8
#      and 16 clients, with the ratio;
#   2. mail: messages a second from the outbox to a local SMTP server;
#   3. memory: the app's resident size idle, and its peak under load;
#   4. a flood: filing at 8 clients far faster than the SMTP server takes
#      mail, with the default mail.max_backlog: filings accepted and
#      refused, and the queue at the end (it must stay near the cap).
#
#   bash benches/run.sh                    # SQLite
#   BENCH_DATABASE_URL=postgres://u@127.0.0.1:5432/postgres bash benches/run.sh
#                                          # SQLite, then PostgreSQL (fresh
#                                          # databases made and dropped there)
#
# Needs wrk (apt-get install wrk) and python3; the mail benchmark also
# aiosmtpd (made in a venv here). Each wrk run lasts BENCH_SECS (10) seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${BENCH_SECS:-10}
work=$(mktemp -d /tmp/rightsdesk-bench.XXXXXX)
# Where the filing runs' mail files go: tmpfs when there is one (see intake).
mem=$work
if [ -d /dev/shm ] && [ -w /dev/shm ]; then mem=$(mktemp -d /dev/shm/rightsdesk-bench.XXXXXX); fi
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    rm -rf "$work" "$mem"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is needed: apt-get install wrk" >&2; exit 1; }
cargo build --release --quiet --bin rightsdesk --example baseline
app=$PWD/target/release/rightsdesk
baseline=$PWD/target/release/examples/baseline

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
wait_up() {
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
        sleep 0.1
    done
    echo "nothing listens on port $1" >&2
    exit 1
}
rss_kb() { awk "/^$2:/ {print \$2}" "/proc/$1/status"; }

# Runs wrk with the intake script; prints "requests/s p99_ms errors
# requests" (requests answered, refused ones included).
load() {
    local port=$1 clients=$2 threads
    threads=$(( clients < 2 ? 1 : 2 ))
    wrk -t"$threads" -c"$clients" -d"${secs}s" --latency \
        -s benches/wrk/intake.lua "http://127.0.0.1:$port/requests" >"$work/wrk.out"
    python3 - "$work/wrk.out" <<'PY'
import re, sys
out = open(sys.argv[1]).read()
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
errors = out.count("unexpected status") + sum(
    int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
answered = int(re.search(r"(\d+) requests in", out).group(1))
print(f"{rps:.0f} {p99:.1f} {errors} {answered}")
PY
}

common_env() {
    export RIGHTSDESK__SERVER__RATE_LIMIT_BURST=1000000
    export RIGHTSDESK__SERVER__RATE_LIMIT_PER_MINUTE=60000
    export RUST_LOG=warn
    # Filing faster than mail goes out fills the queue: past
    # mail.max_backlog the form refuses (503). The filing runs lift the cap
    # so that they measure filing; flood() measures the cap itself.
    export RIGHTSDESK__MAIL__MAX_BACKLOG=10000000
}

# Starts a local SMTP server that accepts and discards everything (aiosmtpd,
# in a venv made here) and sets sink_port.
start_sink() {
    [ -x "$work/venv/bin/python" ] || {
        python3 -m venv "$work/venv" && "$work/venv/bin/pip" install -q aiosmtpd
    }
    sink_port=$(free_port)
    "$work/venv/bin/python" -m aiosmtpd -n -l "127.0.0.1:$sink_port" -c aiosmtpd.handlers.Sink \
        >"$1/smtp.log" 2>&1 &
    pids+=($!); wait_up "$sink_port"
}

# A filing run answered with errors (a cap, a refusal) measured those, not
# filing: stop rather than print it as a result.
no_errors() {
    if [ "$1" -gt 0 ]; then
        echo "$1 filings were not accepted: the run measured refusals, not filing" >&2
        exit 1
    fi
}

# stored_cases DATABASE_URL DIR: prints the app's cases and the bytes its
# database holds (SQLite under DIR/app/data when the URL is empty).
stored_cases() {
    if [ -z "$1" ]; then
        python3 -c "
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
cases = db.execute('SELECT COUNT(*) FROM cases').fetchone()[0]
pages = db.execute('PRAGMA page_count').fetchone()[0] - db.execute('PRAGMA freelist_count').fetchone()[0]
print(cases, pages * db.execute('PRAGMA page_size').fetchone()[0])" "$2/app/data/rightsdesk.db"
    else
        echo "$(psql "$1" -tAc "SELECT COUNT(*) FROM cases")" \
            "$(psql "$1" -tAc "SELECT SUM(pg_total_relation_size(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'")"
    fi
}

# One case per acknowledged filing (and at most one per client more,
# answered after wrk stopped counting), or stop.
one_case_each() {
    local stored=$1 acknowledged=$2
    if [ "$stored" -lt "$acknowledged" ] || [ "$stored" -gt $((acknowledged + 25)) ]; then
        echo "the app stored $stored cases for $acknowledged acknowledged filings" >&2
        exit 1
    fi
}

# intake BACKEND_NAME DATABASE_URL_FOR_APP DATABASE_URL_FOR_BASELINE
intake() {
    local name=$1 app_url=$2 base_url=$3
    common_env
    local dir="$work/intake-$name"
    mkdir -p "$dir/app" "$dir/base"
    # The app's mail goes to files, on tmpfs where there is one ($mem): on a disk
    # where millions of files were made and deleted (earlier runs), ext4
    # spends a fifth of a core finding free inodes (perf: find_inode_bit,
    # recently_deleted), which measures the disk's past, not the app.
    export RIGHTSDESK_MAIL_URL="file://$mem/mail-$name"
    local port; port=$(free_port)
    (cd "$dir/app" && DATABASE_URL=$app_url RIGHTSDESK_BIND=127.0.0.1:$port \
        exec "$app" serve >"$dir/app.log" 2>&1) &
    local app_pid=$!; pids+=("$app_pid")
    local bport; bport=$(free_port)
    (cd "$dir/base" && DATABASE_URL=$base_url exec "$baseline" "127.0.0.1:$bport" >"$dir/base.log" 2>&1) &
    local base_pid=$!; pids+=("$base_pid")
    wait_up "$port"; wait_up "$bport"
    sleep 1
    idle=$(rss_kb "$app_pid" VmRSS)
    echo
    echo "### Filing requests, $name ($secs s per row, distinct addresses)"
    echo
    echo "| clients | baseline req/s | Rightsdesk req/s | ratio | baseline p99 | Rightsdesk p99 | errors |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    local acknowledged=0
    for c in 1 8 16; do
        read -r b_rps b_p99 b_err _ < <(load "$bport" "$c")
        read -r a_rps a_p99 a_err a_n < <(load "$port" "$c")
        acknowledged=$((acknowledged + a_n - a_err))
        ratio=$(python3 -c "print(f'{$a_rps / $b_rps:.2f}')")
        echo "| $c | $b_rps | $a_rps | $ratio | $b_p99 ms | $a_p99 ms | $((a_err + b_err)) |"
        no_errors $((a_err + b_err))
    done
    # What it wrote: a case per acknowledged filing (and at most one per
    # client more, answered after wrk stopped counting).
    local stored bytes
    read -r stored bytes < <(stored_cases "$app_url" "$dir")
    echo
    echo "Cases stored by Rightsdesk ($name): $stored for $acknowledged acknowledged filings;" \
        "the database holds $((bytes / stored)) bytes per case (with its confirmation email)."
    one_case_each "$stored" "$acknowledged"
    peak=$(rss_kb "$app_pid" VmHWM)
    echo
    echo "Rightsdesk's memory ($name): $((idle / 1024)) MiB resident idle, $((peak / 1024)) MiB at its peak under load."
    kill "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true

    # A web node alone (`serve --no-jobs`), its mail left to workers (on
    # other machines, in a deployment of several nodes), on the same data.
    (cd "$dir/app" && DATABASE_URL=$app_url RIGHTSDESK_BIND=127.0.0.1:$port \
        exec "$app" serve --no-jobs >"$dir/web.log" 2>&1) &
    app_pid=$!; pids+=("$app_pid")
    wait_up "$port"; sleep 1
    read -r b_rps b_p99 b_err _ < <(load "$bport" 8)
    read -r a_rps a_p99 a_err a_n < <(load "$port" 8)
    local before=$stored
    read -r stored bytes < <(stored_cases "$app_url" "$dir")
    ratio=$(python3 -c "print(f'{$a_rps / $b_rps:.2f}')")
    echo
    echo "A web node alone ($name, \`serve --no-jobs\`, 8 clients): baseline $b_rps/s, Rightsdesk" \
        "$a_rps/s (ratio $ratio); p99 $b_p99 ms and $a_p99 ms; $((a_err + b_err)) errors;" \
        "$((stored - before)) cases stored for $((a_n - a_err)) acknowledged filings."
    no_errors $((a_err + b_err))
    one_case_each $((stored - before)) $((a_n - a_err))
    kill "$app_pid" "$base_pid" 2>/dev/null || true
    wait "$app_pid" "$base_pid" 2>/dev/null || true
    rm -rf "$mem/mail-$name"
    unset RIGHTSDESK_MAIL_URL
}

# mail BACKEND_NAME DATABASE_URL: queue N confirmations with a web-only
# node, then time a worker sending them to a local SMTP server.
mail() {
    local name=$1 url=$2 n=${BENCH_MAIL:-3000}
    common_env
    export RUST_LOG=info  # the worker logs each delivery: that is what is counted
    local dir="$work/mail-$name"; mkdir -p "$dir"
    start_sink "$dir"; local sport=$sink_port
    local port; port=$(free_port)
    (cd "$dir" && DATABASE_URL=$url RIGHTSDESK_BIND=127.0.0.1:$port \
        exec "$app" serve --no-jobs >"$dir/web.log" 2>&1) &
    local web=$!; pids+=("$web"); wait_up "$port"
    python3 - "$port" "$n" <<'PY'
import concurrent.futures, sys, urllib.parse, urllib.request
port, n = int(sys.argv[1]), int(sys.argv[2])
token = "benchbenchbenchbenchbenchbenchbenchbenchben"
class Keep(urllib.request.HTTPErrorProcessor):
    def http_response(self, req, resp): return resp
opener = urllib.request.build_opener(Keep)
def one(i):
    body = urllib.parse.urlencode([("csrf_token", token), ("name", "Mail Bench"),
        ("email", f"mail-{i}@example.com"), ("location", "GB"), ("acting_as", "self"),
        ("rights", "access")]).encode()
    r = urllib.request.Request(f"http://127.0.0.1:{port}/requests", data=body,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"rd_csrf={token}"})
    return opener.open(r).status
with concurrent.futures.ThreadPoolExecutor(8) as pool:
    bad = [s for s in pool.map(one, range(n)) if s != 303]
if bad: sys.exit(f"{len(bad)} filings failed")
PY
    kill "$web"; wait "$web" 2>/dev/null || true
    local start; start=$(date +%s.%N)
    (cd "$dir" && DATABASE_URL=$url RIGHTSDESK_MAIL_URL="smtp://127.0.0.1:$sport" \
        RIGHTSDESK__MAIL__POLL_INTERVAL_SECS=1 exec "$app" worker >"$dir/worker.log" 2>&1) &
    local worker=$!; pids+=("$worker")
    local sent=0
    for _ in $(seq 1 6000); do
        sent=$(grep -c "delivered" "$dir/worker.log" || true)
        [ "$sent" -ge "$n" ] && break
        sleep 0.05
    done
    local end; end=$(date +%s.%N)
    kill "$worker"; wait "$worker" 2>/dev/null || true
    echo
    echo "Mail ($name): $sent of $n messages to a local SMTP server (aiosmtpd) in" \
        "$(python3 -c "print(f'{$end - $start:.1f}')") s:" \
        "$(python3 -c "print(f'{$sent / ($end - $start):.0f}')") messages/s."
}

# flood BACKEND_NAME DATABASE_URL: files at 8 clients for FLOOD_SECS (30)
# into the full app sending to a local SMTP server, far faster than that
# server takes mail, with the default mail.max_backlog: the form must
# refuse once the queue is full, and the queue must stay near the cap.
flood() {
    local name=$1 url=$2 fsecs=${FLOOD_SECS:-30}
    common_env
    unset RIGHTSDESK__MAIL__MAX_BACKLOG
    local cap=10000
    local dir="$work/flood-$name"; mkdir -p "$dir"
    start_sink "$dir"
    local port; port=$(free_port)
    (cd "$dir" && DATABASE_URL=$url RIGHTSDESK_BIND=127.0.0.1:$port \
        RIGHTSDESK_MAIL_URL="smtp://127.0.0.1:$sink_port" exec "$app" serve >"$dir/app.log" 2>&1) &
    local app_pid=$!; pids+=("$app_pid"); wait_up "$port"
    wrk -t2 -c8 -d"${fsecs}s" -s benches/wrk/intake.lua "http://127.0.0.1:$port/requests" >"$dir/wrk.out"
    local pending sent
    if [ -z "$url" ]; then
        read -r pending sent < <(python3 -c "
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
q = lambda s: db.execute(\"SELECT COUNT(*) FROM outbox WHERE status = '\" + s + \"'\").fetchone()[0]
print(q('pending'), q('sent'))" "$dir/data/rightsdesk.db")
    else
        pending=$(psql "$url" -tAc "SELECT COUNT(*) FROM outbox WHERE status = 'pending'")
        sent=$(psql "$url" -tAc "SELECT COUNT(*) FROM outbox WHERE status = 'sent'")
    fi
    kill "$app_pid"; wait "$app_pid" 2>/dev/null || true
    python3 - "$dir/wrk.out" "$name" "$fsecs" "$pending" "$sent" "$cap" <<'PY'
import re, sys
out, name, secs, pending, sent, cap = sys.argv[1:]
out = open(out).read()
total = int(re.search(r"(\d+) requests in", out).group(1))
refused = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", out))
secs, accepted = float(secs), total - refused
print(f"\nFlood ({name}, 8 clients for {secs:.0f} s, mail to a local SMTP server, "
      f"mail.max_backlog {int(cap):,}): {accepted:,} filings accepted ({accepted / secs:.0f}/s), "
      f"{refused:,} refused with 503; {int(sent):,} emails sent meanwhile "
      f"({int(sent) / secs:.0f}/s); {int(pending):,} waiting at the end.")
if int(pending) > int(cap) * 1.1:
    sys.exit(f"the queue grew past the cap: {pending} waiting")
PY
}

fresh_pg() {
    python3 - "$BENCH_DATABASE_URL" "$1" <<'PY'
import sys, urllib.parse
u = urllib.parse.urlparse(sys.argv[1])
print(u._replace(path="/" + sys.argv[2]).geturl())
PY
}

echo "## $(date +%F), $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), release build"
intake SQLite "" ""
mail SQLite ""
flood SQLite ""
if [ -n "${BENCH_DATABASE_URL:-}" ]; then
    for db in bench_app bench_base bench_mail bench_flood; do
        psql "$BENCH_DATABASE_URL" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" >/dev/null
    done
    intake PostgreSQL "$(fresh_pg bench_app)" "$(fresh_pg bench_base)"
    mail PostgreSQL "$(fresh_pg bench_mail)"
    flood PostgreSQL "$(fresh_pg bench_flood)"
fi
