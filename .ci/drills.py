#!/usr/bin/env python3
"""Fault drills against the real binary, run by .ci/run (standard library only).

    .ci/drills.py BINARY PG_BIN PG_DATA PG_PORT PG_OPTIONS WORKDIR SMTP_PYTHON

1. Two web nodes (`serve --no-jobs`) and a worker on one PostgreSQL: hundreds
   of requests filed across both nodes at once; every case stored and every
   confirmation email in the SMTP server's mailbox exactly once.
2. The SMTP server stops mid-run and comes back: nothing lost or doubled.
3. PostgreSQL restarts under the running nodes: /healthz and requests answer
   503 promptly while it is down, and filing works again within 5 seconds
   of it returning.
4. `kill -9` under load, on PostgreSQL and on SQLite: every acknowledged
   request is there after a restart, the SQLite file passes its integrity
   check, and `rightsdesk audit verify` passes.
5. A database that accepts connections and never answers: the start is
   refused with a non-zero exit within 10 seconds.
"""

import base64
import concurrent.futures
import email
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

BINARY, PG_BIN, PG_DATA, PG_PORT, PG_OPTIONS, WORK, SMTP_PYTHON = sys.argv[1:8]
TOKEN = "drilldrilldrilldrilldrilldrilldrilldrilldri"  # 43 chars: a CSRF token
assert len(TOKEN) == 43


def step(text):
    print(f"\n--> {text}", flush=True)


def fail(text):
    print(f"DRILL FAILED: {text}", file=sys.stderr, flush=True)
    for name in sorted(os.listdir(WORK)):
        if name.endswith(".log"):
            with open(os.path.join(WORK, name), errors="replace") as f:
                tail = f.readlines()[-15:]
            print(f"--- last lines of {name}:", "".join(tail), sep="\n", file=sys.stderr)
    sys.exit(1)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def key(n):
    return base64.b64encode(os.urandom(n)).decode()


def psql(sql, db="postgres"):
    out = subprocess.run(
        ["runuser", "-u", "postgres", "--", f"{PG_BIN}/psql", "-h", "127.0.0.1",
         "-p", PG_PORT, "-U", "postgres", "-d", db, "-tAc", sql],
        check=True, capture_output=True, text=True)
    return out.stdout.strip()


def pg_ctl(*args):
    subprocess.run(["runuser", "-u", "postgres", "--", f"{PG_BIN}/pg_ctl", "-D", PG_DATA,
                    "-w", *args], check=True, stdout=subprocess.DEVNULL)


class Smtp:
    """aiosmtpd writing to a Maildir, stoppable and restartable on one port."""

    def __init__(self, name):
        self.port = free_port()
        self.maildir = os.path.join(WORK, name)
        for sub in ("new", "cur", "tmp"):
            os.makedirs(os.path.join(self.maildir, sub), exist_ok=True)
        self.proc = None
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            [SMTP_PYTHON, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{self.port}",
             "-c", "aiosmtpd.handlers.Mailbox", self.maildir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port)

    def stop(self):
        self.proc.terminate()
        self.proc.wait()

    def confirmations(self):
        """Recipients of 'Confirm your email' messages, one per message."""
        found = []
        for sub in ("new", "cur"):
            folder = os.path.join(self.maildir, sub)
            for name in os.listdir(folder):
                with open(os.path.join(folder, name), "rb") as f:
                    msg = email.message_from_binary_file(f)
                if "Confirm your email" in str(msg.get("Subject", "")):
                    found.append(email.utils.parseaddr(msg["To"])[1])
        return found


def wait_for_port(port, timeout=10):
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    fail(f"nothing listens on port {port}")


class Node:
    """One `rightsdesk` process (serve, serve --no-jobs or worker)."""

    def __init__(self, args, env, name):
        self.port = free_port()
        self.env = dict(os.environ, **env, RIGHTSDESK_BIND=f"127.0.0.1:{self.port}",
                        RIGHTSDESK_BASE_URL=f"http://127.0.0.1:{self.port}")
        self.args = args
        self.log = open(os.path.join(WORK, f"{name}.log"), "ab")
        self.proc = subprocess.Popen([BINARY, *args], env=self.env, stdout=self.log,
                                     stderr=self.log)
        if args[0] == "serve":
            self.wait_healthy()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def wait_healthy(self, timeout=30):
        end = time.time() + timeout
        while time.time() < end:
            if self.proc.poll() is not None:
                fail(f"{self.args} exited with {self.proc.returncode}")
            if health(self) == 200:
                return
            time.sleep(0.1)
        fail(f"{self.args} did not become healthy")

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait()


