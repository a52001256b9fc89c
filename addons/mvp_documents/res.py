from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction

from .document import SECRECY


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    unit = fields.Many2One(
        'mvp.unit', "Unit", ondelete='RESTRICT',
        help="The agency or internal division the person works in.")
    clearance = fields.Selection(
        SECRECY, "Secrecy Clearance", required=True, sort=False,
        help="The highest secrecy level of documents the person may see.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._preferences_fields += ['unit']

    @classmethod
    def default_clearance(cls):
        return 'normal'

    @property
    def clearances(self):
        "The secrecy levels the user may see"
        keys = [k for k, _ in SECRECY]
        return keys[:keys.index(self.clearance or 'normal') + 1]

    @classmethod
    def on_modification(cls, mode, users, field_names=None):
        super().on_modification(mode, users, field_names=field_names)
        if mode == 'write' and field_names and (
                field_names & {'clearance', 'unit'}):
            Pool().get('ir.rule')._domain_get_cache.clear()


class UserRole(metaclass=PoolMeta):
    __name__ = 'res.user.role'

    @classmethod
    def check_modification(cls, mode, roles, values=None, external=False):
        "Agency administrators give only the roles of an agency's staff"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        super().check_modification(
            mode, roles, values=values, external=external)
        if not external:
            return
        reserved = {
            ModelData.get_id('res', 'group_admin'),
            ModelData.get_id('mvp_documents', 'group_admin_province'),
            ModelData.get_id('mvp_documents', 'group_oversight'),
            }
        if reserved & set(User.get_groups()):
            return
        for role in roles:
            if reserved & {g.id for g in role.role.groups}:
                raise AccessError(gettext(
                        'mvp_documents.msg_role_reserved',
                        role=role.role.rec_name,
                        user=role.user.rec_name))
