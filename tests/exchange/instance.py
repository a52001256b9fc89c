"""One e-office system on loopback: its database, its trytond server and
its trytond-worker, as an installation runs them (config/production.conf:
the queue is the worker's), reached over JSON-RPC as its people are.
trytond-worker needs PostgreSQL; on SQLite the server runs the queue's
tasks itself after each request, as the demonstration does.

Databases are made once by ``mvp db init`` into a template, then copied:
PostgreSQL's CREATE DATABASE ... TEMPLATE on the same server, pg_dump and
pg_restore to another one, a file copy for SQLite.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from browser.rpc import Client as BaseClient
from browser.rpc import RPCError
from run import free_port, pg_bindir

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
TEMPLATE = 'exchange_template'
PASSWORD = 'Exchange@2026'


class Client(BaseClient):
    "A session of one user, with trytond's JSON for bytes and dates"

    def call(self, method, *params):
        from trytond.protocols.jsonrpc import JSONDecoder, JSONEncoder
        response = self.http.post(self.url, data=json.dumps(
                {'id': 0, 'method': method, 'params': params},
                cls=JSONEncoder),
            headers={'Content-Type': 'application/json'}, timeout=120)
        response.raise_for_status()
        result = json.loads(response.text, object_hook=JSONDecoder())
        if result.get('error'):
            raise RPCError(method, result['error'])
        return result['result']

    def read(self, model, ids, names):
        return self.model(model, 'read', list(ids), names)

    def search_read(self, model, domain, names, order=None):
        return self.model(
            model, 'search_read', domain, 0, None, order, names)

    def wizard(self, name, state, data, context=None):
        "Run the wizard name from its start to state with the form data"
        session, _, _ = self.call(f'wizard.{name}.create', self.context)
        try:
            return self.call(f'wizard.{name}.execute', session, data, state,
                {**self.context, **(context or {})})
        finally:
            self.call(f'wizard.{name}.delete', session, self.context)


def environment(path):
    env = {k: v for k, v in os.environ.items()
        if not k.startswith(('TRYTOND_', 'DB_', 'TRYTON'))}
    env['TRYTONPASSFILE'] = str(path / 'admin-password')
    return env


def write_config(path, uri, port=0):
    "The trytond configuration of an instance under path"
    worker = not uri.startswith('sqlite')
    (path / 'db').mkdir(parents=True, exist_ok=True)
    config = path / 'trytond.conf'
    config.write_text(f"""[database]
uri = {uri}
path = {path / 'db'}
language = vi
retry = 20

[web]
listen = 127.0.0.1:{port}

[queue]
worker = {worker}

[cache]
clean_timeout = 0
""")
    return config


def make_template(path, uri, log):
    "Create the template database with `mvp db init` under path"
    config = write_config(path, uri)
    (path / 'admin-password').write_text(PASSWORD + '\n')
    result = subprocess.run(
        [BIN / 'mvp', 'db', 'init', '-c', config, '-d', TEMPLATE],
        env=environment(path), cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    log.write(result.stdout)
    log.flush()
    if result.returncode:
        tail = '\n'.join(result.stdout.splitlines()[-30:])
        raise RuntimeError(f"mvp db init exited {result.returncode}:\n{tail}")
    return config


def _pg(uri):
    "(psql-style options, database-less URI) of a postgresql:// URI"
    from urllib.parse import urlsplit
    parts = urlsplit(uri)
    return ['-h', parts.hostname or '127.0.0.1', '-p', str(parts.port or 5432),
        '-U', parts.username or 'postgres']


def copy_database(template_path, template_uri, name, path, uri):
    "A copy named name of the template under path, on the server of uri"
    if uri.startswith('sqlite'):
        (path / 'db').mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template_path / 'db' / f'{TEMPLATE}.sqlite',
            path / 'db' / f'{name}.sqlite')
        return
    bindir = pg_bindir()
    if uri == template_uri:
        subprocess.run([os.path.join(bindir, 'psql'), *_pg(uri), '-q',
                '-d', 'postgres', '-c',
                f'CREATE DATABASE "{name}" TEMPLATE "{TEMPLATE}"'],
            check=True, stdout=subprocess.DEVNULL)
        return
    dump = template_path / 'template.dump'
    if not dump.exists():
        subprocess.run([os.path.join(bindir, 'pg_dump'), *_pg(template_uri),
                '-Fc', '-f', dump, TEMPLATE], check=True)
    subprocess.run([os.path.join(bindir, 'createdb'), *_pg(uri), name],
        check=True)
    subprocess.run([os.path.join(bindir, 'pg_restore'), *_pg(uri),
            '--no-owner', '-d', name, dump], check=True)


class Instance:
    "One system: a database, its server and its worker"

    def __init__(self, name, path, uri):
        self.name = name
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self.uri = uri
        self.port = free_port()
        self.url = f'http://127.0.0.1:{self.port}'
        self.config = write_config(self.path, uri, self.port)
        (self.path / 'admin-password').write_text(PASSWORD + '\n')
        self.server = self.worker = None
        self.queue_worker = not uri.startswith('sqlite')
        self._admin = None

    def _spawn(self, kind, *args):
        log = open(self.path / f'{kind}.log', 'ab')
        return subprocess.Popen(
            [BIN / kind, '-c', self.config, '-d', self.name, *args],
            env=environment(self.path), cwd=ROOT, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True)

    def start(self, timeout=90):
        self.server = self._spawn('trytond')
        deadline = time.monotonic() + timeout
        while True:
            if self.server.poll() is not None:
                raise RuntimeError(f"trytond exited: {self.log('trytond')}")
            try:
                if requests.get(self.url + '/', timeout=2).status_code < 500:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"trytond does not answer on {self.url}")
            time.sleep(0.2)
        self.start_worker()
        return self

    def start_worker(self):
        if not self.queue_worker:
            return
        self.worker = self._spawn('trytond-worker', '-n', '1', '-t', '1')

    def kill_worker(self):
        "The worker dies at once, as with a power cut: no clean-up"
        if self.worker is not None and self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGKILL)
            self.worker.wait()
        self.worker = None

    def stop(self):
        for process in (self.worker, self.server):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
        self.worker = self.server = None

    def log(self, kind, lines=40):
        path = self.path / f'{kind}.log'
        if not path.exists():
            return ''
        return '\n'.join(path.read_text(errors='replace').splitlines()[
                -lines:])

    def client(self, login, password=PASSWORD):
        return Client(self.url, self.name, login, password)

    @property
    def admin(self):
        if self._admin is None:
            self._admin = self.client('admin')
        return self._admin


def drop_databases(uri, names):
    "Drop the databases names of the PostgreSQL server of uri"
    psql = os.path.join(pg_bindir(), 'psql')
    for name in names:
        subprocess.run([psql, *_pg(uri), '-q', '-d', 'postgres', '-c',
                f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
