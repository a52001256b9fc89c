"""The sao web client driven through Debian's Chromium.

Elements are found by what does not change with the language: field and
button names, toolbar ids, and menu entries by the names the server gives
them in the user's language. Every wait is on a condition; a wait fails at
once when sao shows an error dialog, with the dialog's text.
"""
import os
import re
import shutil
import tempfile
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import (
    NoSuchElementException, StaleElementReferenceException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

CHROMIUM = Path('/usr/bin/chromium')
CHROMEDRIVER = Path('/usr/bin/chromedriver')
FLAGS = [
    '--headless=new', '--no-sandbox', '--disable-gpu',
    '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--window-size=1400,1000', '--lang=vi',
    ]
ERROR_DIALOGS = '.error-dialog, .warning-dialog, .user-warning-dialog'
ACTIVE_TAB = '#tabcontent > .tab-pane.active'
WIZARD = '.wizard-dialog'


class SaoError(AssertionError):
    "sao showed an error"


def chromium(log_path):
    "Start a headless Chromium with a profile of its own"
    # Selenium Manager would look for (and download) a driver and a browser
    # when their paths are not given; they are, and it must stay offline.
    os.environ['SE_OFFLINE'] = 'true'
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tempfile.mkdtemp(prefix='mvp-chromium-')
    options.add_argument(f'--user-data-dir={profile}')
    options.add_experimental_option('prefs', {'intl.accept_languages': 'vi'})
    service = Service(str(CHROMEDRIVER), log_output=str(log_path))
    try:
        driver = webdriver.Chrome(service=service, options=options)
    except BaseException:
        shutil.rmtree(profile, ignore_errors=True)
        raise
    driver.profile_dir = profile
    return driver


def close(driver):
    driver.quit()
    shutil.rmtree(driver.profile_dir, ignore_errors=True)


class Sao:
    "One person using the web client in a browser of their own"

    timeout = 30

    def __init__(self, driver, url, database, artifacts):
        self.driver = driver
        self.url = url
        self.database = database
        self.artifacts = Path(artifacts)

    # Waiting

    def wait(self, condition, message, timeout=None):
        "Wait until condition(driver) is true and return its value"
        def check(driver):
            if error := self.error():
                raise SaoError(f"{message}: sao shows an error:\n{error}")
            return condition(driver)
        return WebDriverWait(
            self.driver, timeout or self.timeout, poll_frequency=0.1,
            ignored_exceptions=(
                NoSuchElementException, StaleElementReferenceException),
            ).until(check, message)

    def error(self):
        for dialog in self.driver.find_elements(
                By.CSS_SELECTOR, ERROR_DIALOGS):
            if dialog.is_displayed():
                return dialog.text

    def idle(self, driver=None):
        "Whether sao has no request pending"
        return self.driver.execute_script(
            'return window.jQuery !== undefined && jQuery.active === 0')

    def visible(self, css, scope=None):
        "Wait for the first visible element matching css"
        def find(driver):
            for element in (scope or driver).find_elements(
                    By.CSS_SELECTOR, css):
                if element.is_displayed():
                    return element
        return self.wait(find, f"no visible {css}")

    def screenshot(self, name, top=False):
        "Save a screenshot; top: of the dialog's beginning"
        self.artifacts.mkdir(parents=True, exist_ok=True)
        if top:
            self.driver.execute_script(
                'for (const body of document.querySelectorAll('
                '"' + WIZARD + ' .modal-body")) body.scrollTop = 0;')
        self.driver.save_screenshot(str(self.artifacts / f'{name}.png'))

    def dump(self, name):
        "Save a screenshot and the page source, for a failure"
        self.screenshot(name)
        (self.artifacts / f'{name}.html').write_text(
            self.driver.page_source, encoding='utf-8')

    # Session and navigation

    def login(self, login, password):
        self.driver.get(f'{self.url}/#{self.database}')
        self.visible('.login-dialog #login').send_keys(login, Keys.ENTER)
        self.visible('#ask-dialog-entry').send_keys(password, Keys.ENTER)
        self.visible('#menu .column-char')
        self.wait(lambda d: not d.find_elements(
                By.CSS_SELECTOR, '.login-dialog'), "the login dialog stays")
        self.wait(self.idle, "sao does not settle after login")

    def html_lang(self):
        return self.driver.find_element(
            By.TAG_NAME, 'html').get_attribute('lang')

    def menu_entry(self, name):
        def find(driver):
            for cell in driver.find_elements(
                    By.CSS_SELECTOR, '#menu .column-char'):
                if cell.get_attribute('title') == name and cell.is_displayed():
                    return cell
        return self.wait(find, f"no menu entry {name!r}")

    def open_menu(self, path):
        "Open the menu entry at path, a list of names from the top"
        *parents, leaf = path
        for parent, child in zip(parents, path[1:]):
            cell = self.menu_entry(parent)
            row = cell.find_element(By.XPATH, './ancestor::tr[1]')
            if not any(c.get_attribute('title') == child and c.is_displayed()
                    for c in self.driver.find_elements(
                        By.CSS_SELECTOR, '#menu .column-char')):
                row.find_element(By.CSS_SELECTOR, '.expander').click()
        tabs = len(self.driver.find_elements(
                By.CSS_SELECTOR, '#tabcontent > .tab-pane'))
        self.menu_entry(leaf).click()
        self.wait(lambda d: len(d.find_elements(
                    By.CSS_SELECTOR, '#tabcontent > .tab-pane')) > tabs,
            f"menu entry {leaf!r} opens no tab")
        self.wait(self.idle, f"{leaf!r} does not finish loading")

    def tab(self):
        return self.visible(ACTIVE_TAB)

    def tabs(self):
        return len(self.driver.find_elements(
                By.CSS_SELECTOR, '#tabcontent > .tab-pane'))

    def close_tab(self):
        "Close the active tab, saved, and show the one before"
        tabs = self.tabs()
        self.visible('#tablist > li.active button.close').click()
        self.wait(lambda d: self.tabs() < tabs and self.idle(),
            "the tab stays open")

    def url_params(self):
        "The parameters of the URL fragment, which sao keeps up to date"
        fragment = self.driver.execute_script('return window.location.hash')
        path, _, query = fragment.partition(';')
        return path, dict(
            part.split('=', 1) for part in query.split('&') if '=' in part)

    def record_id(self):
        "The id of the record shown by the active tab, from the URL"
        path, _ = self.url_params()
        match = re.search(r'/model/[\w.]+/(\d+)$', path)
        return int(match.group(1)) if match else None

    # Lists

    def open_tab_domain(self, label):
        "Show the tab of the list labelled label"
        def text(link):
            # without the count in its badge
            return self.driver.execute_script(
                'return arguments[0].firstChild.textContent', link).strip()
        link = self.wait(lambda d: next((a for a in self.tab().find_elements(
                            By.CSS_SELECTOR, '.tab-domain li > a')
                    if a.is_displayed() and text(a) == label), None),
            f"no list tab {label!r}")
        link.click()
        self.wait(lambda d: 'active' in link.find_element(
                By.XPATH, './..').get_attribute('class'),
            f"list tab {label!r} does not open")
        self.wait(self.idle, f"list tab {label!r} does not load")

    def list_row(self, text):
        "Wait for the row of the list showing text in one of its cells"
        def find(driver):
            for row in self.tab().find_elements(
                    By.CSS_SELECTOR, '.treeview table.tree tbody tr'):
                if row.is_displayed() and any(
                        cell.text.strip() == text
                        for cell in row.find_elements(By.TAG_NAME, 'td')):
                    return row
        return self.wait(find, f"no row shows {text!r}")

    def open_row(self, text):
        "Open the record of the list row showing text in its form"
        row = self.list_row(text)
        cell = next(c for c in row.find_elements(By.TAG_NAME, 'td')
            if c.text.strip() == text)
        ActionChains(self.driver).double_click(cell).perform()
        # sao puts the id in the URL once the form shows the record.
        self.wait(lambda d: self.record_id() and self.idle(),
            f"the row of {text!r} does not open")

    def rows(self, scope=None):
        "The texts of the shown cells of each row of the lists in scope"
        return [[c.text.strip() for c in row.find_elements(By.TAG_NAME, 'td')
                if c.is_displayed()]
            for row in (scope or self.tab()).find_elements(
                By.CSS_SELECTOR, '.treeview table.tree tbody tr')
            if row.is_displayed()]

    def columns(self, scope=None):
        "The titles of the shown columns of the lists in scope"
        return [th.text.strip() for th in (scope or self.tab()).find_elements(
                By.CSS_SELECTOR, '.treeview table.tree thead th')
            if th.is_displayed() and th.text.strip()]

    def column(self, title, scope=None):
        "The texts of the column titled title, row by row, of a list"
        for table in (scope or self.tab()).find_elements(
                By.CSS_SELECTOR, '.treeview table.tree'):
            if not table.is_displayed():
                continue
            titles = [th.text.strip() for th in table.find_elements(
                    By.CSS_SELECTOR, 'thead th')]
            if title in titles:
                index = titles.index(title)
                return [row.find_elements(By.TAG_NAME, 'td')[index]
                    .text.strip() for row in table.find_elements(
                        By.CSS_SELECTOR, 'tbody tr') if row.is_displayed()]
        raise AssertionError(f"no list shows a column {title!r}")

    def search(self, text):
        "Search the list of the active tab for text, as typed in its filter"
        entry = self.visible('.filter-box input.form-control', self.tab())
        entry.click()
        entry.send_keys(Keys.CONTROL, 'a')
        entry.send_keys(Keys.DELETE)
        entry.send_keys(text, Keys.ENTER)
        self.wait(self.idle, f"the search for {text!r} does not end")

    # Forms

    def page(self, label, scope=None):
        "Show the notebook page labelled label"
        link = self.wait(lambda d: next((a for a in (
                            scope or self.tab()).find_elements(
                            By.CSS_SELECTOR, '.nav-tabs > li > a')
                    if a.is_displayed() and a.text.strip() == label), None),
            f"no page {label!r}")
        self.press(link)
        self.wait(lambda d: 'active' in link.find_element(
                By.XPATH, './..').get_attribute('class') and self.idle(),
            f"page {label!r} does not open")

    def preview(self, scope=None):
        "The element showing a PDF in the document widget of scope"
        # sao shows a PDF in an <object>, other files in a sandboxed frame
        return self.wait(lambda d: next((o for o in (
                            scope or self.tab()).find_elements(
                            By.CSS_SELECTOR, '.form-document object')
                    if o.is_displayed() and (
                        o.get_attribute('data') or '').startswith('blob:')),
                None), "no PDF shows")

    def file_name(self, name, scope=None):
        "The file name a binary field shows beside the file's size"
        size = self.field(name, wizard=scope is not None)
        widget = size.find_element(
            By.XPATH, './ancestor::div[contains(@class, "form-binary")][1]')
        return next(i.get_attribute('value') for i in widget.find_elements(
                By.CSS_SELECTOR, 'input:not([type="file"])')
            if i.get_attribute('name') != name)

    def scope(self, wizard=False):
        return self.visible(WIZARD) if wizard else self.tab()

    def field(self, name, wizard=False, hidden=False):
        "The visible (or hidden) input, select or textarea of field name"
        def find(driver):
            elements = self.scope(wizard).find_elements(
                By.CSS_SELECTOR,
                f'input[name="{name}"], select[name="{name}"], '
                f'textarea[name="{name}"]')
            for element in elements:
                if element.is_displayed():
                    return element
            if hidden and elements:
                return elements[0]
        return self.wait(find, f"no field {name!r}")

    def value(self, name, wizard=False, hidden=False):
        "What the field shows: its text, or the label of its selection"
        element = self.field(name, wizard, hidden)
        if element.tag_name == 'select':
            return self.driver.execute_script(
                'var s = arguments[0]; '
                'return s.selectedIndex < 0 ? "" '
                ': s.options[s.selectedIndex].text;', element)
        return element.get_attribute('value')

    def type(self, name, text, wizard=False):
        "Replace the text of a char, text, date or number field"
        element = self.field(name, wizard)
        element.click()
        element.send_keys(Keys.CONTROL, 'a')
        element.send_keys(Keys.DELETE)
        element.send_keys(text)
        # Leaving the field makes sao take its value.
        element.send_keys(Keys.TAB)
        self.wait(lambda d: self.value(name, wizard) == text,
            f"field {name!r} does not keep {text!r}")

    def select(self, name, text, choice, wizard=False):
        "Pick choice among the completions of a many2one for text"
        element = self.field(name, wizard)
        element.click()
        element.send_keys(text)
        dropdown = element.find_element(
            By.XPATH, './ancestor::*[contains(@class, "dropdown")][1]')
        entry = self.wait(lambda d: next(
                (a for a in dropdown.find_elements(
                        By.CSS_SELECTOR, 'li.completion > a')
                    if a.is_displayed() and a.text.strip() == choice),
                None), f"no completion {choice!r} for {name!r}")
        entry.click()
        self.wait(lambda d: self.value(name, wizard) == choice,
            f"field {name!r} does not show {choice!r}")

    def add(self, name, text, choice, shown=None):
        """Add choice, among the completions for text, to many2many name;
        its row shows shown (by default, choice)"""
        element = self.field(name)
        element.click()
        element.send_keys(text)
        dropdown = element.find_element(
            By.XPATH, './ancestor::*[contains(@class, "dropdown")][1]')
        entry = self.wait(lambda d: next(
                (a for a in dropdown.find_elements(
                        By.CSS_SELECTOR, 'li.completion > a')
                    if a.is_displayed() and a.text.strip() == choice),
                None), f"no completion {choice!r} for {name!r}")
        entry.click()
        widget = element.find_element(By.XPATH, './ancestor::*[contains('
            'concat(" ", @class, " "), " form-many2many ")][1]')
        shown = shown or choice
        self.wait(lambda d: self.idle() and any(
                shown in row for row in self.rows(widget)),
            f"{name!r} does not list {shown!r}")

    def upload(self, name, path):
        "Choose the file at path for binary field name"
        widget = self.field(name).find_element(
            By.XPATH, './ancestor::div[contains(@class, "form-binary")][1]')
        widget.find_element(
            By.CSS_SELECTOR, 'input[type="file"]').send_keys(str(path))
        # The widget shows the size of what it holds.
        self.wait(lambda d: self.value(name), f"{name!r} takes no file")

    def download(self, name, directory, title):
        """Save the file of binary field name with its button titled title
        (sao's "Save As..."), into directory; return the path saved"""
        directory.mkdir(parents=True, exist_ok=True)
        self.driver.execute_cdp_cmd('Browser.setDownloadBehavior', {
                'behavior': 'allow', 'downloadPath': str(directory)})
        widget = self.field(name).find_element(
            By.XPATH, './ancestor::div[contains(@class, "form-binary")][1]')
        # sao opens a dialog whose link downloads the file
        self.press(widget.find_element(
                By.CSS_SELECTOR, f'button[title="{title}"]'))

        def saved(driver):
            files = list(directory.iterdir())
            if files and not any(f.suffix == '.crdownload' for f in files):
                return files[0]
        return self.wait(saved, f"the file of {name!r} is not saved")

    def new(self, default):
        "Create a record; wait for field default to show its default value"
        self.visible('button#new_', self.tab()).click()
        # What is typed before the defaults arrive would be overwritten.
        self.wait(lambda d: self.record_id() is None and self.idle()
            and self.value(default), "no new record")

    def save(self):
        "Save the record of the form; return its id"
        self.visible('button#save', self.tab()).click()
        return self.wait(
            lambda d: self.idle() and self.record_id(),
            "the record is not saved")

    def click(self, button, scope=None):
        "Click the button of the form (or of scope) named button"
        self.wait(self.idle, f"the form is busy before {button!r}")
        self.press(self.visible(
                f'button[name="{button}"]', scope or self.tab()))

    def press(self, element):
        "Click element, scrolled to the middle of the window first"
        # A click on an element the window scrolls to as it loads (a
        # document preview) may land beside it.
        self.driver.execute_script(
            'arguments[0].scrollIntoView({block: "center"})', element)
        element.click()

    def wait_value(self, name, expected, wizard=False):
        self.wait(lambda d: self.idle() and self.value(
                name, wizard) == expected,
            f"field {name!r} does not show {expected!r}")

    def finish_wizard(self):
        "Click the default button of the wizard and wait for it to close"
        dialog = self.visible(WIZARD)
        self.visible(
            '.modal-footer button.btn-primary', dialog).click()
        self.wait(lambda d: not any(
                w.is_displayed() for w in d.find_elements(
                    By.CSS_SELECTOR, WIZARD)),
            "the wizard stays open")
        self.wait(self.idle, "the form does not reload after the wizard")
