"""Authentication through a real trytond over HTTP, as the web client logs
in: in the demonstration configuration and in the production one (on
SQLite here, the rest of it as written).

Wrong passwords are counted and throttled, also when the client claims
other addresses behind the proxy; an agency that requires two-step
verification gets a code asked of its leaders and administrators, a wrong
code refused; every login, failed login, logout and expired session is in
the log, which administrators browse, each within their reach; passwords
follow the policy; sessions end after their idle timeout and their age.

It runs on the SQLite run of tests/run.py only: the server does the same on
both databases.
"""
import base64
import re
import time
from contextlib import contextmanager
from pathlib import Path

import pyotp
import pytest
import requests

from browser import server

from trytond import backend

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / 'tests' / 'artifacts' / 'login'
DATABASE = 'login'
PASSWORD = 'Demo@2026'
# trytond sleeps up to 2**n s after the n-th wrong password: few here.
MAX_ATTEMPT = 2

pytestmark = pytest.mark.skipif(
    backend.name != 'sqlite', reason="the server runs on SQLite here")


@pytest.fixture(scope='module')
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp('login')
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open(ARTIFACTS / 'demo.log', 'w') as log:
        server.create_demo(path, DATABASE, log)
    return path


def override(path, name, text):
    "A configuration file read after the others, under path"
    file = path / f'{name}.conf'
    file.write_text(text)
    return file


@contextmanager
def serving(path, configuration='demo', **session):
    """The server with config/<configuration>.conf, then the options of
    the test machine: SQLite under path, loopback, the session options"""
    lines = [f'{k} = {v}' for k, v in {
            'max_attempt': 5, **session}.items()]
    text = '[session]\n' + '\n'.join(lines) + '\n'
    port = server.free_port()
    if configuration == 'production':
        # what production.conf names that this machine has elsewhere
        text += (f'[database]\nuri = sqlite://\npath = {path / "db"}\n'
            f'[web]\nlisten = 127.0.0.1:{port}\n'
            f'root = {server.SAO}\n'
            f'[password]\nforbidden = '
            f'{ROOT / "config" / "forbidden-passwords.txt"}\n'
            f'[mvp_signing]\nkey_directory = {path / "pki"}\n'
            '[cache]\nclean_timeout = 300\n')
    configs = (ROOT / 'config' / f'{configuration}.conf',
        override(path, configuration, text))
    with open(ARTIFACTS / f'{configuration}.log', 'a') as log, \
            server.serve(path, DATABASE, log, configs=configs,
                port=port) as url:
        yield url


def login(url, login_, parameters, headers=None):
    """common.db.login over JSON-RPC: (HTTP status, result or error)"""
    response = requests.post(f'{url}/{DATABASE}/rpc/', json={
            'id': 0, 'method': 'common.db.login',
            'params': [login_, parameters, 'vi']},
        headers=headers or {}, timeout=120)
    if response.status_code != 200:
        return response.status_code, None
    data = response.json()
    return 200, data.get('result') or data.get('error')


class Session:
    "A logged-in session, as sao holds it"

    def __init__(self, url, login_, parameters=None):
        status, result = login(url, login_,
            parameters or {'password': PASSWORD})
        assert status == 200 and isinstance(result, list), (status, result)
        self.url = f'{url}/{DATABASE}/rpc/'
        self.user_id, key = result[0], result[1]
        token = base64.b64encode(f'{login_}:{self.user_id}:{key}'.encode())
        self.headers = {'Authorization': f'Session {token.decode()}'}

    def call(self, method, *params):
        "(HTTP status, result or error) of method"
        response = requests.post(self.url, json={
                'id': 0, 'method': method, 'params': [*params, {}]},
            headers=self.headers, timeout=120)
        if response.status_code != 200:
            return response.status_code, None
        data = response.json()
        return 200, data['result'] if 'result' in data else data['error']

    def model(self, model, method, *params):
        status, result = self.call(f'model.{model}.{method}', *params)
        assert status == 200, (model, method, status)
        return result

    def logout(self):
        requests.post(self.url, json={
                'id': 0, 'method': 'common.db.logout', 'params': []},
            headers=self.headers, timeout=60)


def events(session, login_):
    "[(result, ip)] of login, newest first, as an administrator reads them"
    found = session.model('mvp.login.event', 'search_read',
        [('login', '=', login_)], 0, None, [('id', 'DESC')],
        ['result', 'ip_address'])
    return [(e['result'], e['ip_address']) for e in found]


def is_error(result, kind):
    return isinstance(result, list) and result and result[0] == kind


