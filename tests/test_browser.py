"""The journeys of the demo walked in the real web client.

A trytond server serves the sao client from var/sao/package and a new demo
database; Debian's headless Chromium plays each person in a browser of their
own. The journeys are the steps of one story, in order: the clerk registers
a document, the leader assigns it, the specialist handles it and drafts the
reply, the head of division reviews the reply, the leader signs it, the
clerk issues and distributes it, each role finds the signatures; the
ward's clerk opens, downloads and registers the decision the province
distributed, and its leader sees it signed and valid; oversight follows
every agency. (An agency administrator adds a person who then logs in:
tests/test_staff.py, on a database of its own.) What the pages show is checked as the people see it,
then the database is read directly. A step that needs what an earlier one
made is skipped when that one failed. A further journey is one more
`test_` function in the story's order, using `story` and `person`.

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
from types import SimpleNamespace
from urllib.parse import unquote

import polib
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browser import server
from browser.rpc import Client
from browser.sao import (
    CHROMEDRIVER, CHROMIUM, WIZARD, Sao, chromium, close)

from trytond.modules.mvp_demo import demo
from trytond.modules.mvp_demo import pki as signing_demo
from trytond.modules.mvp_documents import core_locale, worktime
from trytond.modules.mvp_documents.tests.pdf import pdf

ARTIFACTS = Path(__file__).resolve().parent / 'artifacts' / 'browser'
DATABASE = 'browser'
MODEL = 'mvp.document.incoming'
OUTGOING = 'mvp.document.outgoing'

CLERK, LEADER, SPECIALIST = 'vanthu.tinh', 'lanhdao.tinh', 'chuyenvien.tinh'
HEAD, OVERSIGHT = 'truongphong.tinh', 'thanhtra.snv'
# The ward that receives the decision the demo's province distributed
COMMUNE_CLERK, COMMUNE_LEADER = 'vanthu.phohien', 'lanhdao.phohien'
DECISION = "Quyết định ban hành Quy chế quản lý"
NAMES = {p[0]: p[1] for p in demo.PEOPLE}
PROVINCE = demo.AGENCIES[0][1]

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
REPLY = ("Báo cáo kết quả chuyển đổi số trong công tác văn thư năm 2026 "
    "của Ủy ban nhân dân tỉnh")
REPLY_FILE = 'bao-cao-chuyen-doi-so.pdf'
REPLY_TO = "Bộ Nội vụ"
# an agency of the province, as completed and as listed
COPY_TO = ("Sở Nội vụ (SNV)", "Sở Nội vụ")

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
# sao's "Save As..." button of a file, as the people see it
SAVE_AS = polib.pofile(str(CATALOGUES[0])).find("Save As...").msgstr

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
        # sao closes the tabs (the home board) before the preferences
        sao.visible('.modal-dialog .modal-footer .btn-primary').click()
        sao.wait(lambda d: sao.idle() and d.find_elements(
                By.CSS_SELECTOR, '.modal-dialog .modal-body input[name="name"]'),
            "the preferences do not show")
        check_vietnamese(sao, '00-preferences')
    except Exception:
        sao.dump('failure-login')
        raise
    finally:
        close(driver)


@pytest.fixture(scope='module')
def story(demo_server):
    "What the steps of the story made, for the steps after them"
    return SimpleNamespace()


def needs(story, *names):
    "Skip the step when an earlier one did not make what it needs"
    missing = [n for n in names if not hasattr(story, n)]
    if missing:
        pytest.skip(f"an earlier step did not make {', '.join(missing)}")


def handlers(agency, but):
    """(name, position, division) of the people of agency documents can be
    assigned to, as the picker lists them, but the one who assigns"""
    key, *_, divisions = next(a for a in demo.AGENCIES if a[0] == agency)
    rows = set()
    for login, name, key_, division, roles, *_ in demo.PEOPLE:
        if key_ != key or login == but or not (
                {'specialist', 'head', 'leader'} & set(roles)):
            continue
        unit = (f'{divisions[division][0]} ({divisions[division][1]})'
            if division is not None else None)
        rows.add((name, demo.POSITIONS.get(login), unit))
    return rows


def test_clerk_registers(demo_server, person, story, tmp_path):
    "The clerk enters the paper's data and its scan, then registers it"
    data = pdf("BO NOI VU", DOCUMENT['number_symbol'],
        "Ve viec bao cao ket qua chuyen doi so")
    upload = tmp_path / FILE_NAME
    upload.write_bytes(data)
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
        # The file shows by its name, and what it holds before it is saved.
        assert sao.file_name('file_data') == FILE_NAME
        sao.preview()
        check_vietnamese(sao, '01-clerk-new')
        record_id = sao.save()
        assert sao.value('state') == states['received']
        sao.click('enter')
        sao.wait_value('state', states['registered'])
        sao.page("Xử lý")
        number = sao.value('number')
        assert number.isdigit() and int(number) > 0, number
        check_vietnamese(sao, '02-clerk-registered')
    story.pdf, story.incoming, story.number = data, record_id, number


def test_leader_assigns(person, story):
    """The leader finds it among those to assign, reads it and gives it to
    the specialist with a deadline and an instruction: the picker lists the
    agency's specialists, heads and other leaders, by position and division"""
    needs(story, 'incoming')
    story.deadline = dt.date.today() + dt.timedelta(days=14)
    with person(LEADER) as (sao, rpc):
        states = rpc.selection(MODEL, 'state')
        sao.open_menu(rpc.menu_path('mvp_documents', 'menu_incoming'))
        sao.open_tab_domain(
            tab_label(sao, [['state', '=', 'registered']]))
        check_vietnamese(sao, '03-leader-list')
        sao.open_row(DOCUMENT['number_symbol'])
        assert sao.record_id() == story.incoming
        assert sao.file_name('file_data') == FILE_NAME
        sao.preview()
        sao.page("Xử lý")
        assert sao.value('number') == story.number
        sao.click('assign')
        wizard = sao.visible(WIZARD)
        # The co-handlers' picker
        sao.press(next(b for b in wizard.find_elements(
                    By.CSS_SELECTOR, '.form-many2many button')
                if b.is_displayed() and b.get_attribute('title') == "Thêm"))
        search = sao.visible(f'.modal:not({WIZARD}) .modal-content')
        sao.wait(lambda d: sao.idle() and sao.rows(search),
            "the picker lists no one")
        columns = ["Họ và tên", "Chức vụ", "Đơn vị"]
        assert sao.columns(search) == columns
        shown = set(zip(*(
                    [c or None for c in sao.column(t, search)]
                    for t in columns)))
        assert shown == handlers('tinh', but=LEADER)
        check_vietnamese(sao, '03-leader-picker')
        sao.press(next(b for b in search.find_elements(
                    By.CSS_SELECTOR, '.modal-footer button')
                if b.is_displayed() and b.text.strip().lower() == "hủy"))
        sao.wait(lambda d: not any(m.is_displayed() for m in d.find_elements(
                    By.CSS_SELECTOR, f'.modal:not({WIZARD})')),
            "the picker stays open")
        sao.select('main', NAMES[SPECIALIST], NAMES[SPECIALIST], wizard=True)
        sao.type('deadline',
            story.deadline.strftime(rpc.context['locale']['date']),
            wizard=True)
        sao.type('instruction', INSTRUCTION, wizard=True)
        check_vietnamese(sao, '03-leader-assign')
        sao.finish_wizard()
        sao.wait_value('state', states['assigned'])
        assert sao.value('handler') == NAMES[SPECIALIST]
        check_vietnamese(sao, '04-leader-assigned')
    story.assigned = True


