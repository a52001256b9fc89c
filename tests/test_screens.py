"""Every screen of every menu, opened as the web client opens it.

A real trytond serves a new demo database over HTTP on 127.0.0.1 (the one
`make run` makes, through tests/browser/server.py), on SQLite or, in the
PostgreSQL run of tests/run.py, on that server. One person of each role of
the province office, of a department and of a commune (taken from the demo's
people, so that a new role is covered) logs in through JSON-RPC, and the test
does what sao 8.0 (var/sao/package/dist/tryton-sao.js) does when they open
each entry of their menu:

- the menu: the action of `pyson_menu` in their preferences, its tree view,
  its roots and their children (`childs`), each entry's action from the
  `tree_open` keyword;
- each window action: `fields_view_get` of each of its views,
  `view_toolbar_get`, `search` with the action's domain, context and order
  and each tab's domain, `search_count` of the counted tabs;
- the list: `read` of the view's fields, `<field>.rec_name` of relational
  ones, `<field>:string` of selections, `rec_name`, `_timestamp`, `_write`,
  `_delete`, binary fields as sizes; the children of tree views;
- the form, for every record found: `read` as for the list, each
  One2Many/Many2Many field's own list view read through the form
  (`<field>.<subfield>.rec_name`), then its records read with that list
  view and with the form a click on one of them opens (two levels deep);
- the form's buttons, evaluated on each record as sao does: none may be
  enabled on a record the record rules let the person read but not change
  (`_write`): a button needs more than read access;
- every field of a list or a form, tabs' own views included, is drawn by a
  widget sao has (its `widget`, or its type): sao has no list column for a
  date and time, and a form with one in a tab does not open.

Every failure is reported with role, menu, model, view and record; then a
summary of roles, screens and records opened.
"""
import json
import os
import re
import xml.etree.ElementTree as ET

import pytest

from browser import server
from browser.rpc import RPCError, Session, error_text

from trytond.modules.mvp_demo import demo
from trytond.protocols.jsonrpc import JSONEncoder
from trytond.pyson import PYSONDecoder

# Agencies of each kind whose people log in: the province office, a
# department, a commune.
AGENCIES = ['tinh', 'snv', 'phohien']
# Records opened per list or tab: the demo has fewer, Tryton's own tables of
# the administrator many more.
LIMIT = 100
# What sao sends with fields_view_get.
VIEW_CONTEXT = {'view_tree_width': True, 'screen_size': [1920, 1080]}
RELATIONAL = {'many2one', 'one2one', 'reference'}
SELECTION = {'selection', 'multiselection'}
X2MANY = {'one2many', 'many2many'}
# Forms opened from forms' tabs, then theirs.
DEPTH = 2
SAO_JS = server.SAO / 'dist' / 'tryton-sao.js'


def sao_widgets():
    "The widgets of sao's list and form parsers, by view type"
    text = SAO_JS.read_text() if SAO_JS.exists() else ''
    widgets = {}
    for type_, parser in [('tree', 'Tree'), ('form', 'Form')]:
        found = re.search(
            rf'Sao\.View\.{parser}XMLViewParser\.WIDGETS = \{{(.*?)\}};',
            text, re.S)
        if found:
            widgets[type_] = set(re.findall(r"'(\w+)':", found.group(1)))
    return widgets


WIDGETS = sao_widgets()


def people():
    "One login for each role of each agency kind"
    logins = []
    for key in AGENCIES:
        seen = set()
        for login, _, agency, _, roles, *_ in demo.PEOPLE:
            if agency == key and tuple(roles) not in seen:
                seen.add(tuple(roles))
                logins.append(login)
    return logins


ROLES = {p[0]: p[6] for p in demo.PEOPLE}


def decode(value, env):
    return PYSONDecoder(env).decode(value) if value else value


def fields_to_read(fields, loading):
    "The names sao reads for the fields of a view (Record.load)"
    names = []
    for name, definition in fields.items():
        names.append(name)
        type_ = definition['type']
        if type_ in RELATIONAL:
            names.append(f'{name}.rec_name')
        elif type_ in SELECTION and loading == 'eager':
            names.append(f'{name}:string')
        elif type_ in X2MANY and loading == 'lazy':
            names.extend(x2m_sub_fields(definition, name))
    names += ['rec_name', '_timestamp', '_write', '_delete']
    return list(dict.fromkeys(names))


