"Compiling sao's catalogue to the JSON that sao loads"
import json
import subprocess
import sys

import polib

from trytond.modules.mvp_documents.webclient import catalogue

PO = r'''
msgid ""
msgstr ""
"Content-Type: text/plain; charset=utf-8\n"
"Language: vi\n"
"Plural-Forms: nplurals=1; plural=0;\n"

msgid "Favorites"
msgstr "Ưa thích"

msgid "%1 record imported"
msgid_plural "%1 records imported"
msgstr[0] "Đã nhập %1 bản ghi"

msgid "Untranslated"
msgstr ""

#, fuzzy
msgid "Fuzzy"
msgstr "Mờ"

#~ msgid "Obsolete"
#~ msgstr "Cũ"
'''


def test_catalogue():
    data = catalogue(polib.pofile(PO))
    assert data == {
        '': {
            'content-type': 'text/plain; charset=utf-8',
            'language': 'vi',
            'plural-forms': 'nplurals=1; plural=0;',
            },
        'Favorites': [None, 'Ưa thích'],
        '%1 record imported': ['%1 records imported', 'Đã nhập %1 bản ghi'],
        }


def test_command(tmp_path):
    po = tmp_path / 'vi.po'
    po.write_text(PO, encoding='utf-8')
    target = tmp_path / 'locale' / 'vi.json'
    subprocess.run(
        [sys.executable, '-m', 'trytond.modules.mvp_documents.cli',
            'webclient', 'locale', str(po), str(target)], check=True,
        capture_output=True)
    data = json.loads(target.read_text(encoding='utf-8'))
    assert data['Favorites'] == [None, 'Ưa thích']
    assert 'Fuzzy' not in data and 'Obsolete' not in data