def test_specialist_handles_and_replies(person, story, tmp_path):
    """The specialist finds the document itself in her work, starts it,
    drafts the reply from it (the draft opens in front), sends the draft
    for review and reports the result"""
    needs(story, 'assigned')
    upload = tmp_path / REPLY_FILE
    upload.write_bytes(pdf("UBND TINH HUNG YEN", "Bao cao chuyen doi so"))
    with person(SPECIALIST) as (sao, rpc):
        states = rpc.selection(MODEL, 'state')
        outgoing_states = rpc.selection(OUTGOING, 'state')
        roles = rpc.selection('mvp.assignment', 'role')
        work = rpc.menu_path('mvp_documents', 'menu_incoming_mine')
        assert work[-1] == "Việc của tôi"
        sao.open_menu(work)
        sao.open_tab_domain(
            tab_label(sao, [['my_role', 'in', ['main', 'support']]]))
        row = sao.list_row(DOCUMENT['number_symbol'])
        assert roles['main'] in row.text
        check_vietnamese(sao, '05-specialist-mine')
        sao.open_row(DOCUMENT['number_symbol'])
        assert sao.record_id() == story.incoming
        sao.click('start')
        sao.wait_value('state', states['in_progress'])
        tabs = sao.tabs()
        sao.click('reply')
        sao.wait(lambda d: sao.tabs() > tabs and sao.idle()
            and f'/model/{OUTGOING}/' in sao.url_params()[0],
            "the reply does not open in front")
        reply = sao.record_id()
        sao.type('abstract', REPLY)
        sao.upload('file_data', upload)
        sao.select('reviewer', NAMES[HEAD], NAMES[HEAD])
        sao.select('signer', NAMES[LEADER], NAMES[LEADER])
        sao.page("Nơi nhận")
        sao.add('recipients', "Sở Nội", *COPY_TO)
        sao.type('external_recipients', REPLY_TO)
        check_vietnamese(sao, '06-specialist-reply')
        assert sao.save() == reply
        sao.click('submit')
        sao.wait_value('state', outgoing_states['review'])
        check_vietnamese(sao, '07-specialist-submitted')
        sao.close_tab()
        assert sao.record_id() == story.incoming
        sao.click('complete')
        sao.type('note', RESULT, wizard=True)
        check_vietnamese(sao, '08-specialist-complete')
        sao.finish_wizard()
        sao.wait_value('state', states['done'])
        sao.page("Xử lý")
        assert sao.value('note') == RESULT
        check_vietnamese(sao, '09-specialist-done')
    story.reply = reply


