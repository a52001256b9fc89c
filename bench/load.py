"""A working day of a province under load: locust through JSON-RPC.

A province of N documents (bench/province.py) is made in a new PostgreSQL
database, served by gunicorn (a worker per core, threads for the waits,
as config/ serves production; trytond's own server where gunicorn is not
installed), and for each number of concurrent users U locust runs the
people of bench/locustfile.py for D seconds after they have all logged in,
each pausing 2 to 8 seconds between two operations (--wait):
throughput and p50/p95/p99 per operation and the errors, printed and
appended to bench/results/load.txt.

    python bench/load.py [-n N] [--users 50,200] [-t D] [--server NAME]
    python bench/load.py --url URL --database NAME [--users ...]

With --url, the server of URL is loaded instead (its database NAME made by
bench/province.py with as many documents as -n says, for the header).
The database server is TRYTOND_DATABASE_URI when it names PostgreSQL,
otherwise a throwaway cluster made as tests/run.py makes one; with
--keep, the database stays there (and its files in TRYTOND_DATABASE__PATH)
for --reuse.
"""
import argparse
import csv
import datetime as dt
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from machine import cpu
from province import (
    AGENCIES, PASSWORD, activate, autocommit, build, drop, load_tests_run)

HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
# The operations of the goal: p95 under 150 ms at 1,000,000 documents.
GOAL = {'inbox', 'search', 'open'}


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def serve(name, uri, path, server):
    "Start the server of database name; return (process, URL)"
    port = free_port()
    env = dict(os.environ, TRYTOND_DATABASE__URI=uri,
        TRYTOND_DATABASE__PATH=path, TRYTOND_DATABASE_NAMES=name,
        TRYTOND_WEB__LISTEN=f'127.0.0.1:{port}',
        # Several processes: caches invalidated through PostgreSQL.
        TRYTOND_CACHE__CLEAN_TIMEOUT='0')
    if server == 'gunicorn':
        command = [str(BIN / 'gunicorn'), '--bind', f'127.0.0.1:{port}',
            '--workers', str(os.cpu_count()), '--worker-class', 'gthread',
            '--threads', '4', '--timeout', '300',
            # Longer than a person's pause: the client keeps its connection
            # (gunicorn's 2 s would close it under the next request).
            '--keep-alive', '75', 'trytond.application:app']
    else:
        command = [str(BIN / 'trytond'), '-d', name]
    process = subprocess.Popen(command, env=env,
        stdout=subprocess.DEVNULL, stderr=open(
            os.path.join(path, 'server.log'), 'ab'))
    url = f'http://127.0.0.1:{port}'
    for _ in range(600):
        if process.poll() is not None:
            raise SystemExit(f"the server stopped: see {path}/server.log")
        try:
            urllib.request.urlopen(url + '/', timeout=2)
            break
        except urllib.error.HTTPError:
            break
        except OSError:
            time.sleep(0.5)
    return process, url


