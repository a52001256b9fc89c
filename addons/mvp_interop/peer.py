"""The agencies on the national axis, by their identifier codes: who an
outgoing document can be sent to outside this system, and who a received
packet comes from."""
from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from trytond.modules.mvp_documents.text import SearchTextMixin, SortKeyMixin

from . import directory
from .axis import AxisError
from .edxml import valid_organ_id
from .exceptions import InteropError, PeerError


class Peer(SortKeyMixin, SearchTextMixin, DeactivableMixin, ModelSQL,
        ModelView):
    "Agency on the national document exchange axis"
    __name__ = 'mvp.interop.peer'
    __string__ = "Axis Agency"
    _search_fields = ('name', 'code')

    code = fields.Char(
        "Identifier Code", required=True,
        help="The agency's electronic identifier on the axis "
        "(QCVN 102:2016), e.g. 000.00.00.G22.")
    name = fields.Char("Name", required=True)
    parent_code = fields.Char(
        "Parent Agency Code",
        help="The identifier code of the agency in charge of it.")
    email = fields.Char("Email")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.code),
                'mvp_interop.msg_peer_code_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))

    def get_rec_name(self, name):
        return f'{self.name} ({self.code})'

    @classmethod
    def validate_fields(cls, peers, field_names):
        super().validate_fields(peers, field_names)
        if 'code' in field_names:
            for peer in peers:
                if not valid_organ_id(peer.code):
                    raise PeerError(gettext(
                            'mvp_interop.msg_peer_code_invalid',
                            code=peer.code))

    @classmethod
    def of(cls, code, name=''):
        "The peer of code, entered in the directory when unknown"
        with without_check_access():
            peers = cls.search([
                    ('code', '=', code),
                    ('active', 'in', [True, False]),
                    ], limit=1)
            if peers:
                peer, = peers
                if name and peer.name == peer.code:
                    # entered from the axis's list, by its code only
                    cls.write([peer], {'name': name})
                return peer
            peer, = cls.create([{'code': code, 'name': name or code}])
        return peer

    @classmethod
    def merge(cls, agencies):
        """Enter or update the directory.Agency items; return the numbers
        of peers added and changed. Nothing is removed: past documents
        keep their peers."""
        existing = {p.code: p for p in cls.search([
                    ('code', 'in', [a.code for a in agencies]),
                    ('active', 'in', [True, False]),
                    ])}
        to_create, to_write = [], []
        for agency in agencies:
            values = {
                'name': agency.name,
                'parent_code': agency.parent or None,
                'email': agency.email or None,
                }
            peer = existing.get(agency.code)
            if peer is None:
                to_create.append({'code': agency.code, **values})
            elif any((getattr(peer, k) or None) != v
                    for k, v in values.items()) or not peer.active:
                to_write.extend([[peer], {**values, 'active': True}])
        if to_create:
            cls.create(to_create)
        if to_write:
            cls.write(*to_write)
        return len(to_create), len(to_write) // 2


class ImportStart(ModelView):
    "Import the directory of agencies"
    __name__ = 'mvp.interop.peer.import.start'
    __string__ = "Import Axis Agencies"

    source = fields.Selection([
            ('axis', "From the Axis"),
            ('csv', "From a CSV File"),
            ], "Source", required=True)
    account = fields.Many2One(
        'mvp.interop.account', "Axis Connection",
        states={
            'invisible': Eval('source') != 'axis',
            'required': Eval('source') == 'axis',
            })
    file = fields.Binary(
        "CSV File", filename='file_name',
        states={
            'invisible': Eval('source') != 'csv',
            'required': Eval('source') == 'csv',
            },
        help="One agency a line: identifier code, name, parent code, "
        "email; UTF-8, comma or semicolon separated.")
    file_name = fields.Char("File Name")

    @classmethod
    def default_source(cls):
        return 'axis'


class ImportDone(ModelView):
    "Directory imported"
    __name__ = 'mvp.interop.peer.import.done'
    __string__ = "Axis Agencies Imported"

    created = fields.Integer("Added", readonly=True)
    updated = fields.Integer("Changed", readonly=True)


class Import(Wizard):
    "Import the directory of agencies on the axis"
    __name__ = 'mvp.interop.peer.import'
    start = StateView(
        'mvp.interop.peer.import.start',
        'mvp_interop.peer_import_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Import", 'import_', 'tryton-ok', default=True),
            ])
    import_ = StateTransition()
    done = StateView(
        'mvp.interop.peer.import.done',
        'mvp_interop.peer_import_done_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def default_start(self, fields):
        Account = Pool().get('mvp.interop.account')
        accounts = Account.search([], limit=1)
        return {
            'source': 'axis',
            'account': accounts[0].id if accounts else None,
            }

    def transition_import_(self):
        Peer = Pool().get('mvp.interop.peer')
        if self.start.source == 'axis':
            account = self.start.account
            try:
                items = account.client().agencies()
            except AxisError as e:
                raise InteropError(gettext(
                        'mvp_interop.msg_import_axis',
                        account=account.rec_name),
                    gettext('mvp_interop.' + e.message_id, **e.params)) \
                    from e
            agencies = directory.from_axis(items)
        else:
            try:
                agencies = directory.from_csv(bytes(self.start.file or b''))
            except directory.DirectoryError as e:
                raise InteropError(gettext(
                        'mvp_interop.' + e.message_id, **e.params)) from e
        self.done.created, self.done.updated = Peer.merge(agencies)
        return 'done'

    def default_done(self, fields):
        return {'created': self.done.created, 'updated': self.done.updated}
