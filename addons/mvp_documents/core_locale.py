"""Vietnamese for the Tryton modules we install: ir, res, company...

Tryton ships no Vietnamese. locale/core/<module>/<lang>.po holds it for each
of Tryton's modules, in the format of Tryton's own locale/<lang>.po (msgctxt
``type:name:xml_id``). ``mvp db init`` loads them after installing or
upgrading the modules, with the import trytond uses for a module's own
catalogue (ir.translation's translation_import) but with the catalogue kept
here; a module's override/ catalogue cannot do it, it only replaces
translations that exist already.

    mvp locale update -c CONFIG -d NAME

refreshes the catalogues from the source strings of a database where the
modules are activated: new strings are added untranslated, vanished ones
dropped, translations kept. It also writes locale/core/COVERAGE.md, the count
of translated strings per module.
"""
import os
import re
from pathlib import Path

import polib

LANGUAGE = 'vi'
# What `mvp db init` activates besides our modules, in dependency order.
MODULES = [
    'ir', 'res', 'country', 'currency', 'party', 'company', 'user_role',
    'dashboard']
DIRECTORY = Path(__file__).resolve().parent / 'locale' / 'core'
COVERAGE = DIRECTORY / 'COVERAGE.md'
# What clerks, leaders, specialists and administrators meet: menus and
# actions, user preferences and the user list, login and session messages,
# chat, notifications, attachments and notes, the framework's error messages
# (access, record rules, required and invalid values...), buttons and wizard
# buttons, model names, agencies (companies), employees and parties.
MAIN_PATHS = re.compile('|'.join([
            r'model:ir\.ui\.menu,name:',
            r'model:ir\.action,name:',
            r'model:ir\.message,text:',
            r'model:ir\.model\.button,',
            r'model:res\.group,name:',
            r'model:[a-z_.-]+,string:',
            r'wizard_button:',
            r'(field|help|selection|view):res\.(user|notification|group)[,:]',
            r'(field|help|selection|view):ir\.(attachment|note|chat\.)',
            r'(field|help|selection|view):ir\.(lang|model\.log|action)[,:]',
            r'(field|help|selection|view):company\.',
            r'(field|help|selection|view):party\.(party|address)[,:]',
            ]))


def path(module, lang=LANGUAGE):
    return DIRECTORY / module / f'{lang}.po'


def translated(entry):
    "Whether a catalogue entry counts as translated"
    return bool(entry.translated() and not entry.obsolete)


def main_path(entry):
    "Whether users meet the string of a catalogue entry on the main paths"
    return bool(MAIN_PATHS.match(entry.msgctxt or ''))


def load(lang=LANGUAGE):
    """Import the catalogues of the activated modules into ir.translation.

    To be called in a transaction on a database whose modules are
    activated; return {module: number of entries}."""
    from trytond.pool import Pool

    pool = Pool()
    Module = pool.get('ir.module')
    Translation = pool.get('ir.translation')
    activated = {m.name for m in Module.search([
                ('name', 'in', MODULES),
                ('state', '=', 'activated'),
                ])}
    loaded = {}
    for module in MODULES:
        catalogue = path(module, lang)
        if module in activated and catalogue.exists():
            Translation.translation_import(lang, module, str(catalogue))
            loaded[module] = len(polib.pofile(str(catalogue)))
    return loaded


def templates(modules=MODULES):
    """The source strings of modules as {module: polib.POFile}.

    To be called in a transaction that is rolled back: the strings of views
    and reports exist in ir.translation only once the "Set Translations"
    wizard has found them, and it writes them there."""
    from trytond.pool import Pool

    pool = Pool()
    Translation = pool.get('ir.translation')
    TranslationSet = pool.get('ir.translation.set', type='wizard')
    session_id, _, _ = TranslationSet.create()
    wizard = TranslationSet(session_id)
    wizard.set_report()
    wizard.set_view()
    result = {}
    for module in modules:
        data = Translation.translation_export('en', module)
        result[module] = (
            polib.pofile(data.decode('utf-8')) if data else polib.POFile())
    return result


def key(entry):
    return (entry.msgctxt, entry.msgid)