def health(node):
    try:
        return urllib.request.urlopen(node.url("/healthz"), timeout=3).status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None


class NoRedirect(urllib.request.HTTPErrorProcessor):
    def http_response(self, request, response):
        return response


OPENER = urllib.request.build_opener(NoRedirect)


def file_request(node, address, timeout=10):
    """Files a web request; the HTTP status (303 when stored) or None."""
    body = urllib.parse.urlencode([
        ("csrf_token", TOKEN), ("name", "Drill Person"), ("email", address),
        ("location", "GB"), ("acting_as", "self"), ("rights", "access"),
    ]).encode()
    req = urllib.request.Request(node.url("/requests"), data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"rd_csrf={TOKEN}",
    })
    try:
        with OPENER.open(req, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return None


def file_many(nodes, addresses, threads=16):
    """Files one request per address across the nodes, concurrently; the
    addresses acknowledged (303)."""
    def one(i_address):
        i, address = i_address
        return address, file_request(nodes[i % len(nodes)], address)
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(one, enumerate(addresses)))
    return [a for a, status in results if status == 303], results


def wait_for_confirmations(smtp, expected, timeout=90):
    end = time.time() + timeout
    while time.time() < end:
        got = smtp.confirmations()
        if len(got) >= len(expected):
            break
        time.sleep(0.5)
    time.sleep(1.5)  # anything sent twice would arrive by now
    got = smtp.confirmations()
    missing = set(expected) - set(got)
    doubled = sorted({a for a in got if got.count(a) > 1})
    if missing:
        fail(f"{len(missing)} confirmation(s) never arrived, e.g. {sorted(missing)[:3]}")
    if doubled:
        fail(f"{len(doubled)} address(es) got their confirmation twice, e.g. {doubled[:3]}")
    print(f"    {len(expected)} confirmations, each delivered exactly once")


def base_env(database_url, smtp, data_dir):
    return {
        "DATABASE_URL": database_url,
        "RIGHTSDESK_MAIL_URL": f"smtp://127.0.0.1:{smtp.port}",
        "RIGHTSDESK_DATA_DIR": data_dir,
        "RIGHTSDESK__AUDIT__KEY": AUDIT_KEY,
        "RIGHTSDESK__UPLOADS__KEY": DATA_KEY,
        "RIGHTSDESK__STAFF__SESSION_KEY": SESSION_KEY,
        "RIGHTSDESK__SERVER__RATE_LIMIT_BURST": "1000000",
        "RIGHTSDESK__SERVER__RATE_LIMIT_PER_MINUTE": "60000",
        "RIGHTSDESK__MAIL__POLL_INTERVAL_SECS": "1",
        "RIGHTSDESK__MAIL__RETRY_BASE_SECS": "1",
        "RIGHTSDESK__MAIL__SMTP_TIMEOUT_SECS": "3",
        "RUST_LOG": "info",
    }


AUDIT_KEY, DATA_KEY, SESSION_KEY = key(32), key(32), key(64)


def audit_verify(env):
    r = subprocess.run([BINARY, "audit", "verify"], env=dict(os.environ, **env),
                       capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"audit verify failed: {r.stderr.strip()}")
    print("    rightsdesk audit verify: passed")