def test_head_reviews(person, story):
    "The head of division finds the draft under review and passes it on"
    needs(story, 'reply')
    with person(HEAD) as (sao, rpc):
        states = rpc.selection(OUTGOING, 'state')
        sao.open_menu(rpc.menu_path('mvp_documents', 'menu_outgoing'))
        sao.open_tab_domain(tab_label(
                sao, [['state', 'in', ['review', 'approval']]]))
        check_vietnamese(sao, '10-head-list')
        sao.open_row(REPLY)
        assert sao.record_id() == story.reply
        assert sao.file_name('file_data') == REPLY_FILE
        sao.preview()
        sao.click('review')
        sao.wait_value('state', states['approval'])
        check_vietnamese(sao, '11-head-reviewed')
    story.reviewed = True


def test_leader_signs(person, story):
    """The leader finds the reply among those waiting for his signature and
    signs it, seeing his certificate and the document in the dialog"""
    needs(story, 'reviewed')
    with person(LEADER) as (sao, rpc):
        states = rpc.selection(OUTGOING, 'state')
        sao.open_menu(rpc.menu_path('mvp_documents', 'menu_outgoing'))
        sao.open_tab_domain(tab_label(sao, [
                    ['state', '=', 'approval'],
                    ['signer', '=', rpc.user_id]]))
        assert "Chờ tôi ký" in sao.tab().text
        check_vietnamese(sao, '12-leader-to-sign')
        sao.open_row(REPLY)
        assert sao.record_id() == story.reply
        sao.click('sign')
        dialog = sao.visible(WIZARD)
        assert sao.value('holder', wizard=True) == NAMES[LEADER]
        assert sao.value('issuer', wizard=True) == signing_demo.ISSUER_NAME
        assert re.fullmatch(r'[0-9a-f]+', sao.value('serial', wizard=True))
        assert sao.value('valid_to', wizard=True)
        assert sao.value('file_name', wizard=True) == REPLY_FILE
        sao.preview(dialog)
        sao.type('secret', signing_demo.PASSPHRASE, wizard=True)
        check_vietnamese(sao, '13-leader-sign')
        sao.finish_wizard()
        sao.wait_value('state', states['approved'])
        # his signature tab shows his signature, valid
        valid = rpc.selection('mvp.signature', 'status')['valid']
        assert signatures(sao, 1) == [(NAMES[LEADER], valid)]
        check_vietnamese(sao, '14-leader-signed')
    story.signed = True