def merge(template, catalogue, lang=LANGUAGE):
    """A catalogue with the entries of template in its order, each with the
    translation catalogue has for it"""
    known = {key(e): e for e in catalogue if not e.obsolete}
    result = polib.POFile(wrapwidth=78)
    result.metadata = {
        'Content-Type': 'text/plain; charset=utf-8',
        'Language': lang,
        'Plural-Forms': 'nplurals=1; plural=0;',
        }
    for source in template:
        entry = polib.POEntry(
            msgctxt=source.msgctxt, msgid=source.msgid,
            flags=[f for f in source.flags if f != 'fuzzy'])
        if source.msgid_plural:
            entry.msgid_plural = source.msgid_plural
            entry.msgstr_plural = {0: ''}
        old = known.get(key(source))
        if old is not None:
            if entry.msgid_plural:
                entry.msgstr_plural = dict(old.msgstr_plural) or {0: ''}
            else:
                entry.msgstr = old.msgstr
            if 'fuzzy' in old.flags:
                entry.flags.append('fuzzy')
            entry.tcomment = old.tcomment
        result.append(entry)
    return result


def coverage(catalogues):
    """{module: (total, translated, main paths total, main paths translated)}
    of {module: polib.POFile}"""
    result = {}
    for module, po in catalogues.items():
        main = [e for e in po if main_path(e)]
        result[module] = (
            len(po), sum(1 for e in po if translated(e)),
            len(main), sum(1 for e in main if translated(e)))
    return result


def coverage_markdown(counts, lang=LANGUAGE):
    lines = [
        f"# Tryton's own strings in `{lang}`",
        "",
        "Written by `mvp locale update`: the strings each Tryton module we",
        f"install registers, and how many of them `core/<module>/{lang}.po`",
        "translates; the rest shows in English. The main paths are the",
        "strings users meet in menus, preferences, chat, notifications,",
        "attachments, notes and error messages (`MAIN_PATHS` in",
        "core_locale.py).",
        "",
        "| module | strings | translated | untranslated "
        "| main paths | translated | untranslated |",
        "|---|---:|---:|---:|---:|---:|---:|",
        ]

    def row(name, total, done, main, main_done):
        return (f"| {name} | {total} | {done} | {total - done} "
            f"| {main} | {main_done} | {main - main_done} |")
    for module, figures in counts.items():
        lines.append(row(module, *figures))
    lines.append(row('**all**', *map(sum, zip(*counts.values()))))
    return '\n'.join(lines) + '\n'


def update(lang=LANGUAGE):
    "Refresh the catalogues and COVERAGE.md from the database's strings"
    counts = {}
    for module, template in templates().items():
        catalogue = path(module, lang)
        old = (polib.pofile(str(catalogue)) if catalogue.exists()
            else polib.POFile())
        new = merge(template, old, lang)
        catalogue.parent.mkdir(parents=True, exist_ok=True)
        new.save(str(catalogue))
        counts[module] = coverage({module: new})[module]
    COVERAGE.write_text(coverage_markdown(counts, lang), encoding='utf-8')
    return counts


def register(subparsers):
    parser = subparsers.add_parser(
        'locale', help="Vietnamese catalogues of Tryton's modules",
        description="Vietnamese catalogues of Tryton's own modules.")
    actions = parser.add_subparsers(dest='action', metavar='ACTION')
    actions.required = True
    refresh = actions.add_parser(
        'update', help="refresh the catalogues from a database's strings",
        description="Refresh the catalogues of locale/core/ from the source "
        "strings of a database where the modules are activated (new strings "
        "untranslated, vanished ones dropped) and write COVERAGE.md.")
    refresh.add_argument(
        '-c', '--config', default=os.environ.get('TRYTOND_CONFIG'),
        help="trytond configuration file (default: $TRYTOND_CONFIG)")
    refresh.add_argument(
        '-d', '--database', required=True,
        help="a database where the modules are activated")
    refresh.set_defaults(func=run_update)


def run_update(args):
    from trytond import config
    if args.config:
        config.update_etc(os.path.abspath(args.config))
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    Pool(args.database).init()
    with Transaction().start(args.database, 0, readonly=False) as transaction:
        counts = update()
        # The "Set Translations" wizard wrote the source strings of views
        # and reports: leave the database as it was.
        transaction.rollback()
    for module, (total, done, main, main_done) in counts.items():
        print(f"{path(module)}: {done}/{total} translated, "
            f"main paths {main_done}/{main}")
    print(f"{COVERAGE} written")
    return 0
