"""A login locked by wrong passwords, through a real server over JSON-RPC.

The demo server of `make run` (a working-day session) locks a login for the
lock window (`[session] lock_window`, 15 minutes unless configured), says so
in Vietnamese as soon as the login is typed, and the agency administrator
unlocks it. Few attempts are allowed here (`max_attempt`) because trytond
waits longer after each failure.
"""
import os
from contextlib import contextmanager

import pytest
import requests

from browser import server
from browser.rpc import Client

from trytond.modules.mvp_documents import demo

DATABASE = 'lock'
PERSON, COLLEAGUE, ADMINISTRATOR = (
    'chuyenvien2.tinh', 'chuyenvien.tinh', 'quantri.tinh')
MAX_ATTEMPT = 2

pytestmark = pytest.mark.skipif(
    os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    reason="runs once, on the SQLite run: the lock is kept the same way")


@pytest.fixture(scope='module')
def demo_data(tmp_path_factory):
    "A new demo database"
    path = tmp_path_factory.mktemp('lock')
    with open(path / 'create.log', 'w') as log:
        server.create_demo(path, DATABASE, log)
    return path


@contextmanager
def serving(path, **options):
    "The demo served with the [session] options"
    with open(path / 'server.log', 'a') as log, server.serve(
            path, DATABASE, log, options={
                f'SESSION__{k.upper()}': v for k, v in options.items()}
            ) as url:
        yield url


def login(url, login, parameters):
    """What the server answers to a login, as sao sends it: the session, or
    the error; None when refused"""
    response = requests.post(f'{url}/{DATABASE}/rpc/', json={
            'id': 0, 'method': 'common.db.login',
            'params': [login, parameters, 'vi']}, timeout=120)
    if response.status_code == 401:
        return None
    response.raise_for_status()
    return response.json()


def lock_message(url, login_, parameters):
    answer = login(url, login_, parameters)
    assert answer and answer.get('error'), answer
    kind, (name, message, type_) = answer['error']
    assert (kind, name, type_) == ('LoginException', 'password', 'password')
    return message


def mistype(url, login_, times):
    for _ in range(times):
        assert login(url, login_, {'password': 'Sai@2026'}) is None


def test_locked_for_lock_window_and_unlocked(demo_data):
    with serving(demo_data, max_attempt=MAX_ATTEMPT) as url:
        mistype(url, PERSON, MAX_ATTEMPT + 1)
        # As soon as the login is typed, before any password, then with
        # the right password: why, and for how long (not the 8 hours of
        # the demo's session).
        for parameters in [{}, {'password': demo.PASSWORD}]:
            message = lock_message(url, PERSON, parameters)
            assert f'"{PERSON}"' in message
            assert "tạm khóa" in message
            assert f"quá {MAX_ATTEMPT} lần" in message
            assert "15 phút" in message
        # others log in
        assert login(url, COLLEAGUE, {'password': demo.PASSWORD})['result']

        administrator = Client(url, DATABASE, ADMINISTRATOR, demo.PASSWORD)
        person, = administrator.model(
            'res.user', 'search_read', [('login', '=', PERSON)], 0, None,
            None, ['login_locked'])
        assert person['login_locked'] is True
        administrator.model('res.user', 'unlock_login', [person['id']])
        assert login(url, PERSON, {'password': demo.PASSWORD})['result']
        person, = administrator.model(
            'res.user', 'read', [person['id']], ['login_locked'])
        assert person['login_locked'] is False


def test_lock_window_configured(demo_data):
    with serving(demo_data, max_attempt=MAX_ATTEMPT, lock_window=120) as url:
        mistype(url, COLLEAGUE, MAX_ATTEMPT + 1)
        assert "2 phút" in lock_message(url, COLLEAGUE, {})
