"""Incoming documents that came through the axis: made from a received
packet with its files, whose signatures mvp_signing verifies as it does
for every stored file (the legal status of Art. 4.1 follows); each step of
their handling is told to the sender as a status message; a sender's
recall, update or replacement waits for the clerk's answer."""
import datetime as dt
import os
import unicodedata

from trytond.model import Workflow, fields
from trytond.pool import Pool, PoolMeta
from trytond.transaction import without_check_access

from trytond.modules.mvp_signing.signature import check_upload, known

from . import edxml
from .edxml import unzip
from .exceptions import Refusal

URGENCIES = {
    edxml.Priority.NORMAL: 'normal',
    edxml.Priority.URGENT: 'urgent',
    edxml.Priority.VERY_URGENT: 'very_urgent',
    edxml.Priority.FLASH: 'flash',
    edxml.Priority.FLASH_TIMED: 'flash_timed',
    }
# what each step of the handling tells the sender [S2; S3]
STEPS = {
    'registered': edxml.StatusCode.ACCEPTED,
    'assigned': edxml.StatusCode.ASSIGNED,
    'in_progress': edxml.StatusCode.PROCESSING,
    'done': edxml.StatusCode.DONE,
    }


def file_name(name, default='document'):
    "A file name as a sender wrote it, without folders or control marks"
    name = unicodedata.normalize('NFC', os.path.basename(
            (name or '').replace('\\', '/')))
    name = ''.join(c for c in name if c.isprintable()).strip(' .')
    return name[:200] or default


def files(document):
    """[(name, bytes)] of the packet's attachments, zipped ones opened:
    the files of the document"""
    result = []
    for attachment in document.attachments:
        if attachment.zipped:
            try:
                members = unzip.members(attachment)
            except edxml.PacketError as e:
                raise Refusal(e.message_id, **e.params) from None
            result.extend((file_name(m.name), m.data) for m in members)
        else:
            result.append((file_name(attachment.name), attachment.read()))
    return result


def main_file(items):
    "The index of the document's own file among items: the first PDF"
    for index, (name, data) in enumerate(items):
        if data[:1024].find(b'%PDF-') >= 0 or name.lower().endswith('.pdf'):
            return index
    return 0


