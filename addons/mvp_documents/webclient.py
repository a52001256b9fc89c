"""The ``mvp webclient`` command: helpers for the sao web client.

    mvp webclient locale PO JSON

compiles a gettext catalogue of sao's own strings to the JSON that sao
fetches as ``locale/<lang>.json`` (what sao's build does with po2json):
``{"": {header}, "msgid": [null, "msgstr"], "msgid": ["plural", "msgstr[0]",
...]}``. Untranslated and fuzzy entries are left out, so sao shows the
English text for them.
"""
import json
import os
import tempfile

import polib


def register(subparsers):
    parser = subparsers.add_parser(
        'webclient', help="helpers for the sao web client",
        description="Helpers for the sao web client.")
    actions = parser.add_subparsers(dest='action', metavar='ACTION')
    actions.required = True
    locale = actions.add_parser(
        'locale', help="compile a sao catalogue (.po) to sao's JSON",
        description=__doc__.split('\n\n')[2])
    locale.add_argument('po', help="the .po file")
    locale.add_argument('json', help="the .json file to write")
    locale.set_defaults(func=run_locale)


def catalogue(pofile):
    "Return sao's JSON catalogue of a polib.POFile as a dict"
    header = {k.lower(): v for k, v in pofile.metadata.items()}
    result = {'': header}
    for entry in pofile:
        if entry.obsolete or entry.fuzzy or not entry.translated():
            continue
        key = entry.msgid
        if entry.msgctxt:
            key = entry.msgctxt + '\x04' + key
        if entry.msgid_plural:
            forms = [entry.msgstr_plural[i]
                for i in sorted(entry.msgstr_plural)]
            result[key] = [entry.msgid_plural, *forms]
        else:
            result[key] = [None, entry.msgstr]
    return result


def run_locale(args):
    data = catalogue(polib.pofile(args.po))
    directory = os.path.dirname(os.path.abspath(args.json))
    os.makedirs(directory, exist_ok=True)
    # Written aside then renamed: the server may be serving the old one.
    with tempfile.NamedTemporaryFile(
            'w', encoding='utf-8', dir=directory, delete=False,
            suffix='.tmp') as file:
        json.dump(data, file, ensure_ascii=False)
    os.chmod(file.name, 0o644)
    os.replace(file.name, args.json)
    print(f"{args.json}: {len(data) - 1} messages")
    return 0