def stop(process):
    process.terminate()
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def swarm(url, database, users, seconds, wait):
    "Run locust headless; return its rows of statistics"
    with tempfile.TemporaryDirectory() as tmp:
        prefix = os.path.join(tmp, 'load')
        env = dict(os.environ, BENCH_DATABASE=database,
            BENCH_PASSWORD=PASSWORD, BENCH_SECONDS=str(seconds),
            BENCH_WAIT=wait)
        # All logged in first, then D seconds of the day measured: the
        # locustfile resets the statistics once every person is in and
        # stops the run D seconds later; --run-time is the safety net.
        subprocess.run([str(BIN / 'locust'), '-f', str(HERE / 'locustfile.py'),
                '--headless', '--host', url, '--users', str(users),
                '--spawn-rate', str(max(5, users // 10)),
                '--run-time', f'{seconds + 300}s',
                '--csv', prefix, '--only-summary', '--loglevel', 'WARNING',
                '--stop-timeout', '10'],
            env=env, check=False, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        with open(prefix + '_stats.csv') as f:
            rows = list(csv.DictReader(f))
        with open(prefix + '_failures.csv') as f:
            failures = list(csv.DictReader(f))
    return rows, failures


def table(rows, failures, count, users, seconds):
    lines = [f"{count:,} documents, {users} users, {seconds} s measured",
        '%-12s %8s %8s %7s %7s %7s %7s' % (
            'operation', 'requests', 'errors', 'per s', 'p50', 'p95', 'p99')]
    for row in sorted(rows, key=lambda r: (r['Name'] == 'Aggregated',
                r['Name'])):
        name = 'all' if row['Name'] == 'Aggregated' else row['Name']
        if row['Request Count'] == '0':
            continue
        goal = ' *' if name in GOAL and row['95%'] != 'N/A' and float(
            row['95%']) >= 150 else ''
        lines.append('%-12s %8s %8s %7.1f %7s %7s %7s%s' % (
                name, row['Request Count'], row['Failure Count'],
                float(row['Requests/s']), row['50%'], row['95%'],
                row['99%'], goal))
    for failure in failures:
        lines.append(f"  error x{failure['Occurrences']} "
            f"{failure['Name']}: {failure['Error'][:200]}")
    return lines


def run(args, uri):
    os.environ['TRYTOND_DATABASE__URI'] = uri
    own_path = not os.environ.get('TRYTOND_DATABASE__PATH')
    path = os.environ.get('TRYTOND_DATABASE__PATH') or tempfile.mkdtemp(
        prefix='bench-load-')
    os.environ['TRYTOND_DATABASE__PATH'] = path
    name = args.reuse or f'bench_load_{os.getpid()}'
    setup = ''
    if not args.reuse:
        activation = activate(name)
        units, users, spent = build(name, args.count, args.agencies)
        setup = ('set-up: modules activated in %.0f s; %d agencies, %d '
            'people in %.0f s; %d files in %.0f s; documents with SQL in '
            '%.0f s; VACUUM ANALYZE %.0f s' % (
                activation, len(units), len(users), spent['people'],
                spent['file_count'], spent['files'], spent['documents'],
                spent['vacuum']))
        print(setup, flush=True)
        # As config/README.md says for production: JIT compiling takes
        # longer than the queries of a page of documents save with it.
        autocommit(name, f'ALTER DATABASE "{name}" SET jit = off')
    from trytond.pool import Pool
    Pool.stop(name)
    process, url = serve(name, uri, path, args.server)
    try:
        return measure(args, url, name, setup)
    finally:
        stop(process)
        if args.keep or args.reuse:
            print(f"database {name} kept, files in {path}")
        else:
            drop(name)
            if own_path:
                shutil.rmtree(path, ignore_errors=True)


def measure(args, url, name, setup):
    from trytond import __version__ as trytond_version
    lines = [
        "Load test: a working day through JSON-RPC (bench/locustfile.py), "
        "every person a login under the record rules; milliseconds",
        '%s; %s, %d cores, Python %s; trytond %s; server %s' % (
            dt.date.today().isoformat(), cpu(), os.cpu_count(),
            platform.python_version(), trytond_version, args.server),
        'command: python bench/load.py -n %d --users %s -t %d --wait %s' % (
            args.count, args.users, args.seconds, args.wait),
        ]
    if setup:
        lines.append(setup)
    lines.append('* p95 over the goal of 150 ms')
    for users in map(int, args.users.split(',')):
        before = os.getloadavg()[0]
        rows, failures = swarm(url, name, users, args.seconds, args.wait)
        block = [''] + table(rows, failures, args.count, users, args.seconds)
        # The machine may be shared: how busy it was says how far to trust
        # the figures.
        block.insert(2, 'load average %.1f before, %.1f after (%d cores)' % (
                before, os.getloadavg()[0], os.cpu_count()))
        print('\n'.join(block), flush=True)
        lines += block
        os.sync()
    text = '\n'.join(lines) + '\n'
    sys.stdout.write('\n')
    if args.out:
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        with open(args.out, 'a') as f:
            f.write('\n' + text)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-n', '--count', type=int, default=100_000)
    parser.add_argument('--agencies', type=int, default=AGENCIES)
    parser.add_argument('--users', default='50,200',
        help="numbers of concurrent users, one run each")
    parser.add_argument('-t', '--seconds', type=int, default=120)
    parser.add_argument('--wait', default='2,8',
        help="seconds between two operations of a person: MIN,MAX")
    parser.add_argument('--server', default='gunicorn' if shutil.which(
            'gunicorn', path=str(BIN)) else 'trytond',
        choices=['gunicorn', 'trytond'])
    parser.add_argument('--url', help="load this server instead")
    parser.add_argument('--database', default='province',
        help="the database of --url")
    parser.add_argument('--keep', action='store_true',
        help="keep the database (with TRYTOND_DATABASE_URI)")
    parser.add_argument('--reuse', metavar='DATABASE',
        help="load a database kept by --keep")
    parser.add_argument('--out', default=str(HERE / 'results' / 'load.txt'))
    args = parser.parse_args(argv)

    if args.url:
        args.server = args.url
        return measure(args, args.url.rstrip('/'), args.database, '')
    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    if uri.startswith('postgresql'):
        return run(args, uri)
    with load_tests_run().throwaway_cluster() as uri:
        return run(args, uri)


if __name__ == '__main__':
    sys.exit(main())
