from trytond.model import fields
from trytond.pool import Pool, PoolMeta

from .document import SECRECY


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    unit = fields.Many2One(
        'mvp.unit', "Unit", ondelete='RESTRICT',
        help="The agency or internal division the person works in.")
    clearance = fields.Selection(
        SECRECY, "Secrecy Clearance", required=True,
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