def test_clerk_issues_and_distributes(person, story):
    """The clerk issues the signed reply with the agency's signature: the
    dialog tells the number and the date it gives; then she distributes
    it"""
    needs(story, 'signed')
    with person(CLERK) as (sao, rpc):
        states = rpc.selection(OUTGOING, 'state')
        sao.open_menu(rpc.menu_path('mvp_documents', 'menu_outgoing'))
        sao.open_tab_domain(tab_label(sao, [['state', '=', 'approved']]))
        sao.open_row(REPLY)
        assert sao.record_id() == story.reply
        sao.click('issue_sign')
        dialog = sao.visible(WIZARD)
        number_symbol = sao.value('number_symbol', wizard=True)
        assert re.fullmatch(r'\d\d+/UBND-TH', number_symbol), number_symbol
        # the agency's date, Vietnam's
        today = worktime.local_date(dt.datetime.now(dt.timezone.utc)).strftime(
            rpc.context['locale']['date'])
        assert sao.value('issue_date', wizard=True) == today
        assert sao.value('holder', wizard=True) == PROVINCE
        sao.preview(dialog)
        sao.type('secret', signing_demo.PASSPHRASE, wizard=True)
        check_vietnamese(sao, '15-clerk-issue')
        sao.finish_wizard()
        sao.wait_value('state', states['issued'])
        # what the dialog said
        assert sao.value('number_symbol') == number_symbol
        assert sao.value('issue_date') == today
        sao.click('distribute')
        sao.wait_value('state', states['distributed'])
        check_vietnamese(sao, '16-clerk-distributed')
    story.number_symbol = number_symbol


def signatures(sao, count):
    "(signer, result) of each row of the form's signature tab"
    sao.page("Chữ ký số")
    widget = sao.visible('.form-one2many', sao.tab())
    sao.wait(lambda d: sao.idle() and len(sao.rows(widget)) == count,
        f"the signature tab does not show {count} signatures")
    rows = list(zip(
            sao.column("Người ký", widget), sao.column("Kết quả", widget)))
    # "#LỖI" is what sao shows in a cell it cannot read
    assert not any('#' in cell for row in sao.rows(widget) for cell in row)
    return rows


# The leader's is checked as he signs.
@pytest.mark.parametrize('login', [CLERK, SPECIALIST, HEAD])
def test_signature_tab(person, story, login):
    "Each role finds the signatures of the issued reply, with their results"
    needs(story, 'number_symbol')
    with person(login) as (sao, rpc):
        valid = rpc.selection('mvp.signature', 'status')['valid']
        sao.open_menu(rpc.menu_path('mvp_documents', 'menu_outgoing'))
        sao.open_tab_domain(tab_label(
                sao, [['state', 'in', ['issued', 'distributed']]]))
        sao.open_row(story.number_symbol)
        assert sao.record_id() == story.reply
        rows = signatures(sao, 2)
        check_vietnamese(sao, f'17-signatures-{login}')
        assert sorted(rows) == sorted(
            [(NAMES[LEADER], valid), (PROVINCE, valid)])


