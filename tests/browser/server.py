"""A trytond server on a new demo database, as `make run` serves it."""
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parents[2]
SAO = ROOT / 'var' / 'sao' / 'package'
CONFIG = ROOT / 'config' / 'demo.conf'
BIN = Path(sys.executable).parent


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def environment(path, port, options=None):
    """The environment of the Makefile's demo, under path; options
    {'SECTION__OPTION': value} set what config/demo.conf leaves out"""
    env = {k: v for k, v in os.environ.items()
        if not k.startswith(('TRYTOND_', 'DB_', 'TRYTON'))}
    env.update({
            'TRYTOND_DATABASE__PATH': str(path / 'db'),
            'TRYTOND_MVP_SIGNING__KEY_DIRECTORY': str(path / 'pki'),
            'TRYTOND_PASSWORD__FORBIDDEN': str(
                ROOT / 'config' / 'forbidden-passwords.txt'),
            'TRYTOND_WEB__ROOT': str(SAO),
            'TRYTOND_WEB__LISTEN': f'127.0.0.1:{port}',
            'TRYTONPASSFILE': str(path / 'admin-password'),
            })
    env.update({f'TRYTOND_{k}': str(v) for k, v in (options or {}).items()})
    return env


def create_demo(path, database, log, config=CONFIG):
    "Create the demo database with `mvp db init --demo`"
    result = subprocess.run(
        [BIN / 'mvp', 'db', 'init', '-c', config, '-d', database, '--demo'],
        env=environment(path, 0), cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True)
    log.write(result.stdout)
    log.flush()
    if result.returncode:
        tail = '\n'.join(result.stdout.splitlines()[-30:])
        raise RuntimeError(
            f"mvp db init --demo exited with {result.returncode}:\n{tail}")


@contextmanager
def serve(path, database, log, timeout=60, options=None, configs=(CONFIG,),
        port=None):
    """Serve database and sao on port (a free one by default); yield the
    URL. configs: the configuration files, each overriding the ones
    before"""
    port = port or free_port()
    url = f'http://127.0.0.1:{port}'
    process = subprocess.Popen(
        [BIN / 'trytond', '-c', *configs, '-d', database],
        env=environment(path, port, options), cwd=ROOT,
        stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"trytond exited with {process.returncode}, "
                    f"see {log.name}")
            try:
                if requests.get(url + '/', timeout=2).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"trytond does not answer on {url}")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def postgresql_config(path, uri):
    "The demo's configuration on the PostgreSQL server of uri"
    parts = urlsplit(uri)
    text = CONFIG.read_text()
    text = re.sub(r'(?m)^uri = .*$',
        'uri = ' + urlunsplit(parts._replace(path='/')), text)
    config = path / 'demo.conf'
    config.write_text(text)
    return config


def drop_database(name):
    "Drop the database of the server, on the server of the tests"
    from trytond import backend
    database = backend.Database()
    database.connect()
    connection = database.get_connection(autocommit=True)
    try:
        database.drop(connection, name)
    finally:
        database.put_connection(connection)
        database.close()


@contextmanager
def demo(path, name, uri=None):
    """Serve a new demo database named after name on the database server of
    uri (PostgreSQL) or on SQLite under path; yield its URL and database"""
    config, database = CONFIG, name
    postgresql = bool(uri and uri.startswith('postgresql'))
    if postgresql:
        database = f'{name}_{uuid.uuid4().hex[:12]}'
        config = postgresql_config(path, uri)
    try:
        with open(path / 'server.log', 'w') as log:
            create_demo(path, database, log, config=config)
            with serve(path, database, log, configs=(config,)) as url:
                yield url, database
    finally:
        if postgresql:
            drop_database(database)
