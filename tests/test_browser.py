"""An incoming document handled end to end in the real web client.

A trytond server serves the sao client from var/sao/package and a new demo
database; Debian's headless Chromium plays the clerk, the leader and the
specialist, each in a browser of their own. What the pages show is checked
as the people see it, then the database is read directly.

On each page it visits (login, menu, lists, forms, wizards) no English word
may show: the words of the source strings of sao, of Tryton and of our
modules are looked for in what the page shows.

It runs on the SQLite run of tests/run.py only: the client does the same
on both databases. Screenshots go to tests/artifacts/browser/, with
vietnamese.json, the texts each page showed and the English found.
"""
import datetime as dt
import hashlib
import json
import os
import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote

import polib
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browser import server
from browser.rpc import Client
from browser.sao import CHROMEDRIVER, CHROMIUM, Sao, chromium, close

from trytond.modules.mvp_documents import core_locale, demo

ARTIFACTS = Path(__file__).resolve().parent / 'artifacts' / 'browser'
DATABASE = 'browser'
MODEL = 'mvp.document.incoming'

CLERK, LEADER, SPECIALIST = 'vanthu.tinh', 'lanhdao.tinh', 'chuyenvien.tinh'
NAMES = {p[0]: p[1] for p in demo.PEOPLE}

DOCUMENT = {
    'sender': "Bộ Nội vụ",
    'number_symbol': "2417/BNV-CCVC",
    'abstract': "Về việc báo cáo kết quả chuyển đổi số trong công tác "
    "văn thư năm 2026",
    }
TYPE = ("Kế hoạch", "Kế hoạch (KH)")  # what the clerk types, what is chosen
FILE_NAME = 'cong-van-2417-bnv.pdf'
INSTRUCTION = "Giao phòng Tổng hợp chủ trì tham mưu, báo cáo trước hạn."
RESULT = "Đã tham mưu văn bản trả lời, trình lãnh đạo ký ban hành."

# English the people could meet: the words of every source string of sao,
# of the Tryton modules we install and of ours, and some of the commonest.
# Words written in ASCII that the Vietnamese translations use themselves
# (syllables without diacritics: "in", "do", "cho"; codes and names: "URL",
# "CSV", "Tryton") are not English to them.
ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = [
    ROOT / 'config' / 'sao' / 'vi.po',
    *sorted(ROOT.glob('addons/*/locale/vi.po')),
    *(core_locale.path(m) for m in core_locale.MODULES),
    ]
COMMON_ENGLISH = """
    the of and or to is are not you your this that with for on by at from
    new save delete open close cancel ok yes no search filter filters clear
    record records name login password user users action actions attachment
    attachments note notes chat notification notifications preferences logout
    help menu error warning today week month day print email export import
    favorites all more add remove select show hide previous next reload
    duplicate switch relate edit created modified sessions language company
    """.split()
CHECKS = ARTIFACTS / 'vietnamese.json'


def ascii_words(text):
    "The words of text written in ASCII letters only, lower case"
    # placeholders and quoted identifiers are not words people read
    text = re.sub(r'%\(\w+\)\w|%\w|\$\{[^}]*\}|"[^"]*"|\'[^\']*\'', ' ', text)
    return {w.lower() for w in re.findall(r'\w+', text)
        if w.isascii() and w.isalpha() and len(w) > 1}


def english_words():
    english, vietnamese = set(COMMON_ENGLISH), set()
    for path in CATALOGUES:
        for entry in polib.pofile(str(path)):
            english |= ascii_words(entry.msgid)
            english |= ascii_words(entry.msgid_plural or '')
            for text in [entry.msgstr, *entry.msgstr_plural.values()]:
                vietnamese |= ascii_words(text or '')
    return english - vietnamese


ENGLISH = english_words()

# What the page shows: visible text, tooltips, placeholders and the options
# of visible selections.
VISIBLE_TEXTS = """
const visible = e => !!(e.offsetWidth || e.offsetHeight
        || e.getClientRects().length)
    && getComputedStyle(e).visibility !== 'hidden';
const texts = [document.title];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    if (parent && !['SCRIPT', 'STYLE', 'NOSCRIPT'].includes(parent.tagName)
            && node.textContent.trim() && visible(parent)) {
        texts.push(node.textContent.trim());
    }
}
for (const e of document.querySelectorAll(
        '[title], [placeholder], [aria-label], [alt]')) {
    if (!visible(e)) continue;
    for (const name of ['title', 'placeholder', 'aria-label', 'alt']) {
        if (e.getAttribute(name)) texts.push(e.getAttribute(name));
    }
}
for (const select of document.querySelectorAll('select')) {
    if (!visible(select)) continue;
    for (const option of select.options) texts.push(option.text);
}
return texts;
"""