def test_commune_clerk_registers_what_arrived(
        demo_server, person, story, tmp_path):
    """The ward's clerk finds the province's decision among those to
    register, opens it, downloads its file and registers it"""
    _, data = demo_server
    with person(COMMUNE_CLERK) as (sao, rpc):
        states = rpc.selection(MODEL, 'state')
        decision, = rpc.model(MODEL, 'search_read', [
                ('abstract', 'ilike', f'{DECISION}%'),
                ('state', '=', 'received')], 0, None, None,
            ['number_symbol', 'file_name', 'outgoing'])
        assert decision['outgoing']
        sao.open_menu(rpc.menu_path('mvp_documents', 'menu_incoming'))
        sao.open_tab_domain(tab_label(sao, [['state', '=', 'received']]))
        check_vietnamese(sao, '20-commune-clerk-list')
        # the form reads what it came from: sao shows no error
        sao.open_row(decision['number_symbol'])
        assert sao.record_id() == decision['id']
        assert sao.value('number_symbol') == decision['number_symbol']
        assert sao.file_name('file_data') == decision['file_name']
        sao.preview()
        saved = sao.download('file_data', tmp_path / 'downloads', SAVE_AS)
        assert saved.name == decision['file_name']
        check_vietnamese(sao, '21-commune-clerk-downloaded')
        sao.click('enter')
        sao.wait_value('state', states['registered'])
        sao.page("Xử lý")
        number = sao.value('number')
        assert number.isdigit() and int(number) > 0, number
        check_vietnamese(sao, '22-commune-clerk-registered')
    story.commune = SimpleNamespace(
        incoming=decision['id'], number_symbol=decision['number_symbol'],
        number=int(number), downloaded=saved.read_bytes())


def test_commune_leader_sees_it_valid(person, story):
    """The ward's leader finds it among those to assign: signed and valid,
    the province leader's and the province's signatures both valid"""
    needs(story, 'commune')
    with person(COMMUNE_LEADER) as (sao, rpc):
        legal = rpc.selection(MODEL, 'legal_status')
        valid = rpc.selection('mvp.signature', 'status')['valid']
        sao.open_menu(rpc.menu_path('mvp_documents', 'menu_incoming'))
        sao.open_tab_domain(tab_label(sao, [['state', '=', 'registered']]))
        row = sao.list_row(story.commune.number_symbol)
        assert legal['valid'] in row.text
        sao.open_row(story.commune.number_symbol)
        assert sao.record_id() == story.commune.incoming
        assert sao.value('legal_status') == legal['valid']
        sao.preview()
        check_vietnamese(sao, '23-commune-leader-valid')
        rows = signatures(sao, 2)
        check_vietnamese(sao, '24-commune-leader-signatures')
        assert sorted(rows) == sorted(
            [(NAMES[LEADER], valid), (PROVINCE, valid)])


def test_oversight_follows_agencies(person):
    """Oversight sees the documents of every agency with their agency, and
    narrows a list to one agency"""
    commune = next(a[1] for a in demo.AGENCIES if a[0] == 'tanhung')
    with person(OVERSIGHT) as (sao, rpc):
        for menu in ['menu_outgoing', 'menu_incoming']:
            sao.open_menu(rpc.menu_path('mvp_documents', menu))
            sao.open_tab_domain(tab_label(sao, []))
            assert PROVINCE in sao.column("Cơ quan")
            check_vietnamese(sao, f'18-oversight-{menu}')
        # the province's documents and what the communes received
        assert len(set(sao.column("Cơ quan"))) > 1
        sao.search(f'Cơ quan: "{commune}"')
        sao.wait(lambda d: sao.idle()
            and set(sao.column("Cơ quan")) == {commune},
            f"the list does not narrow to {commune}")
        check_vietnamese(sao, '19-oversight-one-agency')


