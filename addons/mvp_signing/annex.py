"""Annexes: their files verified like the document's, and a broken signature
on one makes the incoming document that holds it not valid."""
from trytond.pool import Pool, PoolMeta

from .signature import FileSignatureMixin


class Annex(FileSignatureMixin, metaclass=PoolMeta):
    __name__ = 'mvp.document.annex'

    @classmethod
    def _signatures_updated(cls, annexes, statuses):
        Incoming = Pool().get('mvp.document.incoming')
        incomings = {a.resource for a in annexes
            if isinstance(a.resource, Incoming)}
        if incomings:
            Incoming.update_legal_status(list(incomings))
