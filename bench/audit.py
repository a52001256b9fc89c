"""`mvp audit verify` over a province-sized audit log.

N entries (100,000 by default) of the audit log are generated in a new
PostgreSQL database with mvp_documents activated: spread over 10 agencies
and the chain without agency, chained with the application's own hashing
(`audit.link`) and written with COPY, one head per entry as if each came
from a transaction of its own (the most heads a log can have). A few entries
are then appended through the ORM, as the server logs, to show that the
chains continue. Timed: the command `mvp audit verify -c CONFIG -d DB` as an
administrator runs it (a process of its own, medians of R runs, in seconds),
the walk alone in the process (`ModelLog.verify_chains`), the same walk
finding an entry altered with SQL, and the cost of an append: one commit
logging one entry, median of 200, in milliseconds. Printed and written to
bench/results/audit.txt.

    python bench/audit.py [-n N] [-r R] [--out FILE]

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
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from machine import cpu

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / 'bench'
AGENCIES = 10
EVENTS = [('read', 'secret'), ('download', 'confidential'),
    ('write', 'abstract,urgency'), ('transition', 'state:registered'),
    ('button', 'enter')]
APPENDS = 200


def load_tests_run():
    "tests/run.py, for its throwaway PostgreSQL cluster"
    spec = importlib.util.spec_from_file_location(
        'mvp_tests_run', ROOT / 'tests' / 'run.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def generate(cursor, count, companies, user):
    """Write count chained entries and their heads with COPY; return the
    seconds spent hashing and writing"""
    from trytond.modules.mvp_documents import audit

    start = time.perf_counter()
    cursor.execute(
        "SELECT nextval('ir_model_log_id_seq') "
        "FROM generate_series(1, %s)", (count,))
    ids = [i for i, in cursor.fetchall()]
    chains = companies + [None]
    base = dt.datetime(2026, 1, 5, 7, 30)
    entries = {c: [] for c in chains}
    for n, id_ in enumerate(ids):
        agency = chains[n % len(chains)]
        event, target = EVENTS[n % len(EVENTS)]
        entries[agency].append(audit.Entry(
                id_, agency, 'mvp.document.incoming', 1 + n % 5000, event,
                target, user, base + dt.timedelta(seconds=7 * n,
                    microseconds=n % 1000)))
    rows, heads = [], []
    for agency, chain in entries.items():
        for entry, link in zip(chain, audit.link(chain)):
            rows.append((entry.id, f'{entry.model},{entry.record}',
                    entry.event, entry.target, entry.user, entry.date,
                    entry.agency, link.sequence, link.previous, link.hash,
                    0))
            heads.append((agency, link.sequence, link.hash, entry.id,
                    entry.date, 0))
    with cursor.copy(
            'COPY ir_model_log (id, resource, event, target, "user", '
            'create_date, agency, chain_sequence, chain_previous, '
            'chain_hash, create_uid) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)
    with cursor.copy(
            'COPY mvp_audit_head (agency, sequence, hash, entry, '
            'create_date, create_uid) FROM STDIN') as copy:
        for row in heads:
            copy.write_row(row)
    return time.perf_counter() - start


def run(args, uri):
    os.environ['TRYTOND_DATABASE__URI'] = uri
    from trytond.modules.mvp_documents import database
    name = f'bench_audit_{os.getpid()}'
    with tempfile.NamedTemporaryFile('w', suffix='.pass') as passfile:
        passfile.write(secrets.token_urlsafe(12) + '\n')
        passfile.flush()
        os.environ['TRYTONPASSFILE'] = passfile.name
        database.create(name)
        database.admin(name, ['ir', 'res', 'mvp_documents'], email='')
    try:
        with tempfile.NamedTemporaryFile('w', suffix='.conf') as config:
            config.write(f'[database]\nuri = {uri}\n')
            config.flush()
            return measure(args, name, config.name)
    finally:
        from trytond import backend
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


def command(config, name):
    "Run `mvp audit verify`; return its exit status, seconds and output"
    start = time.perf_counter()
    result = subprocess.run(
        [str(Path(sys.executable).with_name('mvp')), 'audit', 'verify',
            '-c', config, '-d', name], capture_output=True, text=True)
    return (result.returncode, time.perf_counter() - start,
        result.stdout + result.stderr)


def walk():
    "The in-process walk: (seconds, entries, broken chains)"
    from trytond.pool import Pool
    Log = Pool().get('ir.model.log')
    start = time.perf_counter()
    results = list(Log.verify_chains())
    return (time.perf_counter() - start, sum(r[1] for r in results),
        sum(1 for r in results if r[2]))


def measure(args, name, config):
    from trytond import __version__ as trytond_version
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    Pool(name).init()
    with Transaction().start(name, 0) as transaction:
        pool = Pool()
        Unit = pool.get('mvp.unit')
        companies = []
        for i in range(AGENCIES):
            unit = Unit(name=f"Sở thứ {i + 1}", code=f'S{i + 1}',
                kind='department', identifier=f'000.00.{i + 1:02d}.H31')
            unit.save()
            companies.append(unit.company.id)
        cursor = transaction.connection.cursor()
        spent = generate(cursor, args.count, companies, 1)
        transaction.commit()

    cursor_autocommit(name, 'VACUUM ANALYZE ir_model_log')

    # Appends through the ORM, as the server logs: each a commit of its own.
    resource = 'mvp.document.incoming,1'
    appends = []
    for i in range(APPENDS):
        with Transaction().start(name, 0) as transaction:
            Log = Pool().get('ir.model.log')
            start = time.perf_counter()
            Log.create([{'resource': resource, 'user': 1, 'event': 'read',
                        'target': 'secret', 'agency': companies[0]}])
            transaction.commit()
            appends.append(time.perf_counter() - start)
    total = args.count + APPENDS

    runs = []
    for _ in range(args.runs):
        status, seconds, output = command(config, name)
        assert status == 0, output
        assert f"Nhật ký nguyên vẹn: {total} mục trong {AGENCIES + 1} chuỗi" \
            in output, output
        runs.append(seconds)
    with Transaction().start(name, 0, readonly=True):
        walks = [walk() for _ in range(args.runs)]
    assert all(w[1:] == (total, 0) for w in walks), walks
    with Transaction().start(name, 0) as transaction:
        transaction.connection.cursor().execute(
            "UPDATE ir_model_log SET target = 'normal' WHERE id = ("
            "SELECT id FROM ir_model_log WHERE agency = %s "
            "ORDER BY chain_sequence DESC LIMIT 1 OFFSET %s)",
            (companies[3], args.count // (AGENCIES + 1) // 2))
        tampered = walk()
        transaction.rollback()
    assert tampered[1:] == (total, 1), tampered
    with Transaction().start(name, 0, readonly=True) as transaction:
        cursor = transaction.connection.cursor()
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('ir_model_log')), "
            "pg_size_pretty(pg_total_relation_size('mvp_audit_head'))")
        log_size, head_size = cursor.fetchone()
        cursor.execute('SHOW server_version')
        server = cursor.fetchone()[0]

    lines = [
        '`mvp audit verify` over %d audit entries in %d chains on '
        'PostgreSQL %s; median of %d runs' % (
            total, AGENCIES + 1, server.split()[0], args.runs),
        '%s; %s, %d cores, Python %s; trytond %s' % (
            dt.date.today().isoformat(), cpu(), os.cpu_count(),
            platform.python_version(), trytond_version),
        'command: python bench/audit.py -n %d -r %d' % (
            args.count, args.runs),
        '',
        'set-up: %d entries hashed and written with COPY in %.1f s, one '
        'head each; log table %s, heads %s' % (
            args.count, spent, log_size, head_size),
        '',
        '%-52s %8s' % ('', 'median'),
        '%-52s %7.2f s' % (
            'mvp audit verify (its own process, start included)',
            statistics.median(runs)),
        '%-52s %7.2f s' % (
            'the walk alone (ModelLog.verify_chains)',
            statistics.median(w[0] for w in walks)),
        '%-52s %7.2f s' % (
            'the walk finding one entry altered with SQL', tampered[0]),
        '%-52s %7.1f ms' % (
            'one entry appended and committed through the ORM',
            statistics.median(appends) * 1000),
        ]
    text_out = '\n'.join(lines) + '\n'
    sys.stdout.write(text_out)
    if args.out:
        os.makedirs(os.path.dirname(args.out), exist_ok=True)
        with open(args.out, 'w') as f:
            f.write(text_out)
    return 0


def cursor_autocommit(name, sql):
    "Run sql outside a transaction (VACUUM cannot run in one)"
    from trytond import backend
    db = backend.Database(name)
    db.connect()
    connection = db.get_connection(autocommit=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
    finally:
        db.put_connection(connection)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-n', '--count', type=int, default=100_000)
    parser.add_argument('-r', '--runs', type=int, default=3)
    parser.add_argument('--out', default=str(HERE / 'results' / 'audit.txt'))
    args = parser.parse_args(argv)

    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    if uri.startswith('postgresql'):
        return run(args, uri)
    with load_tests_run().throwaway_cluster() as uri:
        return run(args, uri)


if __name__ == '__main__':
    sys.exit(main())
