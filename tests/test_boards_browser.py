"""Each role lands on its board in the real web client, and a figure of a
board opens the list behind it.

A trytond server serves sao and a new demo database; Debian's headless
Chromium logs in as the clerk, the specialist, the leader and the oversight
of the demo. It runs on the SQLite run of tests/run.py only, as
tests/test_browser.py does. Screenshots go to tests/artifacts/boards/.
"""
import os
from pathlib import Path

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from browser import server
from browser.sao import CHROMEDRIVER, CHROMIUM, Sao, chromium, close

from trytond.modules.mvp_demo import demo

ARTIFACTS = Path(__file__).resolve().parent / 'artifacts' / 'boards'
DATABASE = 'boards'

# (login, the board's title, the title of one of its figures)
BOARDS = [
    ('vanthu.tinh', "Bảng điều hành văn thư", "Văn bản đến chờ vào sổ"),
    ('chuyenvien.tinh', "Bảng công việc của tôi",
        "Việc của tôi theo hạn xử lý"),
    ('lanhdao.tinh', "Bảng điều hành lãnh đạo", "Văn bản chờ giao xử lý"),
    ('thanhtra.snv', "Bảng điều hành toàn tỉnh", "Tình hình các cơ quan"),
    ]
FIGURE = "Quá hạn, sắp đến hạn theo người xử lý"


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
def url(tmp_path_factory):
    "URL of a server of a new demo database"
    path = tmp_path_factory.mktemp('boards')
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with open(ARTIFACTS / 'server.log', 'w') as log:
        server.create_demo(path, DATABASE, log)
        with server.serve(path, DATABASE, log) as url:
            yield url


def login_to_board(sao, login):
    "Log in; the board opens as the login's first action"
    sao.driver.get(f'{sao.url}/#{sao.database}')
    sao.visible('.login-dialog #login').send_keys(login, Keys.ENTER)
    sao.visible('#ask-dialog-entry').send_keys(demo.PASSWORD, Keys.ENTER)
    sao.visible('#menu .column-char')


def tab_name(sao):
    "The name of the active tab"
    return sao.driver.execute_script(
        "var tab = jQuery('#tablist li.active').data('tab');"
        "return tab ? tab.name_long : null;")


def panels(sao):
    "The titles of the figures the active tab shows"
    return [p.text.strip() for p in sao.tab().find_elements(
            By.CSS_SELECTOR, '.board-action > .panel-heading')
        if p.is_displayed()]


@pytest.mark.parametrize('login,title,figure', BOARDS)
def test_home_board(url, login, title, figure):
    "At login, each role's board opens with its figures"
    driver = chromium(ARTIFACTS / f'chromedriver-{login}.log')
    sao = Sao(driver, url, DATABASE, ARTIFACTS)
    try:
        login_to_board(sao, login)
        sao.wait(lambda d: tab_name(sao) == title,
            f"{login} does not land on {title!r}")
        sao.wait(lambda d: figure in panels(sao),
            f"{title!r} shows no {figure!r}")
        sao.screenshot(f'board-{login}')
    except Exception:
        sao.dump(f'failure-{login}')
        raise
    finally:
        close(driver)


def test_figure_opens_list(url):
    "A bar of the leader's graph opens the work behind it"
    login = 'lanhdao.tinh'
    driver = chromium(ARTIFACTS / f'chromedriver-{login}-open.log')
    sao = Sao(driver, url, DATABASE, ARTIFACTS)
    try:
        login_to_board(sao, login)

        def bar(driver):
            for panel in sao.tab().find_elements(
                    By.CSS_SELECTOR, '.board-action'):
                heading = panel.find_element(
                    By.CSS_SELECTOR, '.panel-heading')
                if heading.text.strip() == FIGURE:
                    shapes = [s for s in panel.find_elements(
                            By.CSS_SELECTOR, 'path.bb-shape')
                        if s.size['height'] > 0]
                    return shapes[0] if shapes else None
        shape = sao.wait(bar, f"no bar in {FIGURE!r}")
        sao.screenshot('board-leader-graph')
        # The board may open scrolled to a filter of a lower figure, the
        # bar half under the tab's header: bring it to the middle first,
        # as a person scrolls to what they click.
        driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center'})", shape)
        ActionChains(driver).move_to_element(shape).click().perform()
        sao.wait(lambda d: tab_name(sao) == "Công việc",
            "the bar opens no list of work")
        rows = sao.wait(lambda d: [r for r in sao.tab().find_elements(
                    By.CSS_SELECTOR, '.treeview table.tree tbody tr')
                if r.is_displayed()], "the list behind the bar is empty")
        assert rows
        sao.screenshot('board-leader-list')
    except Exception:
        sao.dump(f'failure-{login}-open')
        raise
    finally:
        close(driver)