def drills_on_postgres():
    psql("DROP DATABASE IF EXISTS drill")
    psql("CREATE DATABASE drill")
    url = f"postgres://postgres@127.0.0.1:{PG_PORT}/drill"
    smtp = Smtp("drill-mail")
    env = base_env(url, smtp, os.path.join(WORK, "drill-pg"))
    web = [Node(["serve", "--no-jobs"], env, "web-a"), Node(["serve", "--no-jobs"], env, "web-b")]
    worker = Node(["worker"], env, "worker")
    try:
        step("two web nodes and a worker on one PostgreSQL: 400 requests across both at once")
        addresses = [f"multi-{i}@example.com" for i in range(400)]
        acked, results = file_many(web, addresses)
        if len(acked) != len(addresses):
            bad = [r for r in results if r[1] != 303][:3]
            fail(f"{len(addresses) - len(acked)} filings were not acknowledged, e.g. {bad}")
        stored = int(psql("SELECT count(*) FROM cases", "drill"))
        if stored != len(addresses):
            fail(f"{stored} cases stored for {len(addresses)} filings")
        print(f"    {stored} cases stored, one per filing")
        wait_for_confirmations(smtp, addresses)

        step("the SMTP server stops mid-run and comes back")
        addresses = [f"smtp-{i}@example.com" for i in range(200)]
        stopper = threading.Timer(0.3, smtp.stop)
        stopper.start()
        acked, _ = file_many(web, addresses, threads=8)
        stopper.join()
        time.sleep(4)
        smtp.start()
        if len(acked) != len(addresses):
            fail("filings were refused while mail was down")
        wait_for_confirmations(smtp, addresses + [f"multi-{i}@example.com" for i in range(400)])

        step("PostgreSQL restarts under the running nodes")
        pg_ctl("stop", "-m", "fast")
        started = time.time()
        status = file_request(web[0], "while-down@example.com", timeout=10)
        took = time.time() - started
        if status != 503:
            fail(f"a filing while the database is down got {status}, not 503")
        if took > 2.5:
            fail(f"the 503 took {took:.1f} s")
        if health(web[1]) != 503:
            fail("/healthz did not report the database down")
        print(f"    while down: 503 page in {took:.2f} s, /healthz 503")
        pg_ctl("start", "-o", PG_OPTIONS, "-l", os.path.join(PG_DATA, "server.log"))
        back = time.time()
        while True:
            if file_request(web[0], "after-restart@example.com", timeout=5) == 303:
                break
            if time.time() - back > 5:
                fail("filing did not work again within 5 s of PostgreSQL returning")
            time.sleep(0.1)
        print(f"    filing works again {time.time() - back:.2f} s after PostgreSQL returned")
        if file_request(web[1], "after-restart-b@example.com") != 303:
            fail("the second node did not recover")
    finally:
        for n in web + [worker]:
            n.stop()
        smtp.stop()
    kill_under_load(env, "PostgreSQL",
                    lambda: {r for r in psql("SELECT requester_email FROM cases", "drill").split()})


def kill_under_load(env, backend, stored_addresses, sqlite_file=None):
    step(f"kill -9 under load ({backend})")
    node = Node(["serve"], env, f"kill-{backend}")
    acked = []
    stop = threading.Event()
    lock = threading.Lock()

    def load(t):
        i = 0
        while not stop.is_set():
            address = f"kill-{backend.lower()}-{t}-{i}@example.com"
            i += 1
            if file_request(node, address, timeout=5) == 303:
                with lock:
                    acked.append(address)

    threads = [threading.Thread(target=load, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    time.sleep(3)
    node.stop(signal.SIGKILL)
    stop.set()
    for t in threads:
        t.join()
    if len(acked) < 50:
        fail(f"only {len(acked)} filings were acknowledged before the kill")
    if sqlite_file:
        db = sqlite3.connect(sqlite_file)
        check = db.execute("PRAGMA integrity_check").fetchone()[0]
        db.close()
        if check != "ok":
            fail(f"integrity check after kill -9: {check}")
        print("    SQLite integrity check: ok")
    node = Node(["serve"], env, f"kill-{backend}-after")
    try:
        present = stored_addresses()
        lost = [a for a in acked if a not in present]
        if lost:
            fail(f"{len(lost)} acknowledged filing(s) lost, e.g. {lost[:3]}")
        print(f"    all {len(acked)} acknowledged filings are there after the restart")
    finally:
        node.stop()
    audit_verify(env)


def drills_on_sqlite():
    smtp = Smtp("drill-mail-sqlite")
    data = os.path.join(WORK, "drill-sqlite")
    path = os.path.join(data, "rightsdesk.db")
    env = base_env("", smtp, data)

    def stored():
        db = sqlite3.connect(path)
        rows = {r[0] for r in db.execute("SELECT requester_email FROM cases")}
        db.close()
        return rows

    try:
        kill_under_load(env, "SQLite", stored, sqlite_file=path)
    finally:
        smtp.stop()


def silent_database():
    step("a database that accepts connections and never answers")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    port = listener.getsockname()[1]
    held = []
    threading.Thread(target=lambda: [held.append(listener.accept()) for _ in range(16)],
                     daemon=True).start()
    env = dict(os.environ, DATABASE_URL=f"postgres://rd@127.0.0.1:{port}/rd",
               RIGHTSDESK_BIND=f"127.0.0.1:{free_port()}",
               RIGHTSDESK_DATA_DIR=os.path.join(WORK, "drill-silent"), RUST_LOG="off")
    started = time.time()
    try:
        r = subprocess.run([BINARY, "serve"], env=env, capture_output=True, text=True,
                           timeout=30)
    except subprocess.TimeoutExpired:
        fail("the app waited for ever for a database that never answers")
    took = time.time() - started
    if r.returncode == 0 or took > 10:
        fail(f"exit {r.returncode} after {took:.1f} s: {r.stderr.strip()}")
    print(f"    refused in {took:.1f} s: {r.stderr.strip()}")


if __name__ == "__main__":
    drills_on_postgres()
    drills_on_sqlite()
    silent_database()
    print("\nall drills passed", flush=True)