def x2m_sub_fields(definition, prefix):
    "get_x2m_sub_fields of sao: a form reads its x2m lists through itself"
    views = definition.get('views') or {}
    if not views:
        return []
    view, = views.values()
    names = []
    for name, sub in (view.get('fields') or {}).items():
        names.append(f'{prefix}.{name}')
        if sub['type'] in RELATIONAL:
            names.append(f'{prefix}.{name}.rec_name')
        elif sub['type'] in SELECTION:
            names.append(f'{prefix}.{name}:string')
        elif sub['type'] in X2MANY:
            names.extend(x2m_sub_fields(sub, f'{prefix}.{name}'))
    return names + [
        f'{prefix}._timestamp', f'{prefix}._write', f'{prefix}._delete']


def binary_context(model, fields):
    "Binary fields are read as their size until opened"
    return {f'{model}.{n}': 'size' for n, d in fields.items()
        if d['type'] == 'binary'}


class Walk:
    "One person opening every screen of their menu"

    def __init__(self, url, database, login):
        self.login = login
        self.session = Session(url, database, login, demo.PASSWORD)
        preferences = self.session.call(
            'model.res.user.get_preferences', False, {})
        self.menu_action = json.loads(preferences['pyson_menu'])
        self.failures = []
        self.screens = 0
        self.records = 0
        # The records each view opened, and how deep: the menus and tabs
        # open many twice, and would find the same.
        self.opened = {}
        self.views = {}

    def fail(self, where, message):
        self.failures.append(
            f"{self.login} ({ROLES[self.login]}) | "
            + ' | '.join(str(w) for w in where) + f": {message}")

    def call(self, where, model, method, *args, context=None):
        "Execute as sao does; None and a failure on error"
        try:
            return self.session.execute(model, method, *args, context=context)
        except RPCError as error:
            self.fail(where + [f'{method}'], error_text(error))
            return None

    def view(self, where, model, view_id, view_type, context):
        """fields_view_get as sao calls it; once per view and context, as
        the server answers the same"""
        context = {**context, **VIEW_CONTEXT}
        key = (model, view_id, view_type,
            json.dumps(context, sort_keys=True, cls=JSONEncoder))
        if key not in self.views:
            self.views[key] = self.call(where, model, 'fields_view_get',
                view_id, view_type, context=context)
            if self.views[key]:
                self.check_widgets(where, self.views[key])
        return self.views[key]

    def check_widgets(self, where, view):
        "Every field of view and of its tabs' views has a widget in sao"
        widgets = WIDGETS.get(view['type'])
        fields = view['fields']
        where = where + [f"view {view['type']} {view.get('view_id')}"]
        if widgets is not None:
            for element in ET.fromstring(view['arch']).iter('field'):
                name = element.get('name')
                widget = element.get('widget') or fields[name]['type']
                if widget not in widgets:
                    self.fail(where + [name], f"sao has no {view['type']} "
                        f"widget {widget!r} (set widget=...)")
        for name, definition in fields.items():
            for sub in (definition.get('views') or {}).values():
                self.check_widgets(where + [name], sub)

    def env(self, extra=None):
        "What sao's PYSON decoder sees outside of a record"
        env = {**self.session.context, 'active_model': None,
            'active_id': None, 'active_ids': [],
            '_user': self.session.user_id}
        env.update(extra or {})
        env['context'] = dict(env)
        return env

    # The menu

    def run(self):
        action = self.menu_action
        names = self.open_menu(action)
        for menu_id, path in names:
            where = [f'menu {path}']
            actions = self.call(
                where, 'ir.action.keyword', 'get_keyword', 'tree_open',
                ['ir.ui.menu', menu_id], context={})
            for action in actions or []:
                if action['type'] == 'ir.action.act_window':
                    self.open_window(action, where)

    def open_menu(self, action):
        "(id, path) of every menu entry, walked down from the roots"
        where = ['menu']
        model = action['res_model']
        env = self.env()
        domain = decode(action['pyson_domain'], env)
        order = decode(action.get('pyson_order'), env)
        view_id, view_type = action['views'][0]
        view = self.view(
            where, model, view_id, view_type, self.session.context)
        ids = self.call(where, model, 'search', domain, 0, None, order)
        if view is None or ids is None:
            return []
        names = fields_to_read(view['fields'], 'eager')
        childs = view['field_childs']
        result = []
        while ids:
            rows = self.call(where, model, 'read', ids, names) or []
            # The name of an entry is its path.
            result.extend((r['id'], r['rec_name']) for r in rows)
            ids = [c for r in rows for c in r.get(childs) or []]
        return result

    # A window

    def open_window(self, action, where):
        model = action['res_model']
        env = self.env()
        context = {**self.session.context,
            **(decode(action.get('pyson_context'), env) or {})}
        env = self.env(context)
        domain = decode(action['pyson_domain'], env) or []
        order = decode(action.get('pyson_order'), env)
        tabs = [(name, decode(d, env), count)
            for name, d, count in action.get('domains') or []]
        views = action.get('views') or []
        if not views:
            views = ([[action['view_id'][0], None]] if action.get('view_id')
                else [[None, 'tree'], [None, 'form']])
        if any(t == 'board' for _, t in views):
            self.open_board(action, views, context, where)
            return
        where = where + [model]
        self.screens += 1

        loaded = []
        for view_id, view_type in views:
            view = self.view(where + [f'view {view_type} {view_id}'], model,
                view_id, view_type, context)
            if view is not None:
                loaded.append(view)
        self.call(where, model, 'view_toolbar_get', context=context)
        if not loaded:
            return
        if action.get('res_id'):
            res_ids = action['res_id']
            ids = res_ids if isinstance(res_ids, list) else [res_ids]
        else:
            ids = []
            for name, tab, count in tabs or [(None, [], False)]:
                tab_where = where + [f'tab {name}'] if name else where
                tab_domain = ['AND', domain, tab] if tab else domain
                if count:
                    self.call(tab_where, model, 'search_count',
                        ['AND', tab, domain], 0, 1000, context=context)
                found = self.call(tab_where, model, 'search', tab_domain,
                    0, action.get('limit') or LIMIT, order, context=context)
                ids.extend(i for i in found or [] if i not in ids)
        self.records += len(ids)
        for view in loaded:
            view_where = where + [
                f"view {view['type']} {view['view_id']}"]
            if view['type'] == 'form':
                self.open_form(model, view, ids, context, view_where)
            else:
                self.open_list(model, view, ids, context, view_where)

    def open_board(self, action, views, context, where):
        """As sao's Sao.Tab.Board: the view by view_get, then each of its
        actions' windows"""
        where = where + [f"board {action.get('name')}"]
        self.screens += 1
        for view_id, view_type in views:
            if view_type != 'board':
                continue
            view = self.call(where + [f'view board {view_id}'],
                'ir.ui.view', 'view_get', view_id, context=context)
            if not view:
                continue
            for element in ET.fromstring(view['arch']).iter('action'):
                name = element.get('name')
                found = self.call(where + [f'action {name}'],
                    'ir.action.act_window', 'get', name, context=context)
                if found:
                    self.open_window(found, where + [f'action {name}'])

    def read(self, model, ids, names, context, where):
        """Read ids as sao does, in one call; each record alone after an
        error, to name the records that fail"""
        if not ids:
            return []
        try:
            return self.session.execute(
                model, 'read', ids, names, context=context)
        except RPCError:
            pass
        rows = []
        for id_ in ids:
            try:
                rows.extend(self.session.execute(
                        model, 'read', [id_], names, context=context))
            except RPCError as error:
                self.fail(where + [f'record {id_}'], error_text(error))
        return rows

    def todo(self, model, view, ids, context, depth=0):
        "The ids that view has not opened yet, as deep, and mark them"
        key = (model, view['view_id'], json.dumps(
                context, sort_keys=True, cls=JSONEncoder))
        ids = [i for i in ids
            if self.opened.get((key, i), DEPTH + 1) > depth]
        self.opened.update(((key, i), depth) for i in ids)
        return ids

    def open_list(self, model, view, ids, context, where):
        fields = view['fields']
        names = fields_to_read(fields, 'eager')
        context = {**context, **binary_context(model, fields)}
        childs = view.get('field_childs')
        ids = self.todo(model, view, ids, context)
        seen = set()
        while ids:
            rows = self.read(model, ids, names, context, where)
            seen.update(ids)
            ids = [c for r in rows for c in (r.get(childs) or [])
                if childs and c not in seen][:LIMIT]

    def open_form(self, model, view, ids, context, where, depth=0):
        fields = view['fields']
        names = fields_to_read(fields, 'lazy')
        ids = self.todo(model, view, ids, context, depth)
        rows = self.read(model, ids, names,
            {**context, **binary_context(model, fields)}, where)
        self.check_buttons(model, view, rows, context, where)
        if depth >= DEPTH:
            return
        elements = {e.get('name'): e
            for e in ET.fromstring(view['arch']).iter('field')}
        for name, definition in fields.items():
            if definition['type'] in X2MANY and name in elements:
                self.open_x2m(definition, elements[name], rows, context,
                    where + [name], depth + 1)

    def open_x2m(self, definition, element, rows, context, where, depth):
        """The records of a One2Many/Many2Many, read with its own list view,
        then with the form a click on a row opens"""
        relation = definition['relation']
        ids = list(dict.fromkeys(
                i for r in rows for i in r.get(definition['name']) or []))
        view_ids = [int(i) for i in element.get('view_ids', '').split(',')
            if i]
        modes = element.get('mode', 'tree,form').split(',')
        views = definition.get('views') or {}
        for index, mode in enumerate(modes):
            view_id = view_ids[index] if index < len(view_ids) else None
            if index == 0 and views:
                view, = views.values()
            else:
                view = self.view(where, relation, view_id, mode, context)
                if view is None:
                    continue
            view_where = where + [f"view {view['type']} {view['view_id']}"]
            if view['type'] == 'form':
                self.open_form(
                    relation, view, ids, context, view_where, depth)
            else:
                self.open_list(relation, view, ids, context, view_where)

    # Buttons

    def check_buttons(self, model, view, rows, context, where):
        """No button is enabled on a record the rules keep read-only to the
        person (sao's button states, `_write` of the record rules)"""
        buttons = [b for b in ET.fromstring(view['arch']).iter('button')
            if b.get('states')]
        for row in rows:
            if row.get('_write', True):
                continue
            values = {k: v for k, v in row.items()
                if '.' not in k and ':' not in k}
            env = self.env({**context, **values,
                    'active_model': model, 'active_id': row['id']})
            for button in buttons:
                states = decode(button.get('states'), env) or {}
                if not states.get('invisible') and not states.get('readonly'):
                    self.fail(where + [f"record {row['id']}"],
                        f"button {button.get('name')!r} is enabled on a "
                        "record the person may read but not change")


