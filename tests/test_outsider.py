"""Outsiders through the server: every path to a record closed to them.

A real trytond serves the demo province over HTTP on 127.0.0.1 (the server
tests/conftest.py shares with tests/test_screens.py, on SQLite or, in the
PostgreSQL run of tests/run.py, on that server). Every person of the demo
logs in through JSON-RPC, as the web client does, and tries what the server
exposes against records they must not reach: other agencies' documents,
documents above their clearance, the recipients' copies of what their
agency sent, files and annexes by guessed ids, the threads, attachments,
notes, audit entries and notifications hanging on them.

What is tried is enumerated from the server, so that a model, a button, a
wizard or a report added later is tried without editing this test:

- the models: `ir.model` (ours, `mvp.*`), with Tryton's models that hang on
  our records (`ATTACHED`);
- their RPC methods: `system.listMethods`; the buttons: `ir.model.button`;
  the wizards: `ir.action.wizard` and `wizard.mvp.*`; the reports:
  `ir.action.report` and `report.mvp.*`; the threads: the models of
  `ir.chat.channel.get_models`; the fields: `ir.model.field`.

Which records a person must not reach is read from the database itself
(tests/browser/database.py): every row of each model's table the person's
own search does not return; for documents, the rules are also written out
here (agency, assignment, clearance) and the search must agree. A few of
them are tried per person and model (`SAMPLE`), chosen for different
reasons (another agency, above the clearance, a copy sent elsewhere, a
thread, an annex...); then every method (`Battery`):

- model methods: read (an id, the name, every field with `.rec_name` of
  its relations), search, search_count, search_read, export_data,
  export_data_domain, import_data, write, delete, copy (also into the
  person's own agency), history_revisions, resources, pre_validate,
  on_change, on_change_with, on_change_notify, on_scan_code, and any other
  method of the model with the record; buttons; each wizard (create with
  the record active, or create on a record of their own and execute with
  the record active, execute and delete a session of someone else);
  reports;
- `ir.chat.channel` get, post, subscribe, unsubscribe, followers; creating
  `ir.attachment`, `ir.note` and annexes on the record; searching every
  model with a `resource` (attachments, notes, audit entries, signatures,
  annexes, threads) by the record;
- on records of their own: each relation set to a record they must not
  reach (an annex's `file`, a reply to another agency's document, an annex
  moved in...);
- what they may read (their records with every field and relation, their
  notifications, their threads, the audit) must not carry what they may
  not.

A refusal is any error the server answers. A success leaks when the answer
carries the record's data (a text stored in its row that the person meets
nowhere they may look, its bytes, or its id in a search), or when the
database changed: a row the person wrote or created, a record gone. The
summary prints the attempts (methods x people x records tried, refused,
answered without leak, errors); the test fails on any leak, and on any
method of our models that it did not know how to try.
"""
import json
import os
import re
import threading
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor

import pytest

from browser.rpc import RPCError, Session, error_text

from trytond.modules.mvp_demo import demo
from trytond.modules.mvp_documents.tests.pdf import pdf

# Tryton's models whose records hang on our documents, and which of their
# rows do.
OURS = "LIKE 'mvp.%'"
CHANNELS = f"(SELECT id FROM ir_chat_channel WHERE resource {OURS})"
ATTACHED = {
    'ir.attachment': f"resource {OURS}",
    'ir.note': f"resource {OURS}",
    'ir.model.log': f"resource {OURS}",
    'ir.chat.channel': f"resource {OURS}",
    'ir.chat.message': f"channel IN {CHANNELS}",
    'ir.chat.follower': f"channel IN {CHANNELS}",
    'res.notification': f"model {OURS}",
    }
# Models computed from the tables of others: the table and the rows shown.
# Models computed from the tables of others: the rows they show, as
# the sender may know them.
VIEWS = {
    'mvp.document.delivery': "SELECT id, outgoing, state, number, "
    "received_date, registered_date, "
    "CASE WHEN state = 'rejected' THEN note END AS reason "
    "FROM mvp_document_incoming WHERE outgoing IS NOT NULL",
    }
# Figures computed for the reader from the records their rules let them
# read (the boards): no row exists that is closed to them
# (addons/mvp_documents/tests/test_board.py counts what each one shows).
PER_READER = {'mvp.board.work', 'mvp.board.month', 'mvp.board.agency'}
DOCUMENTS = ['mvp.document.incoming', 'mvp.document.outgoing']
SECRECY = ['normal', 'confidential', 'secret', 'top_secret']
# Roles that read but change nothing of the documents they read.
READ_ONLY = {'oversight', 'admin_province', 'admin_agency'}
# Records tried per person and model, documents and others.
SAMPLE = {'document': 1, 'other': 1}
# Records a person may read, read with every field, per model.
READ_SAMPLE = 4
# People trying at once: the server serves each in a thread of its own.
WORKERS = 3

