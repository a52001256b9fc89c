from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .document import SECRECY
from .text import SearchTextMixin, SortKeyMixin


class User(SortKeyMixin, SearchTextMixin, metaclass=PoolMeta):
    __name__ = 'res.user'
    # Not the login nor the secrets: they are compared as typed.
    _unicode_fields = ('name', 'signature', 'position')
    _search_fields = ('name', 'login')
    _sort_fields = ('name', 'login')

    unit = fields.Many2One(
        'mvp.unit', "Unit", ondelete='RESTRICT',
        help="The agency or internal division the person works in.")
    position = fields.Char(
        "Position", help="As written under a signature, e.g. Trưởng phòng.")
    clearance = fields.Selection(
        SECRECY, "Secrecy Clearance", required=True, sort=False,
        help="The highest secrecy level of documents the person may see.")
    handles_documents = fields.Function(
        fields.Boolean(
            "Handles Documents",
            help="A specialist, head of division or leader: documents can "
            "be assigned to them."),
        'get_handles_documents', searcher='search_handles_documents')

    @classmethod
    def default_clearance(cls):
        return 'normal'

    @classmethod
    def get_handles_documents(cls, users, name):
        groups = handler_groups()
        return {u.id: bool(groups & {g.id for g in u.groups}) for u in users}

    @classmethod
    def search_handles_documents(cls, name, clause):
        _, operator, value = clause
        domain = [('groups', 'in', list(handler_groups()))]
        if (operator == '=') != bool(value):
            return [('id', 'not in', cls.search(domain, query=True))]
        return domain

    @classmethod
    def _sort_text(cls, name, login):
        # Vietnamese lists of people go by the given name, the last word:
        # "Trần Văn An" before "Lê Thị Bình".
        words = (name or login or '').split()
        return ' '.join(words[-1:] + words[:-1])

    @property
    def clearances(self):
        "The secrecy levels the user may see"
        keys = [k for k, _ in SECRECY]
        return keys[:keys.index(self.clearance or 'normal') + 1]

    @classmethod
    def check_modification(cls, mode, users, values=None, external=False):
        "Agency administrators manage their own agency's staff, no more"
        super().check_modification(
            mode, users, values=values, external=external)
        if external and mode != 'delete' and not is_province_admin():
            writer = cls(Transaction().user)
            for user in users:
                if not writer.manages(user, values if mode == 'write' else {}):
                    raise AccessError(gettext(
                            'mvp_documents.msg_user_reserved',
                            user=user.rec_name))

    def manages(self, user, values):
        "Tell whether self, an agency administrator, may make the change"
        keys = [k for k, _ in SECRECY]
        mine = {c.id for c in self.companies}
        if user != self and reserved_groups() & {g.id for g in user.groups}:
            return False
        if 'groups' in values:
            return False
        if not {c.id for c in user.companies} <= mine:
            return False
        for action, *ids in values.get('companies', []):
            if action not in {'add', 'remove'} or (
                    action == 'add' and not set(ids[0]) <= mine):
                return False
        if values.get('company') and values['company'] not in mine:
            return False
        # Nobody raises a clearance above their own, theirs included.
        clearance = values.get('clearance', user.clearance) or 'normal'
        return (keys.index(clearance) <= keys.index(self.clearance or 'normal')
            and not (user == self and 'clearance' in values))

    @classmethod
    def on_modification(cls, mode, users, field_names=None):
        super().on_modification(mode, users, field_names=field_names)
        if mode == 'write' and field_names and (
                field_names & {'clearance', 'unit'}):
            Pool().get('ir.rule')._domain_get_cache.clear()


def handler_groups():
    "The groups of the people documents are assigned to"
    ModelData = Pool().get('ir.model.data')
    return {ModelData.get_id('mvp_documents', g) for g in [
            'group_specialist', 'group_head', 'group_leader']}


def reserved_groups():
    "The groups only a provincial administrator gives"
    ModelData = Pool().get('ir.model.data')
    return {
        ModelData.get_id('res', 'group_admin'),
        ModelData.get_id('mvp_documents', 'group_admin_province'),
        ModelData.get_id('mvp_documents', 'group_oversight'),
        }


def is_province_admin():
    User = Pool().get('res.user')
    return bool(reserved_groups() & set(User.get_groups()))


class UserRole(metaclass=PoolMeta):
    __name__ = 'res.user.role'

    @classmethod
    def check_modification(cls, mode, roles, values=None, external=False):
        "Agency administrators give only the roles of an agency's staff"
        super().check_modification(
            mode, roles, values=values, external=external)
        if not external or is_province_admin():
            return
        reserved = reserved_groups()
        for role in roles:
            if reserved & {g.id for g in role.role.groups}:
                raise AccessError(gettext(
                        'mvp_documents.msg_role_reserved',
                        role=role.role.rec_name,
                        user=role.user.rec_name))