def check_vietnamese(sao, page):
    """Save a screenshot of page and fail if it shows English

    The texts read and the words found go to vietnamese.json."""
    sao.screenshot(page, top=True)
    texts = sao.driver.execute_script(VISIBLE_TEXTS)
    found = sorted({w for t in texts for w in ascii_words(t) if w in ENGLISH})
    checks = json.loads(CHECKS.read_text()) if CHECKS.exists() else {}
    checks[page] = {'texts': len(texts), 'english': found,
        'shown': sorted(set(texts))}
    CHECKS.write_text(json.dumps(checks, ensure_ascii=False, indent=1))
    assert texts and found == [], (
        f"English on {page} ({page}.png): {', '.join(found)}")


def skip_reason():
    if os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'):
        return ("the browser test runs once, on the SQLite run: "
            "the web client behaves the same on PostgreSQL")
    missing = [str(p)
        for p in [CHROMIUM, CHROMEDRIVER, server.SAO / 'index.html']
        if not p.exists()]
    if missing:
        return (f"missing {', '.join(missing)}: "
            "`make test` installs chromium, chromium-driver and sao")


SKIP = skip_reason()
pytestmark = pytest.mark.skipif(SKIP is not None, reason=SKIP or '')


@pytest.fixture(scope='module')
def demo_server(tmp_path_factory):
    "URL and data directory of a server of a new demo database"
    path = tmp_path_factory.mktemp('browser')
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.iterdir():
        old.unlink()
    with open(ARTIFACTS / 'server.log', 'w') as log:
        server.create_demo(path, DATABASE, log)
        with server.serve(path, DATABASE, log) as url:
            yield url, path


@pytest.fixture
def person(demo_server):
    "Start the session of a person in a browser of their own"
    url, _ = demo_server

    @contextmanager
    def start(login):
        driver = chromium(ARTIFACTS / f'chromedriver-{login}.log')
        sao = Sao(driver, url, DATABASE, ARTIFACTS)
        try:
            rpc = Client(url, DATABASE, login, demo.PASSWORD)
            sao.login(login, demo.PASSWORD)
            yield sao, rpc
        except Exception:
            sao.dump(f'failure-{login}')
            raise
        finally:
            close(driver)

    return start


def tab_label(sao, domain):
    "Label of the list tab filtering on domain, as the URL of sao holds it"
    _, params = sao.url_params()
    for label, tab_domain, *_ in json.loads(unquote(params['tab_domain'])):
        if tab_domain == domain:
            return label
    raise AssertionError(f"no list tab for {domain}")


def test_login_in_vietnamese(demo_server):
    "Login, password, first page, user menu and preferences: Vietnamese"
    url, _ = demo_server
    driver = chromium(ARTIFACTS / 'chromedriver-login.log')
    sao = Sao(driver, url, DATABASE, ARTIFACTS)
    try:
        driver.get(f'{url}/#{DATABASE}')
        sao.visible('.login-dialog #login')
        check_vietnamese(sao, '00-login')
        sao.visible('.login-dialog #login').send_keys(CLERK, Keys.ENTER)
        sao.visible('#ask-dialog-entry')
        check_vietnamese(sao, '00-password')
        sao.visible('#ask-dialog-entry').send_keys(demo.PASSWORD, Keys.ENTER)
        sao.visible('#menu .column-char')
        sao.wait(sao.idle, "sao does not settle after login")
        check_vietnamese(sao, '00-home')
        # the user menu: notifications, preferences, help, logout
        sao.visible('#user-preferences > a.dropdown-toggle').click()
        menu = sao.visible('#user-preferences .notification-menu')
        sao.wait(sao.idle, "the notifications do not load")
        check_vietnamese(sao, '00-user-menu')
        preferences, _help, _logout = [
            a for a in menu.find_elements(By.CSS_SELECTOR, 'a[role=menuitem]')
            if not a.find_elements(By.CSS_SELECTOR, 'div, .caret')]
        preferences.click()
        dialog = sao.visible('.modal-dialog .modal-body')
        sao.wait(lambda d: sao.idle() and dialog.find_elements(
                By.CSS_SELECTOR, 'input[name="name"]'),
            "the preferences do not show")
        check_vietnamese(sao, '00-preferences')
    except Exception:
        sao.dump('failure-login')
        raise
    finally:
        close(driver)


