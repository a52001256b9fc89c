"""Filing documents in dossiers from their own form ("Lập hồ sơ")."""
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import (
    Transaction, check_access, without_check_access)
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import metadata
from .exceptions import DossierError


class FilingMixin:
    """What incoming and outgoing documents get from the dossiers: where
    they are filed, a frozen content once a dossier holding them is closed,
    their metadata for the archive"""
    __slots__ = ()

    dossier_documents = fields.One2Many(
        'mvp.archive.dossier.document', 'document', "Dossiers",
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'file_in': {
                    'invisible': Eval('id', -1) < 0,
                    'depends': ['id'],
                    },
                })

    def is_frozen(self):
        return super().is_frozen() or any(
            e.dossier.state != 'open' for e in self.dossier_documents)

    @classmethod
    def check_modification(cls, mode, documents, values=None, external=False):
        super().check_modification(
            mode, documents, values=values, external=external)
        if mode == 'delete':
            for document in documents:
                if document.dossier_documents:
                    raise DossierError(gettext(
                            'mvp_archive.msg_document_filed',
                            document=document.rec_name,
                            dossier=document.dossier_documents[0]
                            .dossier.rec_name))

    def archive_holders(self):
        "(record, mvp.document.file, role) of each file the document holds"
        holders = [(self, self.file, 'main')] if self.file else []
        return holders + [(a, a.file, 'annex')
            for a in self.annexes if a.file]

    def _archive_common(self):
        "The metadata incoming and outgoing documents fill alike"
        number, notation = metadata.split_number_symbol(self.number_symbol)
        return {
            'type_name': metadata.clip(self.type.name, 100),
            'subject': metadata.clip(self.abstract, metadata.SUBJECT),
            'code_number': number,
            'code_notation': notation,
            'priority': metadata.PRIORITY.get(self.urgency),
            'mode': metadata.RIGHTS['secret']
            if self.secrecy != 'normal' else None,
            }


class FileInStart(ModelView):
    "File documents in a dossier"
    __name__ = 'mvp.archive.file_in.start'
    __string__ = "File in Dossier"

    company = fields.Many2One('company.company', "Agency", readonly=True)
    dossier = fields.Many2One(
        'mvp.archive.dossier', "Dossier", required=True,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('fileable', '=', True),
            ],
        help="An open dossier of your division or of your work.")


class FileIn(Wizard):
    "File documents in a dossier (lập hồ sơ)"
    __name__ = 'mvp.archive.file_in'
    start = StateView(
        'mvp.archive.file_in.start',
        'mvp_archive.file_in_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("File", 'file_', 'tryton-ok', default=True),
            ])
    file_ = StateTransition()

    def default_start(self, fields):
        pool = Pool()
        Entry = pool.get('mvp.archive.dossier.document')
        Dossier = pool.get('mvp.archive.dossier')
        companies = {r.company for r in self.records}
        if len(companies) != 1:
            raise DossierError(gettext('mvp_archive.msg_file_in_agencies'))
        company, = companies
        values = {'company': company.id}
        # The dossier the person filed in last, while it is open
        with without_check_access():
            last = Entry.search([
                    ('create_uid', '=', Transaction().user),
                    ('dossier.company', '=', company.id),
                    ('dossier.state', '=', 'open'),
                    ], order=[('create_date', 'DESC'), ('id', 'DESC')],
                limit=1)
        if last and Dossier.search([
                    ('id', '=', last[0].dossier.id),
                    ('fileable', '=', True)]):
            values['dossier'] = last[0].dossier.id
        return values

    def transition_file_(self):
        Entry = Pool().get('mvp.archive.dossier.document')
        # Wizards run without the rules: filed as the person, the rules say
        # in which dossiers they may.
        with check_access():
            Entry.file_documents(self.start.dossier, self.records)
        return 'end'
