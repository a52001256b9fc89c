"""Outgoing documents to agencies on the axis: distributing one queues a
packet for them next to the deliveries mvp_documents makes inside the
system; each recipient's delivery and status messages show on the
document; a document already sent can be recalled, updated or replaced,
and each recipient answers."""
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from trytond.modules.mvp_signing.signature import looks_pdf

from . import edxml
from .exceptions import InteropError
from .outbox import organ_of
from .status import now_vn

PRIORITIES = {
    'normal': edxml.Priority.NORMAL,
    'urgent': edxml.Priority.URGENT,
    'very_urgent': edxml.Priority.VERY_URGENT,
    'flash': edxml.Priority.FLASH,
    'flash_timed': edxml.Priority.FLASH_TIMED,
    }
# the deliveries a later packet about the document goes to
SENT_AS = ('new', 'replace')


def document_id(code, date, number_symbol):
    "QCVN 102's DocumentId: OrganId,yyyy/MM/dd,Number/Notation [S1]"
    return f'{code},{date:%Y/%m/%d},{number_symbol}'


def attachment(name, data, description=''):
    return edxml.Attachment(
        name=name, data=bytes(data), description=description,
        content_type='application/pdf' if looks_pdf(data, name)
        else 'application/octet-stream')


class Outgoing(metaclass=PoolMeta):
    __name__ = 'mvp.document.outgoing'

    peers = fields.Many2Many(
        'mvp.document.outgoing-mvp.interop.peer', 'outgoing', 'peer',
        "Agencies on the Axis",
        states={'readonly': ~Eval('state').in_(['draft', 'review'])},
        help="Recipients outside this system, reached through the "
        "national axis.")
    replaces = fields.Many2One(
        'mvp.document.outgoing', "Replaces", ondelete='RESTRICT',
        states={'readonly': ~Eval('state').in_(['draft', 'review'])},
        domain=[
            ('company', '=', Eval('company', -1)),
            ('state', '=', 'distributed'),
            ('id', '!=', Eval('id', -1)),
            ],
        help="A document already sent through the axis that this one "
        "replaces for its recipients.")
    interop_id = fields.Char(
        "Axis Document ID", readonly=True,
        help="The document's id on the axis (QCVN 102:2016).")
    interop_deliveries = fields.One2Many(
        'mvp.interop.delivery', 'outgoing', "Axis Deliveries",
        readonly=True)
    interop_statuses = fields.One2Many(
        'mvp.interop.status', 'outgoing', "Status Messages", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._buttons.update({
                'interop_recall': {
                    'invisible': ((Eval('state') != 'distributed')
                        | ~Eval('interop_id')),
                    'depends': ['state', 'interop_id'],
                    },
                'interop_update': {
                    'invisible': ((Eval('state') != 'distributed')
                        | ~Eval('interop_id')),
                    'depends': ['state', 'interop_id'],
                    },
                })

    @classmethod
    def distribute(cls, documents):
        pool = Pool()
        Outbox = pool.get('mvp.interop.outbox')
        Account = pool.get('mvp.interop.account')
        moving = [d for d in documents if d.peers
            and (d.state, 'distributed') in cls._transitions]
        # Checked before anything is delivered inside the system.
        for document in moving:
            if Account.of(document.company) is None:
                raise InteropError(gettext(
                        'mvp_interop.msg_distribute_no_account',
                        document=document.rec_name,
                        agency=document.company.rec_name))
            if organ_of(document.company) is None:
                raise InteropError(gettext(
                        'mvp_interop.msg_agency_no_code',
                        agency=document.company.rec_name))
        super().distribute(documents)
        with without_check_access():
            for document in cls.browse(moving):
                peers = list(document.peers)
                business = edxml.Business(type=edxml.BusinessType.NEW)
                kind = 'new'
                if document.replaces and document.replaces.interop_id:
                    old = document.replaces
                    business = edxml.Business(
                        type=edxml.BusinessType.REPLACE,
                        reason=gettext('mvp_interop.msg_replacement_reason',
                            document=old.number_symbol or ''),
                        replacements=(edxml.Replacement(
                                old.interop_id,
                                tuple(p.code for p in old._interop_peers())),))
                    kind = 'replace'
                document.interop_id = document_id(
                    organ_of(document.company).id, document.issue_date,
                    document.number_symbol)
                document.save()
                Outbox.post(document.company,
                    document._interop_document(peers, business), peers,
                    outgoing=document.id, business=kind)

    def _interop_peers(self):
        "The agencies on the axis the document went to"
        seen = {}
        for delivery in self.interop_deliveries:
            if delivery.packet.business in SENT_AS:
                seen.setdefault(delivery.peer.id, delivery.peer)
        return list(seen.values())

    def _interop_document(self, peers, business, subject=None, files=None):
        "The edxml.Document of self for peers"
        pool = Pool()
        User = pool.get('res.user')
        sender = organ_of(self.company)
        number, _, notation = (self.number_symbol or '').partition('/')
        if files is None:
            files = []
            if self.file:
                files.append(attachment(self.file_name or 'document.pdf',
                        self.file.data))
            for annex in self.annexes:
                if annex.file:
                    files.append(attachment(
                            annex.file_name or 'annex', annex.file.data))
        responses = ()
        reply = self.reply_to
        if reply and reply.interop_id:
            responses = (edxml.ResponseFor(
                    organ_id=reply.interop_sender or '',
                    document_id=reply.interop_id,
                    code=reply.number_symbol or '',
                    promulgation_date=reply.document_date),)
        user = Transaction().user
        clerk = User(user).name if user else ''
        return edxml.Document(
            sender=sender,
            recipients=tuple(
                edxml.Organ(id=p.code, name=p.name) for p in peers),
            document_id=self.interop_id,
            code_number=number, code_notation=notation,
            promulgation_date=self.issue_date,
            type_name=self.type.name,
            subject=subject or self.abstract,
            signer=edxml.Signer(
                full_name=self.signer.name if self.signer else ''),
            other=edxml.OtherInfo(
                priority=PRIORITIES.get(self.urgency, edxml.Priority.NORMAL),
                page_amount=self.pages,
                appendixes=tuple(a.file_name for a in self.annexes
                    if a.file_name)),
            responses=responses,
            steering=edxml.Steering.NONE,
            traces=(edxml.Trace(sender.id, now_vn()),),
            business=edxml.Business(
                type=business.type, reason=business.reason,
                document_id=business.document_id,
                document_info=business.document_info,
                replacements=business.replacements,
                staff=(edxml.Staff(staff=clerk or ''),)),
            attachments=tuple(files))

    @classmethod
    def interop_status_received(cls, status):
        "Tell the drafter and the clerks what a recipient says"
        document = status.outgoing
        codes = dict(status.fields_get(['code'])['code']['selection'])
        users = [document.drafter] + cls.staff(
            {document.company}, 'group_clerk')[document.company.id]
        cls.notify(users, [document], gettext(
                'mvp_interop.msg_status_arrived',
                recipient=status.peer.name,
                status=codes.get(status.code, status.code)),
            status.description or document.abstract)

    @classmethod
    @ModelView.button_action('mvp_interop.wizard_outgoing_recall')
    def interop_recall(cls, documents):
        pass

    @classmethod
    @ModelView.button_action('mvp_interop.wizard_outgoing_update')
    def interop_update(cls, documents):
        pass

    @classmethod
    def interop_send_change(cls, documents, kind, reason, subject=None,
            file=None, file_name=None):
        """Ask the document's recipients on the axis to recall it
        (kind 'revoke') or to take an update of its subject or its file
        ('update')"""
        Outbox = Pool().get('mvp.interop.outbox')
        if not reason:
            raise InteropError(gettext('mvp_interop.msg_change_reason'))
        types = {'revoke': edxml.BusinessType.REVOKE,
            'update': edxml.BusinessType.UPDATE}
        with without_check_access():
            for document in cls.browse(documents):
                peers = document._interop_peers()
                if document.state != 'distributed' or not peers:
                    raise InteropError(gettext(
                            'mvp_interop.msg_change_not_sent',
                            document=document.rec_name))
                files = ()
                if kind == 'update' and file:
                    files = (attachment(file_name or document.file_name
                            or 'document.pdf', file),)
                business = edxml.Business(type=types[kind], reason=reason,
                    document_id=document.interop_id,
                    document_info='1' if kind == 'update' else '')
                Outbox.post(document.company, document._interop_document(
                        peers, business,
                        subject=subject if kind == 'update' else None,
                        files=files), peers,
                    outgoing=document.id, business=kind,
                    description=reason)


class OutgoingPeer(ModelSQL):
    __name__ = 'mvp.document.outgoing-mvp.interop.peer'
    __string__ = "Outgoing Document - Axis Agency"

    outgoing = fields.Many2One(
        'mvp.document.outgoing', "Outgoing Document", required=True,
        ondelete='CASCADE')
    peer = fields.Many2One(
        'mvp.interop.peer', "Axis Agency", required=True,
        ondelete='RESTRICT')


class ChangeStart(ModelView):
    "Recall or update a document sent through the axis"
    __name__ = 'mvp.document.outgoing.interop_change.start'
    __string__ = "Recall or Update on the Axis"

    kind = fields.Selection([
            ('revoke', "Recall"),
            ('update', "Update"),
            ], "Request", readonly=True)
    reason = fields.Text("Reason", required=True,
        help="Sent to every recipient with the request.")
    subject = fields.Text(
        "Corrected Abstract",
        states={'invisible': Eval('kind') != 'update'})
    file = fields.Binary(
        "Corrected File", filename='file_name',
        states={'invisible': Eval('kind') != 'update'},
        help="The signed corrected file, if the file changes.")
    file_name = fields.Char("File Name")


class Change(Wizard):
    _kind = None
    start = StateView(
        'mvp.document.outgoing.interop_change.start',
        'mvp_interop.outgoing_change_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Send", 'send', 'tryton-ok', default=True),
            ])
    send = StateTransition()

    def default_start(self, fields):
        return {
            'kind': self._kind,
            'subject': self.record.abstract if self._kind == 'update'
            else None,
            }

    def transition_send(self):
        if self._kind == 'update' and self.start.file:
            # checked as any file the system stores
            from trytond.modules.mvp_signing.signature import check_upload
            check_upload(self.start.file, self.start.file_name)
        # The wizard's groups and the record rules have let the user in.
        with without_check_access():
            self.model.interop_send_change(
                self.records, self._kind, self.start.reason,
                subject=self.start.subject, file=self.start.file,
                file_name=self.start.file_name)
        return 'end'


class Recall(Change):
    "Recall a document sent through the axis"
    __name__ = 'mvp.document.outgoing.interop_recall'
    _kind = 'revoke'


class Update(Change):
    "Send an update of a document sent through the axis"
    __name__ = 'mvp.document.outgoing.interop_update'
    _kind = 'update'
