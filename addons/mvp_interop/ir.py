from trytond.pool import PoolMeta


class Cron(metaclass=PoolMeta):
    __name__ = 'ir.cron'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.method.selection.extend([
                ('mvp.interop.account|poll', "Receive from the Axis"),
                ('mvp.interop.delivery|send_due', "Send to the Axis"),
                ])