SUMMARY = {}


@pytest.fixture(scope='module', autouse=True)
def summary(request):
    "Print the summary of the screens opened, once they all are"
    yield
    if SUMMARY:
        report(request.config, os.environ.get(
                'TRYTOND_DATABASE_URI', '').startswith('postgresql'))


def report(config, postgresql):
    "Print the summary, past pytest's capture"
    capture = config.pluginmanager.getplugin('capturemanager')
    with capture.global_and_fixture_disabled():
        print(f"\nscreens opened on {'PostgreSQL' if postgresql else 'SQLite'}"
            " (login, screens, records, failures):")
        for login, (screens, records, failures) in SUMMARY.items():
            print(f"  {login:<20} {screens:4} {records:6} {failures:4}")
        print(f"  {len(SUMMARY)} roles, "
            f"{sum(s for s, _, _ in SUMMARY.values())} screens, "
            f"{sum(r for _, r, _ in SUMMARY.values())} records")


@pytest.mark.parametrize('login', people())
def test_every_screen_opens(demo_server, login):
    assert WIDGETS.keys() == {'tree', 'form'}, (
        f"no widgets found in {SAO_JS}: `make test` installs sao")
    url, database = demo_server
    walk = Walk(url, database, login)
    walk.run()
    SUMMARY[login] = walk.screens, walk.records, len(walk.failures)
    assert walk.screens, f"{login} has no screen in their menu"
    if walk.failures:
        pytest.fail(f"{len(walk.failures)} failures:\n"
            + '\n'.join(walk.failures), pytrace=False)
