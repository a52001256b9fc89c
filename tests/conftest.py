"""Fixtures shared by the tests across modules."""
import os

import pytest

from browser import server
from browser.database import Tables


@pytest.fixture(scope='session')
def demo_instance(tmp_path_factory):
    """A server of a new demo database, on SQLite or, in the PostgreSQL run
    of tests/run.py, on that server: (URL, database, directory). The tests
    sharing it read it as its people would and change nothing they would
    not."""
    path = tmp_path_factory.mktemp('demo')
    uri = os.environ.get('TRYTOND_DATABASE_URI', '')
    with server.demo(path, 'demo', uri) as (url, database):
        yield url, database, path


@pytest.fixture(scope='session')
def demo_server(demo_instance):
    "URL and database of the shared demo server"
    url, database, _ = demo_instance
    return url, database


@pytest.fixture(scope='session')
def demo_tables(demo_instance):
    "The tables of the shared demo server's database, read directly"
    _, database, path = demo_instance
    tables = Tables(
        database, path=path, uri=os.environ.get('TRYTOND_DATABASE_URI'))
    yield tables
    tables.close()
