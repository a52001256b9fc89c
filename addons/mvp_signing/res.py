from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    @classmethod
    def on_modification(cls, mode, users, field_names=None):
        super().on_modification(mode, users, field_names=field_names)
        if mode == 'write' and field_names & {'active', 'companies'}:
            Certificate = Pool().get('mvp.signing.certificate')
            with without_check_access():
                Certificate.flag_departures(
                    cls.browse([u.id for u in users]))