@pytest.mark.parametrize('configuration', ['demo', 'production'])
def test_throttled(demo, configuration):
    "Wrong passwords are counted, then even the right one waits"
    person = {'demo': 'vanthu.skhcn', 'production': 'vanthu.stc'}[
        configuration]
    with serving(demo, configuration, max_attempt=MAX_ATTEMPT) as url:
        headers = {}
        for attempt in range(MAX_ATTEMPT + 1):
            if configuration == 'production':
                # behind the proxy: each try claims another client
                headers = {'X-Forwarded-For': f'203.0.113.{attempt + 1}'}
            status, result = login(url, person, {'password': 'sai'}, headers)
            assert status == 401, (attempt, status, result)
        status, result = login(url, person, {'password': PASSWORD}, headers)
        # trytond answers 429; a lock of mvp_documents says so instead
        assert status == 429 or is_error(result, 'LoginException'), (
            status, result)
        # others are not held up
        other = Session(url, 'vanthu.tinh')
        administrator = Session(url, 'quantri')
        seen = events(administrator, person)
        assert [r for r, _ in seen] == (
            ['locked'] + ['failure'] * (MAX_ATTEMPT + 1))
        if configuration == 'production':
            # the client's address as the proxy forwards it
            assert {ip for _, ip in seen} <= {
                f'203.0.113.{n}' for n in range(1, MAX_ATTEMPT + 2)}
        other.logout()


def test_two_factor(demo):
    "Where the agency requires it, the leader gives a code after the password"
    with serving(demo) as url:
        administrator = Session(url, 'quantri')
        province, = administrator.model('mvp.unit', 'search',
            [('identifier', '=', '000.00.00.H31')], 0, 1, None)
        administrator.model('mvp.unit', 'write', [province],
            {'two_factor': True})

        # the password alone: the leader is asked to enrol, in Vietnamese
        status, result = login(url, 'lanhdao.tinh', {'password': PASSWORD})
        assert is_error(result, 'LoginException'), result
        name, message, kind = result[1]
        assert (name, kind) == ('totp', 'char')
        assert 'Cơ quan của bạn yêu cầu xác thực hai bước' in message
        key = re.search(r'((?:[A-Z2-7]{4} ?){8})$', message).group(1)
        totp = pyotp.TOTP(key.replace(' ', ''))

        # a wrong code is refused and logged
        status, _ = login(url, 'lanhdao.tinh',
            {'password': PASSWORD, 'totp': '000000'})
        assert status == 401
        # the right one logs in, and enrols
        code = totp.now()
        leader = Session(url, 'lanhdao.tinh',
            {'password': PASSWORD, 'totp': code})
        preferences = leader.model('res.user', 'get_preferences', False)
        assert preferences['two_factor'] is True
        assert preferences['two_factor_required'] is True
        # the secret stays on the server
        read, = leader.model('res.user', 'read', [leader.user_id],
            ['totp_secret', 'totp_pending'])
        assert (read['totp_secret'], read['totp_pending']) == (None, None)
        leader.logout()

        # from now on the code is asked; a code is used once
        status, result = login(url, 'lanhdao.tinh', {'password': PASSWORD})
        assert result[1][1].startswith('Xác thực hai bước: nhập mã')
        status, _ = login(url, 'lanhdao.tinh',
            {'password': PASSWORD, 'totp': code})
        assert status == 401
        # a wrong password is not told apart by a code prompt
        status, _ = login(url, 'lanhdao.tinh', {'password': 'sai'})
        assert status == 401

        # the clerk of the same agency is asked no code
        Session(url, 'vanthu.tinh').logout()
        assert [r for r, _ in events(administrator, 'lanhdao.tinh')] == [
            'failure', 'wrong_code', 'logout', 'success', 'wrong_code']

        # the administrator sees it on the person's form, and resets a lost
        # phone: enrolment again
        form, = administrator.model('res.user', 'read', [leader.user_id],
            ['two_factor', 'two_factor_required'])
        assert (form['two_factor'], form['two_factor_required']) == (
            True, True)
        administrator.model('res.user', 'reset_two_factor', [leader.user_id])
        status, result = login(url, 'lanhdao.tinh', {'password': PASSWORD})
        assert 'Cơ quan của bạn yêu cầu' in result[1][1]
        administrator.model('mvp.unit', 'write', [province],
            {'two_factor': False})
        Session(url, 'lanhdao.tinh').logout()


