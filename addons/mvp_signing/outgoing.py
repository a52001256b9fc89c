"""Signing in the outgoing flow.

- The leader signs at approval: where the designated signer holds a
  personal certificate, approving is signing ("Sign and Approve"); the
  signed file replaces the draft.
- The clerk stamps at issue: where the agency holds an organisation
  certificate, issuing is stamping ("Issue and Stamp"): the organisation
  signature carries the seal, the number the register gives and the
  signing time (see appearance.Organisation), and annexes get the
  organisation signature at the top right of their first page. The
  number is taken after signing, so that the register is not locked
  during the timestamp and revocation requests.
- A key held outside the server (a USB token) signs in two steps: the
  server prepares the document (`Pending` keeps it), the signer's tool
  answers, the server finishes.

Nothing is written before the key has opened: a wrong passphrase or a
certificate that can no longer sign leaves no trace but the audit.
"""
import json
from collections import Counter

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval, If
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from trytond.modules.mvp_documents import numbering
from trytond.modules.mvp_documents.document import check_file_size
from trytond.modules.mvp_documents.registers import RegisterBusy

from . import appearance, pades
from .certificate import KEY_STORAGES, KINDS
from .exceptions import SigningError, described
from .signature import (
    FileSignatureMixin, audit_failure, check, digest, explain, known,
    looks_pdf)

PERSONAL_FIELD = 'personal'
ORGANISATION_FIELD = 'organisation'


