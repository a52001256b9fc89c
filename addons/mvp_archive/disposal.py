"""Disposal decisions (quyết định hủy tài liệu hết giá trị): dossiers whose
retention period has ended are disposed of only once the head of the agency
has approved a decision naming them; permanent dossiers never are."""
import datetime as dt

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from trytond.modules.mvp_documents.access import RuleCheckMixin

from .exceptions import DisposalError

STATES = [
    ('draft', "Draft"),
    ('approved', "Approved"),
    ('done', "Done"),
    ]


class Disposal(RuleCheckMixin, Workflow, ModelSQL, ModelView):
    "Decision to dispose of dossiers whose retention has ended"
    __name__ = 'mvp.archive.disposal'
    __string__ = "Disposal Decision"
    _rec_name = 'number'

    _draft = {'readonly': Eval('state') != 'draft'}

    company = fields.Many2One(
        'company.company', "Agency", required=True, readonly=True,
        ondelete='RESTRICT')
    number = fields.Char(
        "Decision Number", states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state') != 'draft',
            },
        help="The number and notation of the decision, e.g. 12/QĐ-SNV.")
    date = fields.Date(
        "Decision Date", states={
            'readonly': Eval('state') != 'draft',
            'required': Eval('state') != 'draft',
            })
    reason = fields.Text(
        "Grounds", states=_draft,
        help="The appraisal council's conclusion, for instance.")
    dossiers = fields.Many2Many(
        'mvp.archive.disposal-mvp.archive.dossier', 'disposal', 'dossier',
        "Dossiers", states=_draft,
        domain=[
            ('company', '=', Eval('company', -1)),
            ('expired', '=', True),
            ])
    approver = fields.Many2One(
        'res.user', "Approved By", readonly=True, ondelete='RESTRICT')
    approved_date = fields.DateTime("Approved", readonly=True)
    done_by = fields.Many2One(
        'res.user', "Disposed Of By", readonly=True, ondelete='RESTRICT')
    done_date = fields.DateTime("Disposed Of", readonly=True)
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)

    del _draft

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC NULLS FIRST'), ('id', 'DESC')]
        cls._transitions |= {
            ('draft', 'approved'),
            ('approved', 'draft'),
            ('approved', 'done'),
            }
        cls._buttons.update({
                'approve': {
                    'invisible': Eval('state') != 'draft',
                    'depends': ['state'],
                    },
                'draft': {
                    'invisible': Eval('state') != 'approved',
                    'depends': ['state'],
                    },
                'dispose': {
                    'invisible': Eval('state') != 'approved',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_state(cls):
        return 'draft'

    def get_rec_name(self, name):
        return self.number or gettext('mvp_archive.msg_disposal_draft')

    @classmethod
    def validate_fields(cls, disposals, field_names):
        super().validate_fields(disposals, field_names)
        if field_names & {'dossiers'}:
            for disposal in disposals:
                for dossier in disposal.dossiers:
                    if dossier.permanent:
                        raise DisposalError(gettext(
                                'mvp_archive.msg_dossier_permanent',
                                dossier=dossier.rec_name))

    @classmethod
    def check_modification(cls, mode, disposals, values=None, external=False):
        super().check_modification(
            mode, disposals, values=values, external=external)
        if mode == 'delete':
            for disposal in disposals:
                if disposal.state != 'draft':
                    raise DisposalError(gettext(
                            'mvp_archive.msg_disposal_delete',
                            disposal=disposal.rec_name))

    @classmethod
    def _check(cls, disposals):
        "Every dossier named may still be disposed of"
        for disposal in disposals:
            if not disposal.dossiers:
                raise DisposalError(gettext(
                        'mvp_archive.msg_disposal_empty',
                        disposal=disposal.rec_name))
            for dossier in disposal.dossiers:
                if dossier.permanent:
                    raise DisposalError(gettext(
                            'mvp_archive.msg_dossier_permanent',
                            dossier=dossier.rec_name))
                if not dossier.expired:
                    raise DisposalError(gettext(
                            'mvp_archive.msg_dossier_not_expired',
                            dossier=dossier.rec_name,
                            date=dossier.retention_end or ''))

    @classmethod
    @ModelView.button
    @Workflow.transition('approved')
    def approve(cls, disposals):
        "The head of the agency approves the decision"
        for disposal in disposals:
            if not disposal.number or not disposal.date:
                raise DisposalError(gettext(
                        'mvp_archive.msg_disposal_number',
                        disposal=disposal.rec_name))
        cls._check(disposals)
        cls.write(disposals, {
                'approver': Transaction().user or None,
                'approved_date': dt.datetime.now(),
                })

    @classmethod
    @ModelView.button
    @Workflow.transition('draft')
    def draft(cls, disposals):
        cls.write(disposals, {'approver': None, 'approved_date': None})

    @classmethod
    @ModelView.button
    @Workflow.transition('done')
    def dispose(cls, disposals):
        "Dispose of the dossiers the approved decision names"
        Dossier = Pool().get('mvp.archive.dossier')
        cls._check(disposals)
        for disposal in disposals:
            Dossier._dispose(list(disposal.dossiers), disposal)
        cls.write(disposals, {
                'done_by': Transaction().user or None,
                'done_date': dt.datetime.now(),
                })


class DisposalDossier(ModelSQL):
    __name__ = 'mvp.archive.disposal-mvp.archive.dossier'
    __string__ = "Disposal Decision - Dossier"

    disposal = fields.Many2One(
        'mvp.archive.disposal', "Disposal Decision", required=True,
        ondelete='CASCADE')
    dossier = fields.Many2One(
        'mvp.archive.dossier', "Dossier", required=True, ondelete='RESTRICT')