# Methods of every model that take no record: nothing to refuse.
MODEL_LEVEL = {
    'default_get', 'fields_get', 'fields_view_get', 'view_toolbar_get',
    'autocomplete', 'get_models', 'get_urgencies', 'list_icons',
    'get_count', 'get', 'create',
    }
# Methods tried with a record given as values (the client's record).
RECORD_VALUES = {'pre_validate', 'on_change', 'on_change_with',
    'on_change_notify', 'on_scan_code'}
CHAT = {
    'get': lambda ref: (ref,),
    'post': lambda ref: (ref, "Ý kiến của người ngoài"),
    'subscribe': lambda ref: (ref,),
    'unsubscribe': lambda ref: (ref,),
    'get_followers': lambda ref: (ref,),
    'search_followers': lambda ref: (ref, 'a'),
    'subscribe_email': lambda ref: (ref, 'outsider@example.org'),
    'unsubscribe_email': lambda ref: (ref, 'outsider@example.org'),
    }
# Values of a record made on another's record, besides its resource.
ON_RECORD = {
    'ir.attachment': {'name': 'ngoai.txt', 'data': b'outsider'},
    'ir.note': {'message': "Ghi chú của người ngoài"},
    'mvp.document.annex': {'file_name': 'ngoai.pdf',
        'file_data': pdf("Phu luc cua nguoi ngoai")},
    }
RELATIONS = {'many2one', 'one2many', 'many2many', 'reference', 'one2one'}
# Texts shorter than this are not told apart from common words.
TEXT = 12
# References and model names are no data of a record.
REFERENCE = re.compile(r'^[\w.]+,-?\d+$|^[a-z_]+(\.[a-z_]+)+$')
# Columns that are not data of a record.
NOT_DATA = {'create_date', 'write_date', 'create_uid', 'write_uid'}
# Rows a person's attempts may leave without changing anything: sessions,
# logins, the audit of what they tried and read.
SIDE_EFFECTS = {'ir_session', 'res_user_login_attempt', 'ir_cache',
    'ir_model_log', 'mvp_audit_head', 'ir_session_wizard', 'ir_queue'}


def table(model):
    return model.replace('.', '_')


def texts(row):
    "The texts of row long enough to tell it apart"
    result = set()
    for name, value in row.items():
        if name in NOT_DATA or not isinstance(value, str):
            continue
        value = value.strip()
        if (len(value) >= TEXT and any(c.isalpha() for c in value)
                and not REFERENCE.match(value)):
            result.add(value)
    return result


def strings(value):
    "Every string in an answer, keys included"
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings(item)