def test_incoming_document(demo_server, person, tmp_path):
    _, data = demo_server
    pdf = demo.pdf("BO NOI VU", DOCUMENT['number_symbol'],
        "Ve viec bao cao ket qua chuyen doi so")
    upload = tmp_path / FILE_NAME
    upload.write_bytes(pdf)

    # The clerk enters the paper's data and its scan, then registers it.
    with person(CLERK) as (sao, rpc):
        states = rpc.selection(MODEL, 'state')
        incoming = rpc.menu_path('mvp_documents', 'menu_incoming')
        # Vietnamese is the language of the demo's people and of Chromium.
        assert incoming[-1] == "Văn bản đến"
        assert sao.html_lang() == 'vi'
        sao.open_menu(incoming)
        sao.new(default='state')
        for name, value in DOCUMENT.items():
            sao.type(name, value)
        sao.select('type', *TYPE)
        sao.upload('file_data', upload)
        assert sao.value('file_name', hidden=True) == FILE_NAME
        check_vietnamese(sao, '01-clerk-new')
        record_id = sao.save()
        assert sao.value('state') == states['received']
        sao.click('enter')
        sao.wait_value('state', states['registered'])
        number = sao.value('number')
        assert number.isdigit() and int(number) > 0, number
        check_vietnamese(sao, '02-clerk-registered')

    # The leader finds it among those to assign and gives it to the
    # specialist with a deadline and an instruction.
    deadline = dt.date.today() + dt.timedelta(days=14)
    with person(LEADER) as (sao, rpc):
        sao.open_menu(rpc.menu_path('mvp_documents', 'menu_incoming'))
        sao.open_tab_domain(
            tab_label(sao, [['state', '=', 'registered']]))
        check_vietnamese(sao, '03-leader-list')
        sao.open_row(DOCUMENT['number_symbol'])
        assert sao.record_id() == record_id
        assert sao.value('number') == number
        sao.click('assign')
        sao.select('main', NAMES[SPECIALIST], NAMES[SPECIALIST], wizard=True)
        sao.type('deadline', deadline.strftime(rpc.context['locale']['date']),
            wizard=True)
        sao.type('instruction', INSTRUCTION, wizard=True)
        check_vietnamese(sao, '03-leader-assign')
        sao.finish_wizard()
        sao.wait_value('state', states['assigned'])
        assert sao.value('handler') == NAMES[SPECIALIST]
        check_vietnamese(sao, '04-leader-assigned')

    # The specialist finds it in their own documents, starts it and
    # reports the result.
    with person(SPECIALIST) as (sao, rpc):
        sao.open_menu(rpc.menu_path('mvp_documents', 'menu_incoming_mine'))
        sao.list_row(DOCUMENT['number_symbol'])
        check_vietnamese(sao, '05-specialist-mine')
        sao.open_row(DOCUMENT['number_symbol'])
        assert sao.record_id() == record_id
        sao.click('start')
        sao.wait_value('state', states['in_progress'])
        sao.click('complete')
        sao.type('note', RESULT, wizard=True)
        check_vietnamese(sao, '06-specialist-complete')
        sao.finish_wizard()
        sao.wait_value('state', states['done'])
        assert sao.value('note') == RESULT
        check_vietnamese(sao, '07-specialist-done')

    db = sqlite3.connect(
        f"file:{data / 'db' / (DATABASE + '.sqlite')}?mode=ro", uri=True)
    users = dict(db.execute('SELECT login, id FROM res_user'))
    state, doc_number, register, doc_deadline, file_id, file_name = (
        db.execute(
            'SELECT state, number, register, deadline, file, file_name '
            'FROM mvp_document_incoming WHERE id = ?',
            (record_id,)).fetchone())
    assert state == 'done'
    assert doc_number == int(number)
    assert doc_deadline == deadline.isoformat()
    assert file_name == FILE_NAME
    # Numbers of a register have neither gaps nor duplicates.
    numbers = [n for n, in db.execute(
            'SELECT number FROM mvp_document_incoming WHERE register = ? '
            'ORDER BY number', (register,))]
    assert numbers == list(range(1, len(numbers) + 1))

    assignments = db.execute(
        'SELECT "user", role, state, deadline, instruction, note, assigned_by '
        'FROM mvp_assignment WHERE incoming = ?', (record_id,)).fetchall()
    assert assignments == [(
            users[SPECIALIST], 'main', 'done', deadline.isoformat(),
            INSTRUCTION, RESULT, users[LEADER])]

    digest, size, store_id = db.execute(
        'SELECT digest, size, file_id FROM mvp_document_file WHERE id = ?',
        (file_id,)).fetchone()
    assert digest == hashlib.sha256(pdf).hexdigest()
    assert size == len(pdf)
    stored = data / 'db' / DATABASE / store_id[0:2] / store_id[2:4] / store_id
    assert stored.read_bytes() == pdf
