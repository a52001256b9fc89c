from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access

from . import worktime


class Date(metaclass=PoolMeta):
    __name__ = 'ir.date'

    @classmethod
    def today(cls, timezone=None):
        # Scheduled actions and root have no company, whose time zone would
        # say which day it is; every agency of the province is in Vietnam.
        if timezone is None and Transaction().context.get('company') is None:
            timezone = worktime.TZ
        return super().today(timezone=timezone)


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.domain.help += (
            '\n- "user_id" as the id of the current user'
            '\n- "clearances" as the secrecy levels the current user may see'
            '\n- "agencies" as the ids of the units of the user\'s companies')

    @classmethod
    def _get_cache_key(cls, model_names):
        # The rules of our documents depend on the person, not only on the
        # groups and companies.
        return (*super()._get_cache_key(model_names), Transaction().user)

    @classmethod
    def _get_context(cls, model_name):
        pool = Pool()
        User = pool.get('res.user')
        Unit = pool.get('mvp.unit')
        context = super()._get_context(model_name)
        if not model_name.startswith('mvp.'):
            return context
        user_id = Transaction().user
        context['user_id'] = user_id
        with without_check_access():
            context['clearances'] = (
                User(user_id).clearances if user_id else ['normal'])
            context['agencies'] = [u.id for u in Unit.search([
                        ('company', 'in', context.get('companies', [])),
                        ])]
        return context


class ModelLog(metaclass=PoolMeta):
    __name__ = 'ir.model.log'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Viewing and downloading secret documents are logged too (Art. 4.6).
        cls.event.selection += [
            ('read', "Viewed"),
            ('download', "Downloaded"),
            ]
