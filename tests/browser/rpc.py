"""A minimal JSON-RPC client of trytond, as sao talks to it."""
import base64
import json

import requests

from trytond.protocols.jsonrpc import JSONDecoder, JSONEncoder


class RPCError(Exception):
    pass


class Client:
    "A session of one user on one database"

    def __init__(self, url, database, login, password, language='vi'):
        self.url = f'{url}/{database}/rpc/'
        self.http = requests.Session()
        user_id, key, *_ = self.call(
            'common.db.login', login, {'password': password}, language)
        token = base64.b64encode(f'{login}:{user_id}:{key}'.encode())
        self.http.headers['Authorization'] = f'Session {token.decode()}'
        self.user_id = user_id
        self.context = self.call('model.res.user.get_preferences', True, {})

    def call(self, method, *params):
        response = self.http.post(
            self.url, json={'id': 0, 'method': method, 'params': params},
            timeout=60)
        response.raise_for_status()
        result = response.json()
        if result.get('error'):
            raise RPCError(method, result['error'])
        return result['result']

    def model(self, name, method, *args):
        return self.call(f'model.{name}.{method}', *args, self.context)

    def xml_id(self, module, fs_id):
        return self.model('ir.model.data', 'get_id', module, fs_id)

    def menu_path(self, module, fs_id):
        "Names of the menu entry and its parents, as the user sees them"
        names = []
        menu_id = self.xml_id(module, fs_id)
        while menu_id:
            menu, = self.model(
                'ir.ui.menu', 'read', [menu_id], ['name', 'parent'])
            names.insert(0, menu['name'])
            menu_id = menu['parent']
        return names

    def selection(self, model, field):
        "{value: label} of a selection field, in the user's language"
        definition = self.model(model, 'fields_get', [field])[field]
        return dict(definition['selection'])


class Session(Client):
    "A session that encodes and decodes dates, decimals and bytes as trytond"

    def call(self, method, *params):
        response = self.http.post(
            self.url, data=json.dumps(
                {'id': 0, 'method': method, 'params': params},
                cls=JSONEncoder),
            headers={'Content-Type': 'application/json'}, timeout=120)
        response.raise_for_status()
        result = json.loads(response.text, object_hook=JSONDecoder())
        if result.get('error'):
            raise RPCError(method, result['error'])
        return result['result']

    def execute(self, model, method, *args, context=None):
        return self.call(
            f'model.{model}.{method}', *args, context or self.context)


def error_text(error):
    "The message of an RPC error, as the client would show it"
    _, detail = error.args
    if isinstance(detail, list) and len(detail) > 1:
        name, args = detail[0], detail[1]
        if isinstance(args, list) and args:
            args = args[0]
        return f'{name}: {args}'
    return str(detail)
