"""Every string our modules show has its Vietnamese translation.

The source strings are what trytond registers for each module, views and
reports included (the "Set Translations" wizard finds those); each must have a
non-empty, non-fuzzy entry in the module's locale/vi.po. The template of each
module is written to tests/artifacts/<module>.pot for the translators.
"""
import unittest
from pathlib import Path

import polib

from trytond.modules.mvp_documents.database import MODULES
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / 'tests' / 'artifacts'


def template(module):
    "The source strings of module as a polib catalogue"
    pool = Pool()
    Translation = pool.get('ir.translation')
    data = Translation.translation_export('en', module)
    return polib.pofile(data.decode('utf-8')) if data else polib.POFile()


class TranslationTestCase(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        activate_module(MODULES)

    @with_transaction()
    def test_vietnamese_complete(self):
        "No string of our modules is left untranslated"
        TranslationSet = Pool().get('ir.translation.set', type='wizard')
        session_id, _, _ = TranslationSet.create()
        wizard = TranslationSet(session_id)
        wizard.set_report()
        wizard.set_view()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        missing = []
        for module in MODULES:
            source = template(module)
            source.save(str(ARTIFACTS / f'{module}.pot'))
            path = ROOT / 'addons' / module / 'locale' / 'vi.po'
            translated = set()
            if path.exists():
                translated = {
                    (e.msgctxt, e.msgid) for e in polib.pofile(str(path))
                    if e.msgstr and 'fuzzy' not in e.flags}
            missing += [
                f'{module}: {e.msgctxt} {e.msgid!r}' for e in source
                if (e.msgctxt, e.msgid) not in translated]
        self.assertEqual(missing, [], "untranslated:\n" + '\n'.join(missing))
