"""Tryton's own strings and the web client's are in Vietnamese.

Tryton ships no Vietnamese: addons/mvp_documents/locale/core/<module>/vi.po
holds it for the Tryton modules we install, config/sao/vi.po for the sao web
client. These tests check that the catalogues follow the strings the
installed Tryton registers, that what users meet on the main paths is
translated, that placeholders survive, that COVERAGE.md tells the truth and
that `mvp db init` loads them on a new database and on an upgrade.
"""
import os
import re
import sqlite3
import subprocess
import sys
import unittest
from collections import Counter
from pathlib import Path

import polib
import pytest

from trytond.i18n import gettext
from trytond.model.exceptions import AccessError
from trytond.modules.mvp_documents import core_locale
from trytond.modules.mvp_documents.database import MODULES
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction, check_access

ROOT = Path(__file__).resolve().parent.parent
SAO_CATALOGUE = ROOT / 'config' / 'sao' / 'vi.po'
SAO_TEMPLATE = ROOT / 'var' / 'sao' / 'package' / 'locale' / 'messages.pot'

PLACEHOLDER = re.compile(
    r'%\([a-z_]+\)[sdirf]|%[sdirf]|%\d|\$\{[^}]*\}|\{\d*\}|\[\d+:\]?')


def placeholders(text):
    return Counter(PLACEHOLDER.findall(text))


def catalogues():
    return {m: polib.pofile(str(core_locale.path(m)))
        for m in core_locale.MODULES}


class CatalogueTestCase(unittest.TestCase):
    "The catalogues themselves, without a database"

    def test_placeholders_kept(self):
        "Translations keep the placeholders of their source"
        files = [core_locale.path(m) for m in core_locale.MODULES]
        files.append(SAO_CATALOGUE)
        wrong = []
        for path in files:
            for entry in polib.pofile(str(path)):
                translations = (list(entry.msgstr_plural.values())
                    if entry.msgid_plural else [entry.msgstr])
                for translation in filter(None, translations):
                    if placeholders(entry.msgid) != placeholders(translation):
                        wrong.append(f'{path.parent.name}: {entry.msgid!r} '
                            f'-> {translation!r}')
        self.assertEqual(wrong, [])

    def test_coverage_recorded(self):
        "COVERAGE.md holds the counts of the catalogues as they are"
        counts = core_locale.coverage(catalogues())
        self.assertEqual(
            core_locale.COVERAGE.read_text(encoding='utf-8'),
            core_locale.coverage_markdown(counts),
            "run `mvp locale update` to refresh COVERAGE.md")

    def test_main_paths_translated(self):
        "Nothing users meet on the main paths is left in English"
        missing = [f'{module}: {e.msgctxt} {e.msgid!r}'
            for module, po in catalogues().items()
            for e in po
            if core_locale.main_path(e) and not core_locale.translated(e)]
        self.assertEqual(missing, [])
        # the pattern does select what it is meant to
        ir = catalogues()['ir']
        self.assertGreater(
            sum(1 for e in ir if core_locale.main_path(e)), 400)

    @pytest.mark.skipif(not SAO_TEMPLATE.exists(),
        reason="sao is not installed (make sao)")
    def test_sao_complete(self):
        "config/sao/vi.po translates every string of the installed sao"
        template = {(e.msgctxt, e.msgid)
            for e in polib.pofile(str(SAO_TEMPLATE))}
        catalogue = polib.pofile(str(SAO_CATALOGUE))
        translated = {(e.msgctxt, e.msgid) for e in catalogue
            if e.translated()}
        self.assertEqual(sorted(template - translated, key=str), [])
        self.assertEqual(catalogue.metadata['Plural-Forms'],
            'nplurals=1; plural=0;')