class Outgoing(FileSignatureMixin, metaclass=PoolMeta):
    __name__ = 'mvp.document.outgoing'

    signatures = fields.One2Many(
        'mvp.signature', 'resource', "Signatures", readonly=True)
    personal_signing = fields.Function(
        fields.Boolean(
            "Signer Signs Digitally",
            help="The signer holds a personal certificate: approving is "
            "signing."),
        'get_signing')
    stamping = fields.Function(
        fields.Boolean(
            "Agency Stamps Digitally",
            help="The agency holds an organisation certificate: issuing is "
            "stamping."),
        'get_signing')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Where a certificate exists, the plain buttons give way to the
        # signing wizards; the server refuses them too (button states).
        for name, field in [
                ('approve', 'personal_signing'), ('issue', 'stamping')]:
            button = cls._buttons[name] = cls._buttons[name].copy()
            button['invisible'] = button['invisible'] | Eval(field, False)
            button['depends'] = button['depends'] + [field]
        cls._buttons.update({
                'sign': {
                    'invisible': ((Eval('state') != 'approval')
                        | ~Eval('personal_signing', False)),
                    'depends': ['state', 'personal_signing'],
                    },
                'issue_sign': {
                    'invisible': ((Eval('state') != 'approved')
                        | ~Eval('stamping', False)),
                    'depends': ['state', 'stamping'],
                    },
                })

    @classmethod
    def get_signing(cls, documents, names):
        Certificate = Pool().get('mvp.signing.certificate')
        with without_check_access():
            certificates = Certificate.search([
                    ('company', 'in', list({d.company.id for d in documents})),
                    ('status', 'in', ['active', 'suspended']),
                    ])
        personal = {(c.company.id, c.user.id) for c in certificates
            if c.kind == 'personal'}
        organisation = {c.company.id for c in certificates
            if c.kind == 'organisation'}
        result = {n: {} for n in names}
        for document in documents:
            if 'personal_signing' in names:
                result['personal_signing'][document.id] = bool(
                    document.signer and (document.company.id,
                        document.signer.id) in personal)
            if 'stamping' in names:
                result['stamping'][document.id] = (
                    document.company.id in organisation)
        return result

    @classmethod
    @ModelView.button_action('mvp_signing.wizard_outgoing_sign')
    def sign(cls, documents):
        pass

    @classmethod
    @ModelView.button_action('mvp_signing.wizard_outgoing_issue')
    def issue_sign(cls, documents):
        pass

    @classmethod
    def _approve_signed(cls, documents):
        # the transition itself, past the button states that refuse it
        # unsigned
        super().approve(documents)

    @classmethod
    def _issue_signed(cls, documents):
        super().issue(documents)

    def _agency_name(self):
        Unit = Pool().get('mvp.unit')
        agency = Unit.agency_of_company(self.company)
        return agency.name if agency else self.company.rec_name

    def _dated(self, date):
        "The place and date of issue, as the clerk writes them"
        Unit = Pool().get('mvp.unit')
        agency = Unit.agency_of_company(self.company)
        return numbering.dated(date, agency.place_name if agency else None)

    @classmethod
    def _check_signing(cls, documents, certificate, kind):
        "Raise SigningError unless the current user may sign them so"
        user_id = Transaction().user
        for document in documents:
            state = 'approval' if kind == 'personal' else 'approved'
            if document.state != state:
                raise SigningError(gettext(
                        'mvp_signing.msg_sign_state',
                        document=document.rec_name))
            if kind == 'personal' and (
                    not document.signer or document.signer.id != user_id):
                raise SigningError(gettext(
                        'mvp_documents.msg_not_signer',
                        user=document.signer.rec_name
                        if document.signer else '',
                        document=document.rec_name))
            if certificate.kind != kind \
                    or certificate.company != document.company:
                raise SigningError(gettext(
                        'mvp_signing.msg_certificate_document',
                        certificate=certificate.rec_name,
                        document=document.rec_name))
            if not document.file:
                raise SigningError(gettext(
                        'mvp_signing.msg_sign_no_file',
                        document=document.rec_name))
        certificate.check_usable()
        if not certificate.image:
            raise SigningError(gettext(
                    'mvp_signing.msg_certificate_no_image',
                    certificate=certificate.rec_name))

    @classmethod
    def _sign_options(cls, external=False):
        Configuration = Pool().get('mvp.signing.configuration')
        Trust = Pool().get('mvp.signing.trust')
        config = Configuration(1)
        options = {'level': config.level or 'B-B'}
        if config.level != 'B-B':
            options['tsa_url'] = config.tsa_url
        if config.level == 'B-LT' and not external:
            options['trust'] = Trust.anchors()[0]
        return options

    @classmethod
    def _sign_data(cls, data, name, signer, field, look, **kwargs):
        """The signed bytes and their verification report; SigningError if
        signing fails or the signature would not be valid"""
        try:
            signed = pades.sign(bytes(data), signer, field=field,
                appearance=look, **cls._sign_options(), **kwargs)
        except pades.Error as e:
            raise SigningError(gettext(
                    'mvp_signing.msg_sign_failed', file=name),
                described(e, file=name)) from e
        report = check(signed, name)
        cls._check_report(report, name)
        return signed, report

    @classmethod
    def _check_report(cls, report, name):
        "SigningError unless the freshly signed file verifies as valid"
        if report is None or report['status'] != 'valid':
            reasons = [r for s in (report or {}).get('signatures', [])
                for r in s['reasons']]
            raise SigningError(gettext(
                    'mvp_signing.msg_signed_invalid', file=name),
                explain(dict.fromkeys(reasons)))

    @classmethod
    def _personal(cls, document, certificate, signer):
        "(signed file data, report) of the document's personal signature"
        with without_check_access():
            data = document.file.data
        return cls._sign_data(data, document.file_name, signer,
            PERSONAL_FIELD,
            appearance.Personal(bytes(certificate.image)),
            location=document._agency_name())

    @classmethod
    def _organisation(cls, document, certificate, signer):
        """[(record, signed data, report)] of the organisation signature on
        the document and its PDF annexes, numbered"""
        agency = document._agency_name()
        with without_check_access():
            data = document.file.data
            annexes = [(a, a.file.data) for a in document.annexes if a.file]
        signed = [(document, *cls._sign_data(data, document.file_name,
                    signer, ORGANISATION_FIELD,
                    appearance.Organisation(bytes(certificate.image),
                        over=PERSONAL_FIELD, number=document.number_symbol,
                        dated=document._dated(document.issue_date)),
                    reason=document.number_symbol, location=agency))]
        for annex, annex_data in annexes:
            if not looks_pdf(annex_data, annex.file_name):
                continue  # not a PDF: it cannot carry a PDF signature
            signed.append((annex, *cls._sign_data(annex_data,
                        annex.file_name, signer, ORGANISATION_FIELD,
                        appearance.Attachment(agency, document.number_symbol),
                        reason=document.number_symbol, location=agency)))
        return signed

    @classmethod
    def sign_and_approve(cls, documents, certificate, signer, wrote=None):
        """Sign the documents' files with the personal signature of
        certificate, opened as signer, and approve them; checked by the
        caller (_check_signing). `wrote` (a list) tells the caller when
        writing has begun."""
        signed = [(d, *cls._personal(d, certificate, signer))
            for d in documents]
        if wrote is not None:
            wrote.append(True)
        cls._store_signed(signed)
        cls._approve_signed(documents)
        cls.log(documents, 'sign', certificate.rec_name)

    @classmethod
    def issue_and_stamp(cls, documents, certificate, signer, wrote=None):
        """Issue the documents and sign them, and their PDF annexes, with
        the organisation signature of certificate, opened as signer."""
        # Signed first with the numbers the registers give next, issued
        # after: the register is locked from its number to the commit, not
        # during the timestamp and revocation requests of signing. Number
        # and stamp commit together; when another issue took the number
        # meanwhile, the register starts the request again (RegisterBusy).
        expected = cls._plan_issue(documents)
        signed = []
        for document in documents:
            signed.extend(cls._organisation(document, certificate, signer))
        if wrote is not None:
            wrote.append(True)
        cls._issue_signed(documents)
        if [(d.number_symbol, d.issue_date) for d in documents] != expected:
            raise RegisterBusy()
        cls._store_signed(signed)
        cls.log(documents, 'sign', certificate.rec_name)

    @classmethod
    def _plan_issue(cls, documents):
        """Give the documents the number and symbol and the date that
        issuing them now would give, in memory; return them"""
        Register = Pool().get('mvp.register')
        today = Pool().get('ir.date').today()
        planned, taken = [], Counter()
        for document in documents:
            key = document.company.id, document.secrecy != 'normal'
            number = Register.peek(
                document.company, 'outgoing', today, secret=key[1])
            document.number_symbol = document._number_symbol(
                number + taken[key], today)
            document.issue_date = today
            taken[key] += 1
            planned.append((document.number_symbol, today))
        return planned

    @classmethod
    def _store_signed(cls, signed):
        """Replace the files of the records by their signed versions: the
        system does it, the file is no one's to edit."""
        File = Pool().get('mvp.document.file')
        reports = {digest(data): report for _, data, report in signed}
        with without_check_access(), known(reports):
            for record, data, _ in signed:
                file = File.store(record.file_name or 'document.pdf', data)
                record.__class__.write([record], {'file': file.id})