class Incoming(metaclass=PoolMeta):
    __name__ = 'mvp.document.incoming'

    interop_packet = fields.Many2One(
        'mvp.interop.inbox', "Received Packet", readonly=True,
        ondelete='RESTRICT',
        help="The packet of the axis the document came in.")
    interop_id = fields.Char(
        "Axis Document ID", readonly=True,
        help="The document's id on the axis (QCVN 102:2016).")
    interop_sender = fields.Char("Sender Code", readonly=True)
    interop_peer = fields.Many2One(
        'mvp.interop.peer', "Sender on the Axis", readonly=True,
        ondelete='RESTRICT')
    interop_due_date = fields.Date(
        "Sender's Due Date", readonly=True,
        help="When the sender asks for it to be handled.")
    replaces = fields.Many2One(
        'mvp.document.incoming', "Replaces", readonly=True,
        ondelete='RESTRICT',
        help="The document received earlier that this one replaces.")
    interop_deliveries = fields.One2Many(
        'mvp.interop.delivery', 'incoming', "Status Messages Sent",
        readonly=True)
    interop_requests = fields.One2Many(
        'mvp.interop.request', 'incoming', "Sender's Requests",
        readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.state.selection = cls.state.selection + [
            ('recalled', "Recalled")]
        cls._transitions |= {(s, 'recalled') for s, _ in cls.state.selection
            if s != 'recalled'}

    # the steps of the handling, told to the sender

    @classmethod
    def _moving(cls, documents, state):
        return [d for d in documents
            if d.interop_peer and (d.state, state) in cls._transitions]

    @classmethod
    def _tell(cls, documents, state, description=''):
        Status = Pool().get('mvp.interop.status')
        with without_check_access():
            for document in cls.browse(documents):
                Status.send(document, STEPS[state].value
                    if state in STEPS else state, description)

    @classmethod
    def enter(cls, documents):
        moving = cls._moving(documents, 'registered')
        super().enter(documents)
        cls._tell(moving, 'registered')

    @classmethod
    def _assign(cls, documents, main, supports, informed, deadline,
            instruction):
        moving = cls._moving(documents, 'assigned')
        super()._assign(documents, main, supports, informed, deadline,
            instruction)
        cls._tell(moving, 'assigned')

    @classmethod
    def start(cls, documents):
        moving = cls._moving(documents, 'in_progress')
        super().start(documents)
        cls._tell(moving, 'in_progress')

    @classmethod
    def reopen(cls, documents):
        moving = cls._moving(documents, 'in_progress')
        super().reopen(documents)
        cls._tell(moving, 'in_progress')

    @classmethod
    def _complete(cls, documents, result):
        moving = cls._moving(documents, 'done')
        super()._complete(documents, result)
        cls._tell(moving, 'done', result)

    @classmethod
    def _reject(cls, documents, reason):
        moving = cls._moving(documents, 'rejected')
        super()._reject(documents, reason)
        cls._tell(moving, edxml.StatusCode.REJECTED.value, reason)

    @classmethod
    @Workflow.transition('recalled')
    def interop_recall(cls, documents, reason):
        "Withdraw documents their sender recalled, with its agreement"
        cls.write(documents, {'note': reason})

    # received from the axis

    @classmethod
    def interop_find(cls, company, sender, document_id):
        "The document received from sender as document_id, else Refusal"
        documents = cls.search([
                ('company', '=', int(company)),
                ('interop_sender', '=', sender),
                ('interop_id', '=', document_id),
                ], order=[('id', 'DESC')], limit=1)
        if not documents:
            raise Refusal('msg_inbox_unknown_document',
                document=document_id, sender=sender)
        return documents[0]

    @classmethod
    def interop_receive(cls, inbox, document):
        """The incoming document of inbox's agency made from document (an
        edxml.Document); Refusal if its files cannot be accepted"""
        pool = Pool()
        Annex = pool.get('mvp.document.annex')
        File = pool.get('mvp.document.file')
        Status = pool.get('mvp.interop.status')
        items = files(document)
        # Verified before anything is written: a damaged or script-laden
        # PDF refuses the packet as it would an upload; the reports are
        # kept for the signatures stored with the files.
        reports = {}
        for name, data in items:
            reports.update(check_upload(data, name))
        main = main_file(items) if items else None
        values = cls._interop_values(inbox, document)
        with known(reports):
            if main is not None:
                name, data = items[main]
                values['file'] = File.store(name, data).id
                values['file_name'] = name
            incoming, = cls.create([values])
            annexes = []
            for index, (name, data) in enumerate(items):
                if index != main:
                    annexes.append({
                            'resource': str(incoming),
                            'file': File.store(name, data).id,
                            'file_name': name,
                            })
            if annexes:
                Annex.create(annexes)
        replaced = []
        if document.business and document.business.replacements:
            for replacement in document.business.replacements:
                if replacement.organ_ids and inbox.account.code \
                        not in replacement.organ_ids:
                    continue
                try:
                    replaced.append(cls.interop_find(inbox.company,
                            document.sender.id, replacement.document_id))
                except Refusal:
                    continue
        if replaced:
            incoming.replaces = replaced[0]
            incoming.save()
        Status.send(incoming, edxml.StatusCode.RECEIVED.value)
        for old in replaced:
            old.interop_request(inbox, 'replace',
                document.business.reason, replacement=incoming)
        return incoming

    @classmethod
    def _interop_values(cls, inbox, document):
        Type = Pool().get('mvp.document.type')
        types = Type.search([('name', '=', document.type_name)], limit=1) \
            if document.type_name else []
        if not types:
            types = Type.search([('code', '=', None)], limit=1) \
                or Type.search([], limit=1)
        urgency = URGENCIES.get(document.other.priority, 'normal')
        number_symbol = '/'.join(p for p in (
                document.code_number, document.code_notation) if p)
        signer = ' '.join(p for p in (
                document.signer.competence, document.signer.full_name) if p)
        values = {
            'company': inbox.company.id,
            'sender': document.sender.name or (
                inbox.peer.name if inbox.peer else document.sender.id),
            'number_symbol': number_symbol or None,
            'document_date': document.promulgation_date,
            'signer': signer or None,
            'type': types[0].id if types else None,
            'abstract': document.subject or document.content
            or document.document_id,
            'urgency': urgency,
            'pages': document.other.page_amount,
            'received_date': dt.datetime.now(),
            'state': 'received',
            'interop_packet': inbox.id,
            'interop_id': document.document_id,
            'interop_sender': document.sender.id,
            'interop_peer': inbox.peer.id if inbox.peer else None,
            'interop_due_date': document.due_date,
            }
        if urgency == 'flash_timed':
            # edXML gives no hour: the end of the due day, else now
            values['urgency_time'] = dt.datetime.combine(
                document.due_date, dt.time(17)) if document.due_date \
                else dt.datetime.now()
        return values

    def interop_request(self, inbox, kind, reason, replacement=None):
        "A request of the sender on this document, for the clerk"
        Request = Pool().get('mvp.interop.request')
        request, = Request.create([{
                    'company': self.company.id,
                    'incoming': self.id,
                    'kind': kind,
                    'reason': reason or None,
                    'packet': inbox.id,
                    'replacement': replacement.id if replacement else None,
                    }])
        return request

    def interop_update(self, document):
        "Take the values and files of the sender's update (an agreement)"
        pool = Pool()
        File = pool.get('mvp.document.file')
        Annex = pool.get('mvp.document.annex')
        values = {}
        if document.subject:
            values['abstract'] = document.subject
        if document.signer.full_name:
            values['signer'] = ' '.join(p for p in (
                    document.signer.competence, document.signer.full_name)
                if p)
        if document.other.priority is not None:
            values['urgency'] = URGENCIES.get(
                document.other.priority, self.urgency)
            if values['urgency'] == 'flash_timed' and not self.urgency_time:
                values['urgency_time'] = dt.datetime.now()
        if document.due_date:
            values['interop_due_date'] = document.due_date
        items = files(document)
        reports = {}
        for name, data in items:
            reports.update(check_upload(data, name))
        with known(reports):
            if items:
                main = main_file(items)
                name, data = items[main]
                values['file'] = File.store(name, data).id
                values['file_name'] = name
            self.__class__.write([self], values)
            if items:
                Annex.delete(list(self.annexes))
                Annex.create([{
                            'resource': str(self),
                            'file': File.store(n, d).id,
                            'file_name': n,
                            } for i, (n, d) in enumerate(items)
                        if i != main])
        self.update_legal_status([self])