class DatabaseTestCase(unittest.TestCase):
    "The catalogues against the strings of the installed Tryton"

    @classmethod
    def setUpClass(cls):
        activate_module(MODULES)

    @with_transaction()
    def test_catalogues_follow_sources(self):
        "Each catalogue has exactly the strings its module registers"
        sources = core_locale.templates()
        activated = {m.name for m in Pool().get('ir.module').search(
                [('state', '=', 'activated')])}
        # what `mvp db init` activates is what has a catalogue
        self.assertEqual(
            {m for m in activated if not m.startswith('mvp_')},
            set(core_locale.MODULES))
        for module, po in catalogues().items():
            expected = {(e.msgctxt, e.msgid) for e in sources[module]}
            actual = {(e.msgctxt, e.msgid) for e in po}
            with self.subTest(module=module):
                self.assertEqual(
                    (sorted(expected - actual), sorted(actual - expected)),
                    ([], []), "run `mvp locale update`")

    @with_transaction()
    def test_users_read_vietnamese(self):
        "Once loaded, the framework speaks Vietnamese to its users"
        pool = Pool()
        User = pool.get('res.user')
        Menu = pool.get('ir.ui.menu')
        ModelData = pool.get('ir.model.data')

        loaded = core_locale.load()
        self.assertEqual(set(loaded), set(core_locale.MODULES))

        with Transaction().set_context(language='vi'):
            self.assertEqual(
                User.fields_get(['name', 'login'])['login']['string'],
                "Tên đăng nhập")
            self.assertEqual(User.fields_get(['name'])['name']['string'],
                "Họ và tên")
            administration = Menu(ModelData.get_id(
                    'ir', 'menu_administration'))
            self.assertEqual(administration.name, "Quản trị")
            self.assertEqual(
                gettext('ir.msg_access_rule_error', model="Văn bản đến"),
                'Đồng chí không có quyền truy cập "Văn bản đến".')

            # As the message is built; on PostgreSQL the database finds the
            # missing value and the message is built in a transaction of
            # its own, which cannot see this test's uncommitted catalogue.
            message = gettext(
                'ir.msg_required_validation', **User.__names__('login'))
            self.assertIn("bắt buộc phải có giá trị", message)
            self.assertIn('"Tên đăng nhập"', message)

        # an employee without the administration group
        user, = User.create([{'name': "Cán bộ", 'login': 'canbo'}])
        with Transaction().set_user(user.id), \
                Transaction().set_context(language='vi'), check_access():
            with self.assertRaises(AccessError) as raised:
                pool.get('ir.model.access').check('ir.model.access', 'write')
            self.assertIn("Đồng chí không có quyền", str(raised.exception))


def clean_environment(path):
    env = {k: v for k, v in os.environ.items()
        if not k.startswith(('TRYTOND_', 'DB_', 'TRYTON'))}
    env.update({
            'TRYTOND_DATABASE__PATH': str(path / 'db'),
            'TRYTONPASSFILE': str(path / 'admin-password'),
            })
    return env


@pytest.mark.skipif(
    os.environ.get('TRYTOND_DATABASE_URI', '').startswith('postgresql'),
    reason="runs once, on the SQLite run: `mvp db init` loads the same way")
def test_loaded_by_db_init(tmp_path):
    "`mvp db init` loads the catalogues on a new database and an upgrade"
    mvp = Path(sys.executable).parent / 'mvp'
    env = clean_environment(tmp_path)
    expected = {module: sum(1 for e in po if core_locale.translated(e))
        for module, po in catalogues().items()}
    database = tmp_path / 'db' / 'demo.sqlite'

    for run in ['new', 'upgrade']:
        result = subprocess.run(
            [mvp, 'db', 'init', '-c', ROOT / 'config' / 'demo.conf',
                '-d', 'demo'],
            env=env, cwd=ROOT, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True)
        assert result.returncode == 0, result.stdout
        with sqlite3.connect(f'file:{database}?mode=ro', uri=True) as db:
            counts = dict(db.execute(
                    "SELECT module, COUNT(*) FROM ir_translation "
                    "WHERE lang = 'vi' AND value != '' AND NOT fuzzy "
                    "GROUP BY module"))
            menu, = db.execute(
                "SELECT t.value FROM ir_translation t "
                "JOIN ir_model_data d ON d.db_id = t.res_id "
                "AND d.model = 'ir.ui.menu' AND d.module = 'ir' "
                "AND d.fs_id = 'menu_administration' "
                "WHERE t.lang = 'vi' AND t.name = 'ir.ui.menu,name'"
                ).fetchone()
        assert {m: counts.get(m) for m in expected} == expected, run
        assert menu == "Quản trị", run