class SignStart(ModelView):
    "Sign"
    __name__ = 'mvp.signing.sign.start'
    __string__ = "Sign"

    kind = fields.Selection(KINDS, "Kind", readonly=True)
    company = fields.Many2One('company.company', "Agency", readonly=True)
    user = fields.Many2One('res.user', "User", readonly=True)
    certificate = fields.Many2One(
        'mvp.signing.certificate', "Certificate", required=True,
        domain=[
            ('kind', '=', Eval('kind')),
            ('company', '=', Eval('company', -1)),
            ('status', '=', 'active'),
            ('revocation_requested', '=', False),
            If(Eval('kind') == 'personal',
                ('user', '=', Eval('user', -1)),
                ()),
            ])
    holder = fields.Char("Holder", readonly=True)
    issuer = fields.Char("Issuer", readonly=True)
    serial = fields.Char("Serial Number", readonly=True)
    valid_from = fields.DateTime("Valid From", readonly=True)
    valid_to = fields.DateTime("Valid To", readonly=True)
    key_storage = fields.Selection(
        KEY_STORAGES, "Key Storage", readonly=True)
    secret = fields.Char(
        "Passphrase or PIN",
        states={
            'invisible': Eval('key_storage') == 'external',
            'required': Eval('key_storage').in_(['pkcs12', 'pkcs11']),
            },
        help="Opens the key for this signing only; it is not kept.")
    number_symbol = fields.Char(
        "Number and Symbol", readonly=True,
        states={'invisible': Eval('kind') != 'organisation'},
        help="What the register gives on issuing, unless another document "
        "is issued first.")
    issue_date = fields.Date(
        "Issue Date", readonly=True,
        states={'invisible': Eval('kind') != 'organisation'})
    file = fields.Binary("Document", readonly=True, filename='file_name')
    file_name = fields.Char("File Name", readonly=True)

    @fields.depends('certificate')
    def on_change_with_key_storage(self, name=None):
        if self.certificate:
            return self.certificate.key_storage

    @fields.depends('certificate')
    def on_change_certificate(self):
        for name, value in self.certificate_values(self.certificate).items():
            setattr(self, name, value)

    @staticmethod
    def certificate_values(certificate):
        "What the dialog shows of the certificate"
        names = ['holder', 'issuer', 'serial', 'valid_from', 'valid_to']
        if not certificate:
            return dict.fromkeys(names)
        cert, = pades.load_certs([bytes(certificate.certificate)])
        return {
            'holder': certificate.name,
            # by its name, as the holder: the rest is in the register
            'issuer': (cert.issuer.native.get('common_name')
                or certificate.issuer),
            'serial': certificate.serial,
            'valid_from': certificate.valid_from,
            'valid_to': certificate.valid_to,
            }


