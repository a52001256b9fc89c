from trytond.pool import Pool, PoolMeta
from trytond.transaction import Transaction, without_check_access


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.domain.help += (
            '\n- "unit_id" as the id of the current user\'s unit')

    @classmethod
    def _get_context(cls, model_name):
        context = super()._get_context(model_name)
        if model_name.startswith('mvp.archive.'):
            User = Pool().get('res.user')
            user_id = Transaction().user
            with without_check_access():
                user = User(user_id) if user_id else None
                context['unit_id'] = (
                    user.unit.id if user and user.unit else -1)
        return context


class ModelLog(metaclass=PoolMeta):
    __name__ = 'ir.model.log'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.event.selection += [
            ('dispose', "Disposed Of"),
            ]


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('mvp.archive.backup|run', "Back Up and Verify the Database"))
