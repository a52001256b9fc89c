from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.append(
            ('mvp.signing.certificate|update_expired',
                "Mark Expired Certificates"))


class ModelLog(metaclass=PoolMeta):
    __name__ = 'ir.model.log'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.event.selection += [
            ('sign', "Signed"),
            ('sign_failed', "Signing failed"),
            ]
