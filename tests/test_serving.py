"""Production serving on PostgreSQL, through real servers over HTTP.

Two trytond processes on one database (config/production.conf: [cache]
clean_timeout = 0, the in-memory caches invalidated through PostgreSQL's
LISTEN/NOTIFY): what a person changes through one is what the other serves
at the very next request, not five minutes later. And `mvp serve`: gunicorn
serves trytond's WSGI application (a JSON-RPC login), trytond-cron and
trytond-worker run beside it as processes of their own.
"""
import configparser
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests

from browser import server
from browser.rpc import Client

from trytond import backend

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / 'tests' / 'artifacts' / 'serving'
PASSWORD = 'Demo@2026'
PERSON = 'chuyenvien.snv'

pytestmark = pytest.mark.skipif(
    backend.name != 'postgresql',
    reason="several server processes share a PostgreSQL database; SQLite "
    "has no notifications between processes")


@pytest.fixture(scope='module')
def demo(tmp_path_factory):
    "(path, database) of a demo database on the tests' PostgreSQL server"
    path = tmp_path_factory.mktemp('serving')
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    uri = os.environ['TRYTOND_DATABASE_URI']
    database = f'serving_{os.getpid()}'
    with open(ARTIFACTS / 'demo.log', 'w') as log:
        server.create_demo(path, database, log,
            config=server.postgresql_config(path, uri))
    yield path, database
    server.drop_database(database)


def production(path, port):
    """config/production.conf with what this machine has elsewhere: the
    tests' PostgreSQL, paths under path, the port; one file, as
    TRYTOND_CONFIG takes one"""
    config = configparser.RawConfigParser()
    config.read(ROOT / 'config' / 'production.conf')
    uri = os.environ['TRYTOND_DATABASE_URI']
    for section, option, value in [
            ('database', 'uri', uri),
            ('database', 'path', path / 'db'),
            ('web', 'listen', f'127.0.0.1:{port}'),
            ('web', 'root', server.SAO),
            ('password', 'forbidden',
                ROOT / 'config' / 'forbidden-passwords.txt'),
            ('mvp_signing', 'key_directory', path / 'pki'),
            ]:
        config.set(section, option, str(value))
    file = path / f'production-{port}.conf'
    with open(file, 'w') as f:
        config.write(f)
    return file


def test_change_through_one_process_seen_through_another(demo):
    """The administrator makes a specialist a clerk too through one
    process: the other, which cached the person's groups, shows them the
    clerks' Statistics menu at their next request, and hides it again"""
    path, database = demo
    first, second = server.free_port(), server.free_port()
    with open(ARTIFACTS / 'servers.log', 'w') as log, \
            server.serve(path, database, log, port=first,
                configs=(production(path, first),)) as one, \
            server.serve(path, database, log, port=second,
                configs=(production(path, second),)) as other:
        admin = Client(one, database, 'admin',
            (path / 'admin-password').read_text().strip())
        person = Client(other, database, PERSON, PASSWORD)
        role = admin.xml_id('mvp_documents', 'role_clerk')
        menu = admin.xml_id('mvp_documents', 'menu_statistics')

        def shown():
            return person.model(
                'ir.ui.menu', 'search', [('id', '=', menu)], 0, None, None)
        assert shown() == []
        admin.model('res.user', 'write', [person.user_id],
            {'roles': [('create', [{'role': role}])]})
        assert shown() == [menu]
        user, = admin.model('res.user', 'read', [person.user_id], ['roles'])
        roles = admin.model('res.user.role', 'search', [
                ('id', 'in', user['roles']), ('role', '=', role)],
            0, None, None)
        admin.model('res.user', 'write', [person.user_id],
            {'roles': [('delete', roles)]})
        assert shown() == []


def descendants(pid):
    "{pid: command line} of the processes descending from pid"
    parents = {}
    for proc in Path('/proc').iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / 'stat').read_text()
            cmdline = (proc / 'cmdline').read_bytes()
        except (OSError, ValueError):
            continue
        # pid (comm) state ppid ...: comm may hold spaces
        ppid = int(stat.rsplit(')', 1)[1].split()[1])
        parents[int(proc.name)] = ppid, cmdline.replace(b'\0', b' ').decode()
    result, todo = {}, [pid]
    while todo:
        parent = todo.pop()
        for child, (ppid, cmdline) in parents.items():
            if ppid == parent:
                result[child] = cmdline
                todo.append(child)
    return result


def test_mvp_serve(demo):
    path, database = demo
    port = server.free_port()
    url = f'http://127.0.0.1:{port}'
    config = production(path, port)
    with open(ARTIFACTS / 'serve.log', 'w') as log:
        process = subprocess.Popen(
            [server.BIN / 'mvp', 'serve', '-c', config, '-d', database,
                '--bind', f'127.0.0.1:{port}', '--workers', '2'],
            env=server.environment(path, port), cwd=ROOT,
            stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 90
            while True:
                assert process.poll() is None, (
                    f"mvp serve exited with {process.returncode}")
                try:
                    if requests.get(url + '/', timeout=2).ok:
                        break
                except requests.RequestException:
                    pass  # not listening yet, or loading the pool
                assert time.monotonic() < deadline, "gunicorn does not answer"
                time.sleep(0.3)
            session = Client(url, database, PERSON, PASSWORD)
            assert session.user_id
            assert session.context['language'] == 'vi'
            running = descendants(process.pid)
            for name in ['gunicorn', 'trytond-cron', 'trytond-worker']:
                assert any(name in c for c in running.values()), (
                    name, running)
            # the master and a worker a core (--workers here)
            gunicorns = [c for c in running.values() if 'gunicorn' in c]
            assert len(gunicorns) == 3, gunicorns
            assert all('trytond.application:app' in c for c in gunicorns)
        finally:
            process.send_signal(signal.SIGTERM)
            status = process.wait(60)
    # stopped on request: every process ended, and cleanly
    assert status == 0
    time.sleep(1)
    assert not [p for p in running if Path(f'/proc/{p}').exists()]