def test_enrol_in_preferences(demo):
    "A person turns two-step verification on in the preferences, by QR code"
    with serving(demo) as url:
        person = Session(url, 'chuyenvien.snv')
        changes = person.model('res.user', 'on_change',
            {'id': person.user_id, 'login': 'chuyenvien.snv',
                'totp_setup': True}, ['totp_setup'])
        values = {k: v for c in changes for k, v in c.items()} \
            if isinstance(changes, list) else changes
        png = base64.b64decode(values['totp_qrcode']['base64'])
        assert png.startswith(b'\x89PNG')
        key = values['totp_key']
        totp = pyotp.TOTP(key.replace(' ', ''))
        # a wrong code enables nothing
        status, result = person.call('model.res.user.set_preferences', {
                'totp_setup': True, 'totp_key': key, 'totp_code': '123456'})
        assert is_error(result, 'UserError'), result
        assert 'Mã xác thực không đúng' in result[1][0]
        assert person.model('res.user', 'get_preferences', False)[
            'two_factor'] is False
        person.model('res.user', 'set_preferences', {
                'totp_setup': True, 'totp_key': key,
                'totp_code': totp.now()})
        assert person.model('res.user', 'get_preferences', False)[
            'two_factor'] is True
        # the next login asks for the code
        status, result = login(url, 'chuyenvien.snv', {'password': PASSWORD})
        assert is_error(result, 'LoginException')
        # nor may an administrator, even the province's, choose a key
        administrator = Session(url, 'quantri')
        clerk = administrator.model('res.user', 'search',
            [('login', '=', 'vanthu.tinh')], 0, 1, None)
        status, result = administrator.call('model.res.user.write',
            clerk, {'totp_secret': 'A' * 32})
        assert is_error(result, 'UserError'), result
        assert 'chỉ do chính người đó đặt' in result[1][0]


def test_login_log(demo):
    "Administrators browse the log within their reach; nobody edits it"
    with serving(demo) as url:
        Session(url, 'vanthu.tinh').logout()
        Session(url, 'vanthu.meso').logout()
        assert login(url, 'vanthu.meso', {'password': 'sai'})[0] == 401
        assert login(url, 'khongco', {'password': 'sai'})[0] == 401

        province = Session(url, 'quantri')
        assert events(province, 'vanthu.meso')[:3] == [
            ('failure', '127.0.0.1'), ('logout', '127.0.0.1'),
            ('success', '127.0.0.1')]
        assert [r for r, _ in events(province, 'khongco')] == ['failure']
        # the agency administrator: their agency's people only
        agency = Session(url, 'quantri.tinh')
        assert events(agency, 'vanthu.tinh')[:2] == [
            ('logout', '127.0.0.1'), ('success', '127.0.0.1')]
        assert events(agency, 'vanthu.meso') == []
        assert events(agency, 'khongco') == []
        # read-only for all; clerks do not read it
        event, = province.model('mvp.login.event', 'search',
            [('login', '=', 'vanthu.meso')], 0, 1, None)
        status, result = province.call('model.mvp.login.event.write',
            [event], {'result': 'success'})
        assert status != 200 or is_error(result, 'UserError'), result
        status, result = province.call('model.mvp.login.event.delete',
            [event])
        assert status != 200 or is_error(result, 'UserError'), result
        clerk = Session(url, 'vanthu.tinh')
        status, result = clerk.call('model.mvp.login.event.search_read',
            [], 0, None, None, ['login'])
        assert status != 200 or is_error(result, 'UserError'), result
        # the menu of both administrators
        for session in [province, agency]:
            menu = session.model('ir.model.data', 'get_id', 'mvp_documents',
                'menu_login_event')
            assert session.model('ir.ui.menu', 'search',
                [('id', '=', menu)], 0, None, None) == [menu]
        assert clerk.model('ir.ui.menu', 'search',
            [('id', '=', menu)], 0, None, None) == []


def test_password_policy(demo):
    "The policy refuses each weak password, saying why in Vietnamese"
    with serving(demo) as url:
        clerk = Session(url, 'vanthu.phohien')
        for password, message in [
                ('Ab1@', 'ít nhất 8 ký tự'),
                ('vanthu.phohien2026', 'chứa tên đăng nhập'),
                ('CaoThiYen#1990', 'chứa họ tên'),
                ('aaaaaaaa11', 'quá đơn giản'),
                ('Matkhau@2026', 'không được phép dùng'),
                ]:
            status, result = clerk.call('model.res.user.set_preferences',
                {'password': password})
            assert is_error(result, 'UserError'), (password, result)
            assert message in result[1][0], (password, result)
        # a good one is taken
        assert clerk.call('model.res.user.set_preferences',
            {'password': 'Tr@ng-Yen-2026'}) == (200, None)
        assert login(url, 'vanthu.phohien',
            {'password': 'Tr@ng-Yen-2026'})[0] == 200


def test_session_expiry(demo):
    "Sessions end idle at the timeout and, however busy, at their age"
    with serving(demo, timeout=2, max_age=8) as url:
        clerk = Session(url, 'vanthu.stc')
        assert clerk.call('model.res.user.get_preferences', True)[0] == 200
        time.sleep(3)
        # idle past the timeout: what needs a fresh session is refused
        status, _ = clerk.call('model.res.user.set_preferences',
            {'email': 'x@example.gov.vn'})
        assert status == 401
        clerk = Session(url, 'vanthu.stc')
        for _ in range(4):
            assert clerk.call('model.res.user.get_preferences', True)[0] \
                == 200
            time.sleep(1)
        time.sleep(5)
        assert clerk.call('model.res.user.get_preferences', True)[0] == 401
        administrator = Session(url, 'quantri')
        assert 'expired' in [r for r, _ in events(administrator, 'vanthu.stc')]