class SignExternal(ModelView):
    "Sign with an external signer"
    __name__ = 'mvp.signing.sign.external'
    __string__ = "Sign with an External Signer"

    request = fields.Binary(
        "Signing Request", readonly=True, filename='request_name',
        help="Give it to the signing tool holding the key, e.g. "
        "\"mvp sign-external\".")
    request_name = fields.Char("Request File Name", readonly=True)
    answer = fields.Binary(
        "Signer's Answer", required=True, filename='answer_name',
        help="The file the signing tool returned.")
    answer_name = fields.Char("Answer File Name")


class Pending(ModelSQL):
    """A document prepared for an external signer, between the two steps.

    Kept here rather than in the wizard's session, which the client can
    write: what gets signed is the file that was approved, nothing else."""
    __name__ = 'mvp.signing.pending'
    __string__ = "Pending Signature"

    resource = fields.Reference(
        "Document", selection=[('mvp.document.outgoing', "Outgoing")],
        required=True)
    user = fields.Many2One(
        'res.user', "User", required=True, ondelete='CASCADE')
    certificate = fields.Many2One(
        'mvp.signing.certificate', "Certificate", required=True,
        ondelete='CASCADE')
    data = fields.Text("Prepared Document", required=True)

    @classmethod
    def keep(cls, document, certificate, pending):
        cls.forget(document)
        cls.create([{
                    'resource': str(document),
                    'user': Transaction().user,
                    'certificate': certificate.id,
                    'data': pending.to_json(),
                    }])

    @classmethod
    def get(cls, document, certificate):
        "The pending signature of the current user on document"
        records = cls.search([
                ('resource', '=', str(document)),
                ('user', '=', Transaction().user),
                ('certificate', '=', certificate.id),
                ], order=[('id', 'DESC')], limit=1)
        if not records:
            raise SigningError(gettext('mvp_signing.msg_external_expired',
                    document=document.rec_name))
        return pades.Prepared.from_json(records[0].data)

    @classmethod
    def forget(cls, document):
        cls.delete(cls.search([
                    ('resource', '=', str(document)),
                    ('user', '=', Transaction().user),
                    ]))


