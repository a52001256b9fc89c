"""Incident and support requests to the administrators (Art. 8.2, 11.6).

Anyone reports an incident or asks for help; the request goes to the
administrators of their agency, or to the province's when it concerns the
whole system. The answers are written in the request's thread."""
from trytond.i18n import gettext
from trytond.model import ChatMixin, ModelSQL, ModelView, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from .access import RuleCheckMixin
from .document import BoundedFilesMixin
from .exceptions import SupportError

KINDS = [
    ('incident', "Incident"),
    ('support', "Support"),
    ]
SCOPES = [
    ('agency', "My Agency"),
    ('province', "Whole Province"),
    ]
STATES = [
    ('open', "Open"),
    ('in_progress', "In Progress"),
    ('resolved', "Resolved"),
    ('closed', "Closed"),
    ]


class Request(
        RuleCheckMixin, BoundedFilesMixin, ChatMixin, Workflow, ModelSQL,
        ModelView):
    "Incident or support request (yêu cầu hỗ trợ)"
    __name__ = 'mvp.support.request'
    __string__ = "Support Request"
    _rec_name = 'subject'

    _readonly = {'readonly': Eval('state') != 'open'}

    company = fields.Many2One(
        'company.company', "Agency", required=True, ondelete='RESTRICT',
        states=_readonly)
    user = fields.Many2One(
        'res.user', "Filed By", required=True, readonly=True,
        ondelete='RESTRICT')
    kind = fields.Selection(KINDS, "Kind", required=True, states=_readonly)
    scope = fields.Selection(
        SCOPES, "Addressed To", required=True, states=_readonly,
        help="The administrators of the agency, or those of the province "
        "for what concerns the whole system.")
    subject = fields.Char("Subject", required=True, states=_readonly)
    description = fields.Text(
        "Description", required=True, states=_readonly)
    attachment = fields.Binary(
        "Attachment", filename='attachment_name', states=_readonly,
        help="A screenshot or a scan.")
    attachment_name = fields.Char("Attachment Name", states=_readonly)
    handler = fields.Many2One(
        'res.user', "Handled By", readonly=True, ondelete='RESTRICT')
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)

    del _readonly

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('create_date', 'DESC'), ('id', 'DESC')]
        cls._transitions |= {
            ('open', 'in_progress'),
            ('open', 'closed'),
            ('in_progress', 'resolved'),
            ('resolved', 'in_progress'),
            ('resolved', 'closed'),
            }
        cls._buttons.update({
                'take': {
                    'invisible': Eval('state') != 'open',
                    'depends': ['state'],
                    },
                'resolve': {
                    'invisible': Eval('state') != 'in_progress',
                    'depends': ['state'],
                    },
                'reopen': {
                    'invisible': Eval('state') != 'resolved',
                    'depends': ['state'],
                    },
                'close': {
                    'invisible': ~Eval('state').in_(['open', 'resolved']),
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_user(cls):
        return Transaction().user or None

    @classmethod
    def default_kind(cls):
        return 'support'

    @classmethod
    def default_scope(cls):
        return 'agency'

    @classmethod
    def default_state(cls):
        return 'open'

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and Transaction().user:
            # A request is filed in one's own name.
            values['user'] = Transaction().user
        return values

    @classmethod
    def check_modification(cls, mode, requests, values=None, external=False):
        if external and mode in {'write', 'delete'}:
            cls.check_rules(requests, mode)
        super().check_modification(
            mode, requests, values=values, external=external)
        if external and mode == 'write' and 'user' in values:
            raise SupportError(gettext('mvp_documents.msg_support_user'))
        if mode == 'delete':
            for request in requests:
                if request.state != 'open':
                    raise SupportError(gettext(
                            'mvp_documents.msg_support_delete',
                            request=request.rec_name))

    @classmethod
    def administrators(cls, requests):
        "The administrators each request goes to, by request id"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        province = ModelData.get_id('mvp_documents', 'group_admin_province')
        agency = ModelData.get_id('mvp_documents', 'group_admin_agency')
        with without_check_access():
            provincial = User.search([('groups', '=', province)])
            local = User.search([
                    ('groups', '=', agency),
                    ('companies', 'in', [r.company.id for r in requests]),
                    ])
        result = {}
        for request in requests:
            if request.scope == 'province':
                result[request.id] = provincial
            else:
                result[request.id] = [u for u in local
                    if request.company in u.companies] or provincial
        return result

    @classmethod
    def on_modification(cls, mode, requests, field_names=None):
        super().on_modification(mode, requests, field_names=field_names)
        if mode == 'create':
            admins = cls.administrators(requests)
            for request in requests:
                cls._notify(admins[request.id], request, gettext(
                        'mvp_documents.msg_support_filed',
                        user=request.user.rec_name))

    @classmethod
    def _notify(cls, users, request, label):
        for user in {u.id for u in users if u}:
            cls.notify_user(
                [request], 'tryton-warning' if request.kind == 'incident'
                else 'tryton-notification', label, request.subject,
                user=user)

    @classmethod
    def _check_administrator(cls, requests):
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        if ModelData.get_id('mvp_documents', 'group_admin_province') in (
                User.get_groups()):
            return
        admins = cls.administrators(requests)
        user = Transaction().user
        for request in requests:
            if user and user not in {u.id for u in admins[request.id]}:
                raise SupportError(gettext(
                        'mvp_documents.msg_support_administrator',
                        request=request.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def take(cls, requests):
        cls.check_rules(requests, 'write')
        cls._check_administrator(requests)
        user = Transaction().user or None
        cls.write(requests, {'handler': user})
        for request in requests:
            cls._notify([request.user], request, gettext(
                    'mvp_documents.msg_support_taken'))

    @classmethod
    @ModelView.button
    @Workflow.transition('resolved')
    def resolve(cls, requests):
        cls.check_rules(requests, 'write')
        cls._check_administrator(requests)
        for request in requests:
            cls._notify([request.user], request, gettext(
                    'mvp_documents.msg_support_resolved'))

    @classmethod
    @ModelView.button
    @Workflow.transition('in_progress')
    def reopen(cls, requests):
        "The answer did not help"
        cls.check_rules(requests, 'write')
        for request in requests:
            cls._notify([request.handler], request, gettext(
                    'mvp_documents.msg_support_reopened'))

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, requests):
        cls.check_rules(requests, 'write')