def has_bytes(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bool(value)
    if isinstance(value, dict):
        return any(has_bytes(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_bytes(v) for v in value)
    return False


def ids_in(value):
    "The record ids of a search's answer"
    if isinstance(value, list):
        return {v if isinstance(v, int) else v.get('id')
            for v in value if isinstance(v, (int, dict))}
    return set()


class Province:
    "What the server and its database say before anyone tries anything"

    def __init__(self, url, database, tables, path):
        self.url, self.database, self.tables = url, database, tables
        self.admin = Session(url, database, 'admin',
            (path / 'admin-password').read_text().strip())
        self.methods = defaultdict(set)
        for name in self.admin.call('system.listMethods'):
            kind, rest = name.split('.', 1)
            model, method = rest.rsplit('.', 1)
            self.methods[kind, model].add(method)
        self.names = tables.names()
        models = [r['name'] for r in tables.query(
                "SELECT name FROM ir_model WHERE name LIKE 'mvp.%'")]
        self.models = sorted(
            m for m in models + list(ATTACHED)
            if 'read' in self.methods['model', m])
        self.columns = {t: tables.columns(t) for t in self.names}
        self.fields = defaultdict(dict)
        for row in tables.query("SELECT model, name, ttype, relation "
                "FROM ir_model_field"):
            self.fields[row['model']][row['name']] = row
        self.buttons = defaultdict(list)
        for row in self.admin.execute('ir.model.button', 'search_read',
                [], 0, None, None, ['name', 'model']):
            self.buttons[row['model']].append(row['name'])
        self.wizards = defaultdict(list)
        for row in self.admin.execute('ir.action.wizard', 'search_read',
                [], 0, None, None, ['wiz_name', 'model']):
            if row['model'] in self.models or row['wiz_name'].startswith(
                    'mvp.'):
                for model in ([row['model']] if row['model'] else DOCUMENTS):
                    if row['wiz_name'] not in self.wizards[model]:
                        self.wizards[model].append(row['wiz_name'])
        for kind, name in list(self.methods):
            if kind == 'wizard' and name.startswith('mvp.') and not any(
                    name in w for w in self.wizards.values()):
                for model in DOCUMENTS:
                    self.wizards[model].append(name)
        self.reports = defaultdict(list)
        for row in self.admin.execute('ir.action.report', 'search_read',
                [], 0, None, None, ['report_name', 'model']):
            if row['model'] in self.models:
                self.reports[row['model']].append(
                    (row['report_name'], row['id']))
        self.chat = [m for m, _ in self.admin.execute(
                'ir.chat.channel', 'get_models')]
        # Models with a resource, searched by every record.
        self.on_resource = [m for m in self.models
            if self.fields[m].get('resource', {}).get('ttype') == 'reference']
        self.rows = {m: self._rows(m) for m in self.models}
        self.users = {r['login']: r for r in tables.rows('res_user')}
        self.companies = defaultdict(set)
        for row in tables.rows('res_user-company_company'):
            self.companies[row['user']].add(row['company'])
        self.assigned = defaultdict(set)
        for row in tables.rows('mvp_assignment'):
            self.assigned[row['incoming']].add(row['user'])
        # Who is who is no secret in the province.
        self.public = set()
        for name in ['res_user', 'party_party']:
            for row in tables.rows(name):
                self.public |= texts({'name': row['name']})
        # Each role tries the models other than documents once, one of its
        # people each model.
        logins = defaultdict(list)
        for person in demo.PEOPLE:
            logins['+'.join(sorted(person[4]))].append(person[0])
        self.others = defaultdict(set)
        for people in logins.values():
            for index, model in enumerate(
                    m for m in self.models if m not in DOCUMENTS):
                self.others[people[index % len(people)]].add(model)

    def _rows(self, model):
        "{id: row} of every record of model, as stored"
        if model in VIEWS:
            sql = VIEWS[model]
        elif table(model) in self.names:
            where = ATTACHED.get(model)
            sql = f'SELECT * FROM "{table(model)}"' + (
                f' WHERE {where}' if where else '')
        else:
            return None
        return {r['id']: r for r in self.tables.query(sql)}

    def record_fields(self, model, types):
        "Stored fields of model of the types"
        return {n: f for n, f in self.fields[model].items()
            if f['ttype'] in types and n in self.columns.get(
                table(model), ())}


class Person:
    "A person of the demo, logged in"

    def __init__(self, province, login, index):
        self.login, self.index = login, index
        person, = [p for p in demo.PEOPLE if p[0] == login]
        self.roles = set(person[4])
        self.clearances = SECRECY[:SECRECY.index(person[5]) + 1]
        self.session = Session(
            province.url, province.database, login, demo.PASSWORD)
        self.id = self.session.user_id
        self.companies = province.companies[self.id]
        self.company = self.session.context.get('company')
        self.read_only = bool(self.roles & READ_ONLY)

    @property
    def role(self):
        return '+'.join(sorted(self.roles))


def hidden_by_rules(province, person, model, row):
    """Tell whether the rules, written out, keep the row of a document from
    the person"""
    if row['secrecy'] not in person.clearances:
        return True
    if person.roles & {'oversight', 'admin_province'}:
        return False
    if 'admin_agency' in person.roles:
        return True
    if row['company'] in person.companies:
        return False
    return not (model == 'mvp.document.incoming'
        and person.id in province.assigned[row['id']])


class Outcome:
    "The attempts of one person and what came of them"

    def __init__(self, person):
        self.person = person
        self.attempts = Counter()
        self.methods = set()
        self.records = set()
        self.leaks = []
        self.errors = Counter()
        self.answered = Counter()
        self.untried = []
        self.reasons = set()


class Battery:
    "One person trying every method on the records closed to them"

    def __init__(self, province, person):
        self.province, self.person = province, person
        self.session = person.session
        self.outcome = Outcome(person)
        self.reachable = {}
        self.unreachable = {}
        self.known = set(province.public)
        self._known = None
        self.baseline = None

    # What the person may reach, by their own search and by the tables

    def survey(self):
        province, person = self.province, self.person
        for model in province.models:
            rows = province.rows[model]
            if rows is None:
                continue
            try:
                found = set(self.session.execute(model, 'search', [],
                        0, None, None, context={
                            **self.session.context, 'active_test': False}))
            except RPCError:
                found = set()
            self.reachable[model] = found & set(rows)
            self.unreachable[model] = sorted(set(rows) - found)
            for id_ in self.reachable[model]:
                self.known |= texts(rows[id_])
            if model in DOCUMENTS:
                wrong = sorted(i for i in found & set(rows)
                    if hidden_by_rules(province, person, model, rows[i]))
                for id_ in wrong:
                    self.leak('search', model, id_,
                        "found by search although the rules hide it")
        self.baseline = self.changes_mark()

    def reasons(self, model, row):
        "Why the record is closed to the person, to sample them apart"
        person = self.person
        parts = []
        if 'company' in row:
            parts.append('own agency' if row['company'] in person.companies
                else 'another agency')
        if 'secrecy' in row:
            parts.append('above clearance'
                if row['secrecy'] not in person.clearances
                else 'within clearance')
        if row.get('outgoing') in self.reachable.get(
                'mvp.document.outgoing', ()):
            parts.append('copy of their outgoing')
        for name in ['resource', 'model']:
            if isinstance(row.get(name), str):
                parts.append(row[name].split(',')[0])
        if 'event' in row:
            parts.append(row['event'])
        return ', '.join(parts) or model

    def targets(self, model):
        "A few records of model closed to the person, for different reasons"
        rows = self.province.rows.get(model)
        if not rows:
            return []
        groups = defaultdict(list)
        for id_ in self.unreachable.get(model, []):
            groups[self.reasons(model, rows[id_])].append(id_)
        count = SAMPLE['document' if model in DOCUMENTS else 'other']
        keys = sorted(groups)
        start = self.person.index % len(keys) if keys else 0
        keys = keys[start:] + keys[:start]
        self.outcome.reasons.update((model, k) for k in keys[:count])
        return [groups[k][self.person.index % len(groups[k])]
            for k in keys[:count]]

    # Detecting leaks

    def secrets(self, model, id_):
        "The texts of the record the person meets nowhere they may look"
        if self._known is None:
            self._known = '\0'.join(self.known)
        return {t for t in texts(self.province.rows[model][id_])
            if t not in self._known}

    def leak(self, method, model, id_, why):
        self.outcome.leaks.append(
            f"{self.person.login} ({self.person.role}) {model} {id_} "
            f"{method}: {why}")

    def check(self, method, model, id_, result, search=False):
        "Tell what of the record the answer carries"
        found = []
        if search and (id_ in ids_in(result) or (
                    isinstance(result, int) and result > 0)):
            found.append("the record is in the answer")
        if has_bytes(result):
            found.append("bytes are in the answer")
        answer = list(strings(result))
        for secret in self.secrets(model, id_):
            if any(secret in s for s in answer):
                found.append(f"{secret[:60]!r} is in the answer")
                break
        return found

    def changes_mark(self):
        "The last id of each table and what the person wrote so far"
        province = self.province
        mark = {}
        for name, columns in province.columns.items():
            if 'id' not in columns or name in SIDE_EFFECTS:
                continue
            where = self._mine(columns)
            if not where:
                continue
            rows = province.tables.query(
                f'SELECT id, {"write_date" if "write_date" in columns else "NULL"}'
                f' AS w FROM "{name}" WHERE {where}')
            mark[name] = {r['id']: str(r['w']) for r in rows}
        return mark

    def _mine(self, columns):
        who = [f'{c} = {self.person.id}' for c in ['create_uid', 'write_uid']
            if c in columns]
        return ' OR '.join(who)

    def changes(self):
        "Rows the person created or wrote since the last mark, and the mark"
        mark = self.changes_mark()
        changed = []
        for name, rows in mark.items():
            before = self.baseline.get(name, {})
            for id_, written in rows.items():
                if before.get(id_) != written:
                    changed.append(f'{name} {id_}')
        self.baseline = mark
        return changed

    # Calling

    def call(self, method, model, id_, rpc, *args, context=None,
            search=False, mutating=True):
        """Try rpc; a leak when it answers with the record's data or
        changes the database"""
        outcome = self.outcome
        outcome.attempts[method] += 1
        outcome.methods.add(rpc)
        outcome.records.add((model, id_))
        try:
            result = self.session.call(
                rpc, *args, context or self.session.context)
        except RPCError as error:
            text = error_text(error)
            if not text.startswith('UserError') and not text.startswith(
                    'AccessError'):
                outcome.errors[f'{rpc}: {text[:120]}'] += 1
            for secret in self.secrets(model, id_):
                if secret in text:
                    self.leak(method, model, id_,
                        f"the refusal tells {secret[:60]!r}")
                    break
            return None
        found = self.check(method, model, id_, result, search=search)
        if mutating:
            changed = self.changes()
            if changed:
                found.append(f"it changed {', '.join(changed[:5])}")
        if found:
            self.leak(method, model, id_, '; '.join(found))
        else:
            outcome.answered[rpc] += 1
        return result

    def model(self, model, method, id_, *args, **kwargs):
        return self.call(method, model, id_, f'model.{model}.{method}',
            *args, **kwargs)

    # The batteries

    def run(self):
        self.survey()
        for model in self.province.models:
            if model in PER_READER:
                continue
            if self.province.rows[model] is None:
                self.outcome.untried.append(
                    f"{model}: no table; name the rows it shows in VIEWS")
                continue
            if model in DOCUMENTS or model in self.province.others[
                    self.person.login]:
                for id_ in self.targets(model):
                    self.try_record(model, id_)
            if self.person.read_only and model in DOCUMENTS:
                for id_ in sorted(self.reachable[model])[:1]:
                    self.try_changes(model, id_)
        return self.outcome

    def try_record(self, model, id_):
        "Every method on a record closed to the person"
        province = self.province
        methods = province.methods['model', model]
        ref = f'{model},{id_}'
        stored = province.record_fields(model, {
                'char', 'text', 'integer', 'many2one', 'selection', 'date',
                'datetime', 'boolean', 'reference', 'numeric', 'float'})
        relations = [n for n, f in province.fields[model].items()
            if f['ttype'] in {'many2one', 'one2many', 'many2many',
                'reference', 'one2one'}]
        binaries = [n for n, f in province.fields[model].items()
            if f['ttype'] == 'binary']
        every = list(province.fields[model]) + [
            f'{n}.rec_name' for n in relations]
        text_field = next((n for n, f in stored.items()
                if f['ttype'] in {'char', 'text'} and n != 'rec_name'), None)
        tried = set()

        def model_call(method, *args, **kwargs):
            tried.add(method)
            return self.model(model, method, id_, *args, **kwargs)

        model_call('read', [id_], ['id'])
        model_call('read', [id_], ['rec_name'])
        model_call('read', [id_], every)
        model_call('search', [('id', '=', id_)], 0, None, None,
            search=True, mutating=False)
        model_call('search_count', [('id', '=', id_)], mutating=False,
            search=True)
        model_call('search_read', [('id', '=', id_)], 0, None, None,
            ['rec_name'], search=True, mutating=False)
        export = ['id', 'rec_name'] + ([text_field] if text_field else [])
        model_call('export_data', [id_], export)
        model_call('export_data_domain', [('id', '=', id_)], export,
            mutating=False)
        if text_field:
            model_call('write', [id_], {text_field: "Sửa của người ngoài"})
            model_call('import_data', ['id', text_field],
                [[str(id_), "Nhập của người ngoài"]])
        else:
            model_call('write', [id_], {})
            model_call('import_data', ['id'], [[str(id_)]])
        model_call('delete', [id_])
        model_call('copy', [id_], {})
        if 'company' in stored and self.person.company:
            model_call('copy', [id_], {'company': self.person.company})
        if f'{table(model)}__history' in province.names:
            model_call('history_revisions', [id_], mutating=False)
            model_call('read', [id_], ['rec_name'], context={
                    **self.session.context, '_datetime': None})
        else:
            tried.add('history_revisions')
        model_call('resources', [id_], mutating=False)
        values = {'id': id_}
        model_call('pre_validate', values, mutating=False)
        with_changes = [n for n in province.fields[model]
            if f'on_change_with_{n}' in methods]
        if with_changes:
            model_call('on_change_with', values, with_changes,
                mutating=False)
        else:
            tried.add('on_change_with')
        model_call('on_change', values, ['id'], mutating=False)
        model_call('on_change_notify', values, mutating=False)
        model_call('on_scan_code', values, 'outsider', mutating=False)
        for button in province.buttons.get(model, []):
            model_call(button, [id_])
        for method in sorted(methods - tried - MODEL_LEVEL):
            if method.startswith('on_change_with_'):
                model_call(method, values, mutating=False)
            elif method in CHAT and model == 'ir.chat.channel':
                continue
            else:
                model_call(method, [id_])
        untried = methods - tried - MODEL_LEVEL - set(CHAT)
        untried -= {m for m in methods if m.startswith('on_change_with_')}
        if untried:
            self.outcome.untried.append(f"{model}: {sorted(untried)}")
        self.try_wizards(model, id_)
        for report, action in province.reports.get(model, []):
            self.call('report', model, id_, f'report.{report}.execute',
                [id_], {'model': model, 'id': id_, 'ids': [id_],
                    'action_id': action})
        if model in province.chat:
            for method, args in CHAT.items():
                self.call(f'chat {method}', model, id_,
                    f'model.ir.chat.channel.{method}', *args(ref),
                    mutating=method != 'get')
        for other in province.on_resource if model in DOCUMENTS + [
                'mvp.document.annex'] else []:
            self.call('search by resource', model, id_,
                f'model.{other}.search_read', [('resource', '=', ref)],
                0, None, None, ['rec_name'], mutating=False)
            if other in ON_RECORD:
                self.call('create on it', model, id_,
                    f'model.{other}.create',
                    [{'resource': ref, **ON_RECORD[other]}])

    def try_wizards(self, model, id_):
        "Each wizard of model on the record, and on another's session"
        active = {**self.session.context, 'active_model': model,
            'active_id': id_, 'active_ids': [id_]}
        mine = sorted(self.reachable.get(model, ()))[:1]
        for wizard in self.province.wizards.get(model, []):
            rpc = f'wizard.{wizard}'
            created = self.call('wizard', model, id_, f'{rpc}.create',
                context=active)
            if created:
                session_id, start, _ = created
                self.call('wizard', model, id_, f'{rpc}.execute',
                    session_id, {}, start, context=active)
                self.call('wizard', model, id_, f'{rpc}.delete',
                    session_id, context=active)
            if not mine:
                continue
            own = {**active, 'active_id': mine[0], 'active_ids': mine}
            try:
                session_id, start, _ = self.session.call(
                    f'{rpc}.create', own)
            except RPCError:
                continue
            self.call('wizard', model, id_, f'{rpc}.execute',
                session_id, {}, start, context=active)
            self.session.call(f'{rpc}.delete', session_id, own)

    def try_changes(self, model, id_):
        "What a person who only reads tries on a record they read"
        mutating = ['write', 'delete'] + self.province.buttons.get(model, [])
        for method in mutating:
            if method == 'write':
                self.model(model, method, id_, [id_],
                    {'abstract': "Sửa của người chỉ đọc"})
            else:
                self.model(model, method, id_, [id_])
        for other in ['ir.attachment', 'ir.note']:
            self.call('create on it', model, id_, f'model.{other}.create',
                [{'resource': f'{model},{id_}', **ON_RECORD[other]}])

    def still_there(self):
        "No record tried is gone"
        tried = defaultdict(set)
        for model, id_ in self.outcome.records:
            tried[model].add(id_)
        for model, ids in tried.items():
            rows = self.province._rows(model) or {}
            for id_ in sorted(ids - set(rows)):
                self.leak('any', model, id_, "the record is gone")

    # What they may read

    def read_what_they_may(self):
        "Their records, notifications and threads carry nothing closed"
        province = self.province
        secrets = set()
        for model, ids in self.unreachable.items():
            for id_ in ids:
                secrets |= texts(province.rows[model][id_])
        known = '\0'.join(self.known)
        secrets = {s for s in secrets if s not in known}
        answers = []
        for model in province.models:
            ids = sorted(self.reachable.get(model, ()))[:READ_SAMPLE]
            if not ids:
                continue
            fields_ = province.fields[model]
            relations = [n for n, f in fields_.items()
                if f['ttype'] in RELATIONS
                and self.may_read(f['relation'])]
            names = [n for n, f in fields_.items() if f['ttype'] != 'binary']
            dotted = [f'{n}.rec_name' for n in relations]
            answers.extend(self.answers(model, 'read', ids, names + dotted,
                    names, *[[d] for d in dotted]))
            # Exports walk the relations their own way.
            paths = []
            for name in relations:
                target = fields_[name]['relation']
                if target not in province.rows:
                    continue
                paths.append(f'{name}/rec_name')
                paths.extend(f'{name}/{n}' for n, f in
                    province.record_fields(target, {'char', 'text'}).items())
            if paths:
                answers.extend(self.answers(
                        model, 'export_data', ids, paths, *[
                            [p] for p in paths]))
        answers.append(('notifications', self.session.execute(
                    'res.notification', 'get', 100)))
        for id_ in sorted(self.reachable.get('ir.chat.channel', ()))[:3]:
            ref = province.rows['ir.chat.channel'][id_]['resource']
            try:
                answers.append(('thread', self.session.execute(
                            'ir.chat.channel', 'get', ref)))
            except RPCError:
                pass
        self.outcome.attempts['read what they may'] += len(answers)
        for where, answer in answers:
            text = list(strings(answer))
            for secret in secrets:
                if any(secret in s for s in text):
                    self.outcome.leaks.append(
                        f"{self.person.login} ({self.person.role}) "
                        f"{where}: shows {secret[:60]!r} of a record "
                        "they may not read")

    def may_read(self, model):
        "Tell whether the person reads records of model at all"
        return model is None or bool(self.reachable.get(model, True))

    def answers(self, model, method, ids, names, *parts):
        """[(model, answer)] of method on ids with names, or with each of
        parts when the person may not have them all at once"""
        try:
            return [(model, self.session.execute(model, method, ids, names))]
        except RPCError:
            pass
        result = []
        for part in parts:
            try:
                result.append(
                    (model, self.session.execute(model, method, ids, part)))
            except RPCError:
                # sao reads no name of what the person may not read
                pass
        return result

    # Someone else's wizard

    def try_session(self, session):
        "Execute and delete a wizard session someone else started"
        owner, wizard, session_id, text = session
        if owner == self.person.login:
            return
        tables = self.province.tables
        model = 'mvp.document.incoming'
        mine = sorted(self.reachable.get(model, ()))[:1]
        context = {**self.session.context, 'active_model': model,
            'active_id': mine[0] if mine else None, 'active_ids': mine}

        def row():
            return tables.query('SELECT id, data FROM ir_session_wizard '
                f'WHERE id = {session_id}')

        before = row()
        for method, args in [
                ('execute', (session_id, {}, 'start')),
                ('execute', (session_id, {'start': {
                                'instruction': "Chỉ đạo của người ngoài"}},
                        'start')),
                ('delete', (session_id,)),
                ]:
            self.outcome.attempts[f'wizard session {method}'] += 1
            self.outcome.methods.add(f'wizard.{wizard}.{method}')
            try:
                result = self.session.call(
                    f'wizard.{wizard}.{method}', *args, context)
            except RPCError:
                continue
            found = [f"{text!r} is in the answer"] if any(
                text in s for s in strings(result)) else []
            if row() != before:
                found.append("the session changed")
            if found:
                self.outcome.leaks.append(
                    f"{self.person.login} ({self.person.role}) session "
                    f"{session_id} of {owner} {wizard} {method}: "
                    + '; '.join(found))
            else:
                self.outcome.answered[f'wizard.{wizard}.{method}'] += 1

    # Their own records pointing at others'

    def point(self):
        """Set each relation of the person's own records to a record they
        must not reach"""
        province = self.province
        own = self.own_records()
        for model, id_ in own:
            for name, field in province.fields[model].items():
                if field['ttype'] not in {'many2one', 'reference',
                        'many2many', 'one2many'} or name in NOT_DATA:
                    continue
                targets = ([field['relation']] if field['relation']
                    else DOCUMENTS)
                for target in targets:
                    for other in self.targets(target)[:1]:
                        value = {
                            'many2one': other,
                            'reference': f'{target},{other}',
                            }.get(field['ttype'], [('add', [other])])
                        self.call(f'point {name}', target, other,
                            f'model.{model}.write', [id_], {name: value})
            if model in DOCUMENTS:
                for other in self.targets('mvp.document.file')[:1]:
                    self.call('annex of a file', 'mvp.document.file', other,
                        'model.mvp.document.annex.create', [{
                                'resource': f'{model},{id_}',
                                'file': other, 'file_name': 'ngoai.pdf'}])

    def own_records(self):
        "Make, as the person, the records of their own they could make"
        session, person = self.session, self.person
        types = self.province.tables.query(
            "SELECT id FROM mvp_document_type ORDER BY id LIMIT 1")
        if not person.company or not types:
            return []
        common = {'company': person.company, 'type': types[0]['id'],
            'abstract': f"Văn bản riêng của {person.login}",
            'file_name': 'rieng.pdf',
            'file_data': pdf("Van ban rieng", person.login)}
        made = []
        for model, values in [
                ('mvp.document.outgoing', {'drafter': person.id}),
                ('mvp.document.incoming', {'sender': "Bộ Nội vụ"}),
                ]:
            try:
                id_, = session.execute(model, 'create', [{
                            **common, **values}])
            except RPCError:
                continue
            made.append((model, id_))
            try:
                annex, = session.execute('mvp.document.annex', 'create', [{
                            'resource': f'{model},{id_}',
                            'file_name': 'phu-luc.pdf',
                            'file_data': pdf(
                                "Phu luc", person.login, model)}])
                made.append(('mvp.document.annex', annex))
            except RPCError:
                pass
        # What they made is theirs: only the attempts that follow count.
        self.baseline = self.changes_mark()
        return made


SUMMARY = {}


@pytest.fixture(scope='module')
def province(demo_instance, demo_tables):
    url, database, path = demo_instance
    return Province(url, database, demo_tables, path)


@pytest.fixture(scope='module')
def outcomes(province, request):
    "Every person's attempts, a few people at once"
    logins = [p[0] for p in demo.PEOPLE]
    lock = threading.Lock()
    results = {}

    session = open_session(province)

    def attempt(index_login):
        index, login = index_login
        person = Person(province, login, index)
        battery = Battery(province, person)
        outcome = battery.run()
        battery.read_what_they_may()
        battery.try_session(session)
        battery.point()
        battery.still_there()
        with lock:
            results[login] = outcome

    with ThreadPoolExecutor(WORKERS) as executor:
        list(executor.map(attempt, enumerate(logins)))
    yield results
    report(request.config, results)


def open_session(province):
    """A wizard a leader started and left, with what they typed: its
    session id follows the others'"""
    login, model = 'lanhdao.tinh', 'mvp.document.incoming'
    session = Session(province.url, province.database, login, demo.PASSWORD)
    rows = province.rows[model]
    document = min(i for i, r in rows.items()
        if r['state'] == 'registered' and r['company'] == session.context[
            'company'])
    context = {**session.context, 'active_model': model,
        'active_id': document, 'active_ids': [document]}
    wizard = 'mvp.document.incoming.assign'
    session_id, start, _ = session.call(f'wizard.{wizard}.create', context)
    text = "Chỉ đạo riêng của lãnh đạo, chưa giao"
    session.call(f'wizard.{wizard}.execute', session_id,
        {start: {'instruction': text}}, start, context)
    return login, wizard, session_id, text


def report(config, results):
    "Print the attempts, past pytest's capture"
    capture = config.pluginmanager.getplugin('capturemanager')
    postgresql = os.environ.get(
        'TRYTOND_DATABASE_URI', '').startswith('postgresql')
    attempts = sum(sum(o.attempts.values()) for o in results.values())
    answered = sum(sum(o.answered.values()) for o in results.values())
    errors = sum(sum(o.errors.values()) for o in results.values())
    leaks = sum(len(o.leaks) for o in results.values())
    methods = set().union(*(o.methods for o in results.values()))
    records = set().union(*(o.records for o in results.values()))
    with capture.global_and_fixture_disabled():
        print(f"\noutsiders on {'PostgreSQL' if postgresql else 'SQLite'} "
            "(login, role, attempts, records, refused, answered, leaks):")
        for login, o in results.items():
            tried = sum(o.attempts.values())
            print(f"  {login:<20} {o.person.role:<15} {tried:5} "
                f"{len(o.records):4} {tried - sum(o.answered.values()):5} "
                f"{sum(o.answered.values()):4} {len(o.leaks):3}")
        print(f"  {len(methods)} methods x {len(results)} people x "
            f"{len(records)} records: {attempts} attempts, "
            f"{attempts - answered} refused, {answered} answered without "
            f"leak, {leaks} leaks; {errors} of the refusals were not "
            "UserErrors")
        answers = Counter()
        for o in results.values():
            answers.update(o.answered)
        print("  answered without leak: " + ', '.join(
                f'{m} {n}' for m, n in sorted(answers.items())))
        reasons = defaultdict(set)
        for o in results.values():
            for model, reason in o.reasons:
                reasons[model].add(reason)
        for model in DOCUMENTS:
            print(f"  {model} tried as: " + '; '.join(sorted(reasons[model])))
        kinds = Counter()
        for o in results.values():
            kinds.update(o.errors)
        for text, count in kinds.most_common(10):
            print(f"  error x{count}: {text}")


@pytest.mark.parametrize('login', [p[0] for p in demo.PEOPLE])
def test_outsider_is_refused(outcomes, login):
    outcome = outcomes[login]
    assert outcome.attempts, f"{login} tried nothing"
    problems = outcome.leaks + [f"not tried: {u}" for u in outcome.untried]
    if problems:
        pytest.fail(f"{len(problems)} leaks:\n" + '\n'.join(problems),
            pytrace=False)
