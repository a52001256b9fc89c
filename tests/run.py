"""Run the test suite on SQLite, then on PostgreSQL.

    .venv/bin/python tests/run.py [--db sqlite|postgresql] [PYTEST ARGS...]

For the PostgreSQL run it uses the server of TRYTOND_DATABASE_URI when set,
otherwise a throwaway cluster made from Debian's binaries, listening on
127.0.0.1 and removed afterwards. Each run gets a fresh DB_CACHE (trytond
copies a database once its modules are activated instead of activating them
again). JUnit reports go to tests/artifacts/. The last line is the sum of both
runs: ``total: N passed, N failed, N skipped``.
"""
import argparse
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / 'tests' / 'artifacts'
PG_USER = 'mvp-pg'  # PostgreSQL refuses to run as root
DATABASES = ['sqlite', 'postgresql']


def pg_bindir():
    "Debian's newest PostgreSQL binaries"
    dirs = glob.glob('/usr/lib/postgresql/*/bin')
    if not dirs:
        return None
    return max(dirs, key=lambda d: int(Path(d).parent.name))


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@contextmanager
def throwaway_cluster():
    "Yield the URI of a new PostgreSQL cluster, removed on exit"
    bindir = pg_bindir()
    if not bindir:
        raise OSError(
            "PostgreSQL is not installed (make deb installs it) "
            "and TRYTOND_DATABASE_URI is not set")
    as_user = []
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(PG_USER)
        except KeyError:
            subprocess.run(
                ['useradd', '--system', '--no-create-home',
                    '--shell', '/usr/sbin/nologin', PG_USER], check=True)
        as_user = ['runuser', '-u', PG_USER, '--']
    tmp = tempfile.mkdtemp(prefix='mvp-pg-')
    if as_user:
        shutil.chown(tmp, PG_USER, PG_USER)
    data = os.path.join(tmp, 'data')
    port = free_port()

    def run(*cmd, **kwargs):
        # cwd: the postgres user may not enter the caller's directory
        return subprocess.run(
            as_user + [os.path.join(bindir, cmd[0]), *cmd[1:]],
            cwd=tmp, check=True, **kwargs)

    try:
        run('initdb', '-D', data, '-U', 'postgres', '-A', 'trust',
            '-E', 'UTF8', '--no-locale', stdout=subprocess.DEVNULL)
        options = ' '.join([
                '-c listen_addresses=127.0.0.1', f'-p {port}',
                f'-k {tmp}', '-c fsync=off', '-c synchronous_commit=off',
                '-c full_page_writes=off'])
        run('pg_ctl', 'start', '-w', '-D', data, '-o', options,
            '-l', os.path.join(tmp, 'server.log'), stdout=subprocess.DEVNULL)
        try:
            yield f'postgresql://postgres@127.0.0.1:{port}/'
        finally:
            run('pg_ctl', 'stop', '-D', data, '-m', 'immediate',
                stdout=subprocess.DEVNULL)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def postgresql():
    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    if uri.startswith('postgresql'):
        yield uri
    else:
        with throwaway_cluster() as uri:
            yield uri


def junit_counts(path):
    "Return (passed, failed, skipped) test cases of a JUnit report"
    # Counted per test case: the suite's totals count each subTest too.
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError):
        return 0, 0, 0
    passed = failed = skipped = 0
    for case in root.iter('testcase'):
        outcomes = {child.tag for child in case}
        if outcomes & {'failure', 'error'}:
            failed += 1
        elif 'skipped' in outcomes:
            skipped += 1
        else:
            passed += 1
    return passed, failed, skipped


def run_pytest(database, uri, pytest_args):
    "Run pytest on one database; return (passed, failed, skipped, status)"
    with tempfile.TemporaryDirectory(prefix=f'mvp-test-{database}-') as tmp:
        # Counted from a private copy: runs may share the work tree.
        report = Path(tmp, 'junit.xml')
        env = os.environ.copy()
        env['TRYTOND_DATABASE_URI'] = uri
        # Attachments go to the file store under the database path.
        env['TRYTOND_DATABASE__PATH'] = os.path.join(tmp, 'db')
        env['DB_CACHE'] = os.path.join(tmp, 'cache')
        # trytond's switch for tests that need the Internet: none here
        env.setdefault('TEST_NETWORK', '0')
        if database == 'sqlite':
            env['DB_NAME'] = ':memory:'
        else:
            env['DB_NAME'] = f'test_{int(time.time())}_{os.getpid()}'
            # pg_dump and pg_restore for DB_CACHE, matching the server
            if bindir := pg_bindir():
                env['PATH'] = bindir + os.pathsep + env.get('PATH', '')
        os.makedirs(env['TRYTOND_DATABASE__PATH'])
        print(f"== {database}: pytest {' '.join(pytest_args)}", flush=True)
        status = subprocess.call(
            [sys.executable, '-m', 'pytest', f'--junitxml={report}',
                f'--junit-prefix={database}', *pytest_args],
            cwd=ROOT, env=env)
        passed, failed, skipped = junit_counts(report)
        if report.exists():
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(report, ARTIFACTS / f'junit-{database}.xml')
    if status not in (0, 1, 5) and not failed:
        failed = 1  # interrupted, internal or usage error: no report
    return passed, failed, skipped, status


def main(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split('\n\n')[0], allow_abbrev=False)
    parser.add_argument(
        '--db', choices=DATABASES, action='append',
        help="run on this database only (repeatable)")
    args, pytest_args = parser.parse_known_args(argv)

    # Turn SIGTERM into an exception so that clean-up code runs.
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(143))

    start = time.monotonic()
    results = {}
    for database in args.db or DATABASES:
        begin = time.monotonic()
        if database == 'sqlite':
            results[database] = run_pytest(database, 'sqlite://', pytest_args)
        else:
            try:
                with postgresql() as uri:
                    results[database] = run_pytest(
                        database, uri, pytest_args)
            except (OSError, subprocess.CalledProcessError) as error:
                print(f"{database}: run failed: {error}",
                    file=sys.stderr)
                results[database] = 0, 1, 0, None
        passed, failed, skipped, status = results[database]
        print(f"{database}: {passed} passed, {failed} failed, "
            f"{skipped} skipped in {time.monotonic() - begin:.1f} s "
            f"(pytest exit {status})", flush=True)

    totals = [sum(r[i] for r in results.values()) for i in range(3)]
    ok = all(r[3] == 0 for r in results.values()) and totals[0] > 0
    if totals[0] == 0:
        print("no test ran", flush=True)
    print(f"elapsed: {time.monotonic() - start:.1f} s")
    print("total: %d passed, %d failed, %d skipped" % tuple(totals))
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