class SignWizard(Wizard):
    start = StateView(
        'mvp.signing.sign.start', 'mvp_signing.sign_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Sign", 'sign', 'tryton-ok', default=True),
            ])
    sign = StateTransition()
    external = StateView(
        'mvp.signing.sign.external', 'mvp_signing.sign_external_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Finish", 'finish', 'tryton-ok', default=True),
            ])
    finish = StateTransition()
    kind = None

    def default_start(self, fields):
        Certificate = Pool().get('mvp.signing.certificate')
        user = Transaction().user
        company = self.record.company
        candidates = Certificate.candidates(self.kind, company.id, user)
        certificate = candidates[0] if candidates else None
        values = {
            'kind': self.kind,
            'company': company.id,
            'user': user,
            'certificate': certificate.id if certificate else None,
            'key_storage': certificate.key_storage if certificate else None,
            # what is signed, as it is now
            'file': self.record.file_data,
            'file_name': self.record.file_name,
            }
        values.update(Pool().get('mvp.signing.sign.start').certificate_values(
                certificate))
        return values

    def _attempt(self, documents, certificate, act):
        """Run act(); a SigningError is audited, then raised (rolling the
        attempt back)"""
        wrote = []
        try:
            return act(wrote)
        except SigningError as e:
            audit_failure(documents, f'{certificate.rec_name}: {e.message}',
                wrote=bool(wrote))
            raise

    def transition_sign(self):
        # Never kept: the session is saved after each step.
        secret, self.start.secret = self.start.secret, None
        certificate = self.start.certificate
        documents = self.model.browse(self.records)

        def act(wrote):
            self.model._check_signing(documents, certificate, self.kind)
            if certificate.key_storage == 'external':
                return self._prepare(documents, certificate)
            with certificate.signer(secret) as signer:
                self._sign(documents, certificate, signer, wrote)
            return 'end'
        return self._attempt(documents, certificate, act)

    def _prepare(self, documents, certificate):
        if len(documents) != 1:
            raise SigningError(gettext('mvp_signing.msg_external_one'))
        document, = documents
        data, look, kwargs = self._external_input(document, certificate)
        try:
            pending = pades.prepare(
                bytes(data), bytes(certificate.certificate),
                field=self._field, appearance=look,
                **self.model._sign_options(external=True), **kwargs)
        except pades.Error as e:
            raise SigningError(gettext('mvp_signing.msg_sign_failed',
                    file=document.file_name),
                described(e, file=document.file_name)) from e
        with without_check_access():
            Pool().get('mvp.signing.pending').keep(
                document, certificate, pending)
        self.external.request = json.dumps(pending.request()).encode()
        self.external.request_name = f'request-{document.id}.json'
        return 'external'

    def end(self):
        Pending = Pool().get('mvp.signing.pending')
        with without_check_access():
            for document in self.records:
                Pending.forget(document)

    def default_external(self, fields):
        # what _prepare left in the session
        return {
            'request': self.external.request,
            'request_name': self.external.request_name,
            }

    def transition_finish(self):
        Pending = Pool().get('mvp.signing.pending')
        certificate = self.start.certificate
        documents = self.model.browse(self.records)

        def act(wrote):
            self.model._check_signing(documents, certificate, self.kind)
            document, = documents
            with without_check_access():
                pending = Pending.get(document, certificate)
                if not pending.pdf.startswith(bytes(document.file.data)):
                    raise SigningError(gettext(
                            'mvp_signing.msg_external_changed',
                            document=document.rec_name))
            check_file_size(self.external.answer,
                self.external.answer_name or '')
            try:
                answer = json.loads(bytes(self.external.answer or b''))
            except ValueError:
                answer = bytes(self.external.answer or b'')
            try:
                signed = pades.finish(pending, answer,
                    trust=self.model._sign_options().get('trust', ()))
            except pades.Error as e:
                raise SigningError(gettext('mvp_signing.msg_sign_failed',
                        file=document.file_name),
                    described(e, file=document.file_name)) from e
            self._finish(document, certificate, signed, wrote)
            with without_check_access():
                Pending.forget(document)
            return 'end'
        return self._attempt(documents, certificate, act)


class SignApprove(SignWizard):
    "Sign and approve an outgoing document"
    __name__ = 'mvp.document.outgoing.sign'
    kind = 'personal'
    _field = PERSONAL_FIELD

    def _sign(self, documents, certificate, signer, wrote):
        self.model.sign_and_approve(documents, certificate, signer, wrote)

    def _external_input(self, document, certificate):
        with without_check_access():
            data = document.file.data
        return data, appearance.Personal(bytes(certificate.image)), {
            'location': document._agency_name()}

    def _finish(self, document, certificate, signed, wrote):
        Outgoing = self.model
        report = check(signed, document.file_name)
        Outgoing._check_report(report, document.file_name)
        wrote.append(True)
        Outgoing._store_signed([(document, signed, report)])
        Outgoing._approve_signed([document])
        Outgoing.log([document], 'sign', certificate.rec_name)


class SignIssue(SignWizard):
    "Issue an outgoing document with the organisation signature"
    __name__ = 'mvp.document.outgoing.issue_sign'
    kind = 'organisation'
    _field = ORGANISATION_FIELD

    def _sign(self, documents, certificate, signer, wrote):
        self.model.issue_and_stamp(documents, certificate, signer, wrote)

    def default_start(self, fields):
        values = super().default_start(fields)
        if len(self.records) == 1:
            number_symbol, date = self.record.next_number()
            values.update(number_symbol=number_symbol, issue_date=date)
        return values

    def _prepare(self, documents, certificate):
        # The seal's appearance carries the number, which another issue may
        # take while a signer outside the server answers: it cannot wait for
        # them. Organisation keys live on the server (PKCS#12
        # or an HSM).
        raise SigningError(gettext('mvp_signing.msg_external_issue',
                certificate=certificate.rec_name))
