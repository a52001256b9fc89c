"""Every file an incoming document receives is verified, each file once
however many documents hold it (a distribution shares one file); the results
are stored per signature and give the document its legal status."""
from trytond.model import ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import without_check_access

from .signature import FileSignatureMixin


class Incoming(FileSignatureMixin, metaclass=PoolMeta):
    __name__ = 'mvp.document.incoming'

    signatures = fields.One2Many(
        'mvp.signature', 'resource', "Signatures", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'verify': {
                    'invisible': ~Eval('file'),
                    'depends': ['file'],
                    },
                })

    @classmethod
    def _signatures_updated(cls, documents, statuses):
        cls.update_legal_status(documents)

    @classmethod
    def update_legal_status(cls, documents):
        """Legal status from the stored results: the main file's signatures
        decide; an annex with a broken signature makes it not valid."""
        Signature = Pool().get('mvp.signature')
        with without_check_access():
            documents = cls.browse(documents)
            signatures = Signature.search([
                    ('resource', 'in', [str(d) for d in documents]
                        + [str(a) for d in documents for a in d.annexes]),
                    ])
            by_resource = {}
            for signature in signatures:
                by_resource.setdefault(str(signature.resource), []).append(
                    signature)
            to_write = []
            for document in documents:
                status = Signature.status_of(
                    by_resource.get(str(document), []))
                if status == 'valid' and any(
                        Signature.status_of(by_resource.get(str(a), []))
                        == 'invalid' for a in document.annexes):
                    status = 'invalid'
                if document.legal_status != status:
                    to_write.extend([[document], {'legal_status': status}])
            if to_write:
                cls.write(*to_write)

    @classmethod
    @ModelView.button
    def verify(cls, documents):
        "Verify the signatures again, e.g. after the trust roots changed"
        pool = Pool()
        Signature = pool.get('mvp.signature')
        Annex = pool.get('mvp.document.annex')
        with without_check_access():
            Signature.update(documents)
            Signature.update(Annex.browse(
                    [a for d in documents for a in d.annexes]))
            cls.update_legal_status(documents)
