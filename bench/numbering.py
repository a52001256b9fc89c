"""Registrations per second with 16 clerks of 8 agencies at once.

A new PostgreSQL database with mvp_documents gets 8 agencies of 2 clerks
each, their year's registers open; then every clerk, a thread of its own,
sends R requests at once, entering a received document in the register and
issuing an approved one in turn, each request a transaction committed as
trytond's dispatcher runs it (tests/test_numbering.py: started again on
TransactionError, retried on a lock error up to [database] retry times, and a
request that still fails sent again by the person, counted as failed).

- before: the strict sequence's own numbering, its whole table locked with
  NOWAIT at the start of the request (Tryton's ir.sequence.strict.get);
- after: Register.take_number, a waited row lock of the register's own
  sequence.

The cases take turns, each on new documents; medians of RUNS runs, printed
and written to bench/results/numbering.txt.

    python bench/numbering.py [-r REQUESTS] [-n RUNS] [--out FILE]

The server is TRYTOND_DATABASE_URI when it names PostgreSQL, otherwise a
throwaway cluster made as tests/run.py makes one.
"""
import argparse
import datetime as dt
import importlib.util
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from machine import cpu

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / 'bench'
AGENCIES = 8
CLERKS = 2


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def strict_get(self):
    "Numbering before: Tryton's strict sequence, its table locked"
    return int(self.sequence.get())


def setup(tests):
    "[(clerk, company)] of 8 agencies with their registers open"
    clerks = []
    for agency in range(AGENCIES):
        code = f'{10 + agency}'
        company, clerk = tests.new_agency(code)
        tests.open_registers(company)
        clerks.append((clerk, company))
        for i in range(1, CLERKS):
            clerks.append(
                (tests.copy_clerk(clerk, f'vanthu.{code}.{i}'), company))
    return clerks


def once(tests, clerks, requests):
    "(registrations per second, statistics) of one run"
    work = []
    for clerk, company in clerks:
        half = requests // 2
        entered = tests.new_incoming(company, half)
        issued = tests.new_approved_outgoing(company, clerk, half)
        work.append((clerk, company, [a for pair in zip(
                        map(tests.enter, entered), map(tests.issue, issued))
                    for a in pair]))
    start = time.perf_counter()
    stats = tests.run_clerks(work)
    spent = time.perf_counter() - start
    return len(clerks) * (requests // 2) * 2 / spent, stats


def measure(args, name):
    os.environ['DB_NAME'] = name
    tests = load('mvp_test_numbering', ROOT / 'tests' / 'test_numbering.py')
    from trytond.pool import Pool
    Register = Pool(name).get('mvp.register')
    after = Register.take_number
    clerks = setup(tests)
    cases = {'before': strict_get, 'after': after}
    figures = {k: [] for k in cases}
    for _ in range(args.runs):
        for case, take_number in cases.items():
            Register.take_number = take_number
            figures[case].append(once(tests, clerks, args.requests))
    Register.take_number = after
    return figures


def report(args, figures, version):
    from trytond import __version__
    lines = [
        f"Numbering with {AGENCIES * CLERKS} clerks of {AGENCIES} agencies "
        f"at once on PostgreSQL {version}, {args.requests} requests a clerk "
        f"(registering and issuing in turn); median of {args.runs} runs",
        f"{dt.date.today()}; {cpu()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; trytond {__version__}; "
        f"load average {os.getloadavg()[0]:.1f}",
        "command: python bench/numbering.py "
        f"-r {args.requests} -n {args.runs}",
        "",
        f"{'numbering':<40} {'req/s':>7} {'failed':>7} {'retried':>8} "
        f"{'restarted':>10}",
        ]
    labels = {
        'before': "strict sequence, table locked NOWAIT",
        'after': "row lock of the register, waited",
        }
    for case, runs in figures.items():
        rate = statistics.median(r for r, _ in runs)
        counts = [statistics.median(s[k] for _, s in runs)
            for k in ['failed', 'retried', 'restarted']]
        lines.append(f"{labels[case]:<40} {rate:>7.1f} {counts[0]:>7.0f} "
            f"{counts[1]:>8.0f} {counts[2]:>10.0f}")
    lines += ["",
        "failed: requests that still met a taken lock after the retries "
        "(the person sends them again); retried: lock errors retried by "
        "the dispatcher; restarted: requests started again (TransactionError:"
        " the table lock before, a register numbered meanwhile after); "
        "medians a run"]
    text = '\n'.join(lines) + '\n'
    print(text)
    Path(args.out).write_text(text)


def run(args, uri):
    os.environ['TRYTOND_DATABASE__URI'] = uri
    from trytond.modules.mvp_documents import database
    from trytond import backend
    name = f'bench_numbering_{os.getpid()}'
    with tempfile.NamedTemporaryFile('w', suffix='.pass') as passfile:
        passfile.write(secrets.token_urlsafe(12) + '\n')
        passfile.flush()
        os.environ['TRYTONPASSFILE'] = passfile.name
        database.create(name)
        database.admin(name, ['ir', 'res', 'mvp_documents'], email='')
    try:
        figures = measure(args, name)
        db = backend.Database(name).connect()
        connection = db.get_connection()
        try:
            cursor = connection.cursor()
            cursor.execute('SHOW server_version')
            version, = cursor.fetchone()
            connection.rollback()
        finally:
            db.put_connection(connection)
        report(args, figures, version.split()[0])
    finally:
        from trytond.pool import Pool
        Pool.stop(name)
        backend.Database(name).close()
        db = backend.Database()
        db.connect()
        connection = db.get_connection(autocommit=True)
        try:
            db.drop(connection, name)
        finally:
            db.put_connection(connection)
            db.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-r', '--requests', type=int, default=16)
    parser.add_argument('-n', '--runs', type=int, default=3)
    parser.add_argument(
        '--out', default=str(HERE / 'results' / 'numbering.txt'))
    args = parser.parse_args(argv)
    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    if uri.startswith('postgresql'):
        return run(args, uri)
    tests_run = load('mvp_tests_run', ROOT / 'tests' / 'run.py')
    with tests_run.throwaway_cluster() as uri:
        return run(args, uri)


if __name__ == '__main__':
    sys.exit(main())
