"""An agency's staff administered through a real server.

On the demo of `make run` (a working-day session): the agency administrator
adds a specialist in the web client, gives a temporary password, and the
specialist logs in with it in a browser of their own; what both see names
the system and no ERP (no "Tryton" in the title bar, no currency after the
name, no parties menu for the staff, years as 2026). Over JSON-RPC: a login
typed wrongly too often is locked for the lock window (`[session]
lock_window`, 15 minutes unless configured), said so in Vietnamese as soon as
the login is typed, and the administrator unlocks it. Few attempts are
allowed here (`max_attempt`) because trytond waits longer after each failure.

It runs on the SQLite run of tests/run.py only; screenshots go to
tests/artifacts/staff/.
"""
import datetime as dt
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from selenium.webdriver.common.by import By

from browser import server
from browser.rpc import Client
from browser.sao import CHROMEDRIVER, CHROMIUM, Sao, chromium, close
from test_browser import ENGLISH, VISIBLE_TEXTS, ascii_words

from trytond.modules.mvp_demo import demo

ARTIFACTS = Path(__file__).resolve().parent / 'artifacts' / 'staff'
DATABASE = 'staff'
PERSON, COLLEAGUE, ADMINISTRATOR = (
    'chuyenvien2.tinh', 'chuyenvien.tinh', 'quantri.tinh')
MAX_ATTEMPT = 2
TITLE = "Văn phòng điện tử"
NEW = {'name': "Đỗ Văn Hải", 'login': 'chuyenvien3.tinh',
    'position': "Chuyên viên"}
DIVISION = ("Tổng hợp", "Phòng Tổng hợp (TH)")  # typed, chosen
ROLE = ("Chuyên", "Chuyên viên")

pytestmark = pytest.mark.skipif(
    os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    reason="runs once, on the SQLite run: the server behaves the same")


def browser_missing():
    missing = [str(p)
        for p in [CHROMIUM, CHROMEDRIVER, server.SAO / 'index.html']
        if not p.exists()]
    if missing:
        return (f"missing {', '.join(missing)}: "
            "`make test` installs chromium, chromium-driver and sao")


@pytest.fixture(scope='module')
def demo_data(tmp_path_factory):
    "A new demo database"
    path = tmp_path_factory.mktemp('staff')
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.iterdir():
        old.unlink()
    with open(ARTIFACTS / 'create.log', 'w') as log:
        server.create_demo(path, DATABASE, log)
    return path


@contextmanager
def serving(path, **options):
    "The demo served with the [session] options"
    with open(ARTIFACTS / 'server.log', 'a') as log, server.serve(
            path, DATABASE, log, options={
                f'SESSION__{k.upper()}': v for k, v in options.items()}
            ) as url:
        yield url


@contextmanager
def browser(url, login, password):
    "The session of login in a browser of their own"
    driver = chromium(ARTIFACTS / f'chromedriver-{login}.log')
    sao = Sao(driver, url, DATABASE, ARTIFACTS)
    try:
        sao.login(login, password)
        yield sao
    except Exception:
        sao.dump(f'failure-{login}')
        raise
    finally:
        close(driver)


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


def check_vietnamese(sao, page):
    "Save a screenshot of page and fail if it shows English"
    sao.screenshot(page, top=True)
    texts = sao.driver.execute_script(VISIBLE_TEXTS)
    found = sorted({w for t in texts for w in ascii_words(t) if w in ENGLISH})
    assert texts and found == [], (
        f"English on {page} ({page}.png): {', '.join(found)}")


def title_bar(sao):
    return sao.driver.title, sao.visible('#title').text


def status_bar(sao):
    return sao.visible('#user-preferences > a.dropdown-toggle').text.strip()


def menu_names(sao):
    return [c.get_attribute('title') for c in sao.driver.find_elements(
            By.CSS_SELECTOR, '#menu .column-char')]


@pytest.mark.skipif(browser_missing() is not None,
    reason=browser_missing() or '')
def test_agency_admin_adds_a_person_who_logs_in(demo_data):
    with serving(demo_data) as url:
        rpc = Client(url, DATABASE, ADMINISTRATOR, demo.PASSWORD)
        with browser(url, ADMINISTRATOR, demo.PASSWORD) as sao:
            assert title_bar(sao) == (TITLE, TITLE)
            assert status_bar(sao) == "Hoàng Văn Nam"
            staff = rpc.menu_path('mvp_documents', 'menu_staff')
            assert staff[-1] == "Cán bộ, công chức"
            sao.open_menu(staff)
            sao.new(default='clearance')
            for name, value in NEW.items():
                sao.type(name, value)
            sao.select('unit', *DIVISION)
            roles = sao.visible('div.form-one2many', sao.tab())
            sao.visible('button[title="Tạo mới"]', roles).click()
            role = sao.visible('tbody input[name="role"]', roles)
            role.click()
            role.send_keys(ROLE[0])

            def proposed(driver):
                return next((a for a in driver.find_elements(
                            By.CSS_SELECTOR, 'li.completion > a')
                        if a.get_attribute('textContent').strip()
                        == ROLE[1]), None)
            choice = sao.wait(proposed, f"no role {ROLE[1]!r}")
            if choice.is_displayed():
                choice.click()
            else:
                # the menu may open under the edge of the roles' list,
                # which clips it: the item is there, clicked as a DOM click
                sao.driver.execute_script("arguments[0].click();", choice)
            sao.wait(sao.idle, "the role is not taken")
            check_vietnamese(sao, '01-admin-new')
            person_id = sao.save()
            sao.click('temporary_password')
            password = sao.wait(
                lambda d: sao.value('password', wizard=True),
                "no temporary password")
            assert sao.value('login', wizard=True) == NEW['login']
            check_vietnamese(sao, '02-admin-password')
            sao.finish_wizard()

            # Years read 2026 in the registers' list, not 2.026.
            sao.open_menu(rpc.menu_path('mvp_documents', 'menu_register'))
            sao.list_row(str(dt.date.today().year))
            check_vietnamese(sao, '03-admin-registers')

        with browser(url, NEW['login'], password) as sao:
            check_vietnamese(sao, '04-person-home')
            assert title_bar(sao) == (TITLE, TITLE)
            assert status_bar(sao) == NEW['name']
            names = menu_names(sao)
            assert "Văn phòng điện tử" in names
            assert "Tổ chức, cá nhân" not in names

    db = sqlite3.connect(
        f"file:{demo_data / 'db' / (DATABASE + '.sqlite')}?mode=ro",
        uri=True)
    (unit, position, company, employee), = db.execute(
        'SELECT u.unit, u.position, u.company, e.company FROM res_user u '
        'JOIN company_employee e ON e.id = u.employee WHERE u.id = ?',
        (person_id,))
    division, agency = db.execute(
        'SELECT d.id, a.company FROM mvp_unit d JOIN mvp_unit a '
        'ON a.id = d.parent WHERE d.code = ? AND a.identifier = ?',
        ('TH', demo.PROVINCE)).fetchone()
    assert (unit, position) == (division, NEW['position'])
    assert company == employee == agency


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