def test_database(demo_server, story):
    "What the story left in the database, read directly"
    needs(story, 'number_symbol')
    _, data = demo_server
    db = sqlite3.connect(
        f"file:{data / 'db' / (DATABASE + '.sqlite')}?mode=ro", uri=True)
    users = dict(db.execute('SELECT login, id FROM res_user'))
    state, doc_number, register, doc_deadline, file_id, file_name = (
        db.execute(
            'SELECT state, number, register, deadline, file, file_name '
            'FROM mvp_document_incoming WHERE id = ?',
            (story.incoming,)).fetchone())
    assert state == 'done'
    assert doc_number == int(story.number)
    assert doc_deadline == story.deadline.isoformat()
    assert file_name == FILE_NAME
    # Numbers of a register have neither gaps nor duplicates.
    numbers = [n for n, in db.execute(
            'SELECT number FROM mvp_document_incoming WHERE register = ? '
            'ORDER BY number', (register,))]
    assert numbers == list(range(1, len(numbers) + 1))

    assignments = db.execute(
        'SELECT "user", role, state, deadline, instruction, note, assigned_by '
        'FROM mvp_assignment WHERE incoming = ?',
        (story.incoming,)).fetchall()
    assert assignments == [(
            users[SPECIALIST], 'main', 'done', story.deadline.isoformat(),
            INSTRUCTION, RESULT, users[LEADER])]

    digest, size, store_id = db.execute(
        'SELECT digest, size, file_id FROM mvp_document_file WHERE id = ?',
        (file_id,)).fetchone()
    assert digest == hashlib.sha256(story.pdf).hexdigest()
    assert size == len(story.pdf)
    stored = data / 'db' / DATABASE / store_id[0:2] / store_id[2:4] / store_id
    assert stored.read_bytes() == story.pdf

    reply_to, state, number_symbol, drafter, signer = db.execute(
        'SELECT reply_to, state, number_symbol, drafter, signer '
        'FROM mvp_document_outgoing WHERE id = ?', (story.reply,)).fetchone()
    assert (reply_to, state, number_symbol, drafter, signer) == (
        story.incoming, 'distributed', story.number_symbol,
        users[SPECIALIST], users[LEADER])
    # Sở Nội vụ received it, signed by the leader and the agency.
    (company,), = db.execute(
        'SELECT u.company FROM mvp_unit u WHERE u.name = ?',
        (COPY_TO[1],)).fetchall()
    (legal_status,), = db.execute(
        'SELECT legal_status FROM mvp_document_incoming '
        'WHERE outgoing = ? AND company = ?', (story.reply, company))
    assert legal_status == 'valid'


def test_commune_database(demo_server, story):
    """What the ward registered, read directly: numbered in its own
    register, the file the province distributed, as downloaded"""
    needs(story, 'commune')
    _, data = demo_server
    db = sqlite3.connect(
        f"file:{data / 'db' / (DATABASE + '.sqlite')}?mode=ro", uri=True)
    state, number, company, register_company, file_, outgoing_file, \
        digest = db.execute(
            'SELECT i.state, i.number, i.company, r.company, i.file, o.file, '
            'f.digest FROM mvp_document_incoming i '
            'JOIN mvp_register r ON r.id = i.register '
            'JOIN mvp_document_outgoing o ON o.id = i.outgoing '
            'JOIN mvp_document_file f ON f.id = i.file '
            'WHERE i.id = ?', (story.commune.incoming,)).fetchone()
    assert (state, number) == ('registered', story.commune.number)
    assert register_company == company
    (ward,), = db.execute('SELECT company FROM mvp_unit WHERE name = ?',
        (next(a[1] for a in demo.AGENCIES if a[0] == 'phohien'),))
    assert company == ward
    assert file_ == outgoing_file
    assert hashlib.sha256(story.commune.downloaded).hexdigest() == digest
