"""The certificate register (Art. 10.3-10.4) and the trust roots.

Certificates are registered per agency: personal ones held by a person,
organisation ones used by the agency's clerks. The register says where the
key lives; the passphrase or PIN that opens it is never stored, it is asked
for each time someone signs.
"""
import datetime as dt
import hashlib
import re
from contextlib import contextmanager

from asn1crypto import x509

from trytond import config
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, Workflow, fields)
from trytond.modules.mvp_documents.access import RuleCheckMixin
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from trytond.modules.mvp_documents.document import BoundedFilesMixin
from trytond.modules.mvp_documents.vntext import fold

from . import keys, pades
from .exceptions import CertificateError, SigningError, described

KINDS = [
    ('personal', "Personal"),
    ('organisation', "Organisation"),
    ]
STATUSES = [
    ('active', "Active"),
    ('suspended', "Suspended"),
    ('revoked', "Revoked"),
    ('expired', "Expired"),
    ]
KEY_STORAGES = [
    ('pkcs12', "PKCS#12 File"),
    ('pkcs11', "PKCS#11 Token or HSM"),
    ('external', "External Signer"),
    ]


def key_directory():
    "The directory of the PKCS#12 files, from the server configuration"
    return config.get('mvp_signing', 'key_directory') or None


def pkcs11_libraries():
    "The PKCS#11 libraries the server configuration allows, in its order"
    value = config.get('mvp_signing', 'pkcs11_libraries', default='')
    return [p.strip() for p in re.split(r'[,\n]', value) if p.strip()]


# Agency names as certificates often abbreviate them.
_ABBREVIATIONS = [
    (re.compile(r'\bubnd\b'), 'uy ban nhan dan'),
    (re.compile(r'\bhdnd\b'), 'hoi dong nhan dan'),
    ]


def _name_key(name):
    key = fold(name or '')
    for abbreviation, full in _ABBREVIATIONS:
        key = abbreviation.sub(full, key)
    return key


def names_agency(subject, name, identifier):
    """Whether the certificate subject (an asn1crypto Name) is the agency's:
    its organisation or common name is the agency's name, diacritics, case
    and the abbreviations UBND, HĐND aside, or one of its attributes carries
    the agency's identifier code (e.g. organizationIdentifier; where the
    Government CA puts the code is not known, so any attribute is read)"""
    native = subject.native
    values = [v for v in native.values() if isinstance(v, str)]
    if identifier and any(identifier in v for v in values):
        return True
    wanted = _name_key(name)
    return bool(wanted) and any(_name_key(native.get(k)) == wanted
        for k in ('organization_name', 'common_name'))


def names_person(subject, name):
    "Whether the certificate subject's common name is the person's name"
    common = subject.native.get('common_name')
    return bool(name) and fold(common or '') == fold(name)


def _naive_utc(moment):
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None)


def parse(data):
    """The values a certificate record keeps of a certificate, DER or PEM;
    CertificateError if it is not one"""
    try:
        cert, = pades.load_certs([bytes(data)])
        tbs = cert['tbs_certificate']
        values = {
            'name': (cert.subject.native.get('common_name')
                or cert.subject.human_friendly),
            'subject': cert.subject.human_friendly,
            'issuer': cert.issuer.human_friendly,
            'serial': format(cert.serial_number, 'x'),
            'valid_from': _naive_utc(tbs['validity']['not_before'].native),
            'valid_to': _naive_utc(tbs['validity']['not_after'].native),
            'ca': bool(cert.ca),
            }
    except (pades.Error, ValueError, TypeError):
        raise CertificateError(gettext('mvp_signing.msg_certificate_invalid'))
    der = cert.dump()
    values['certificate'] = der
    values['fingerprint'] = hashlib.sha256(der).hexdigest()
    return values


class CertificateMixin(BoundedFilesMixin):
    "Certificate data read from the certificate itself"
    __slots__ = ()
    certificate = fields.Binary(
        "Certificate", required=True, filename='certificate_name',
        help="The certificate file, DER or PEM.")
    certificate_name = fields.Function(
        fields.Char("Certificate File Name"), 'get_certificate_name')
    name = fields.Char("Name", readonly=True)
    subject = fields.Char("Subject", readonly=True)
    issuer = fields.Char("Issuer", readonly=True)
    serial = fields.Char("Serial Number", readonly=True)
    fingerprint = fields.Char("SHA-256 Fingerprint", readonly=True)
    valid_from = fields.DateTime("Valid From", readonly=True)
    valid_to = fields.DateTime("Valid To", readonly=True)

    def get_certificate_name(self, name):
        return f'{self.serial or "certificate"}.cer'

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if values.get('certificate'):
            parsed = parse(values['certificate'])
            cls._check_parsed(parsed)
            parsed.pop('ca')
            values.update(parsed)
        return values

    @classmethod
    def _check_parsed(cls, parsed):
        pass


class Trust(DeactivableMixin, CertificateMixin, ModelSQL, ModelView):
    "Trusted certification authority"
    __name__ = 'mvp.signing.trust'
    __string__ = "Trusted Authority"

    kind = fields.Selection([
            ('root', "Root"),
            ('intermediate', "Intermediate"),
            ], "Kind", required=True, sort=False,
        help="Signatures are trusted when their chain leads to a root; "
        "intermediates help build chains that signers do not embed.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('fingerprint_unique', Unique(t, t.fingerprint),
                'mvp_signing.msg_trust_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def default_kind(cls):
        return 'root'

    @classmethod
    def _check_parsed(cls, parsed):
        if not parsed['ca']:
            raise CertificateError(gettext('mvp_signing.msg_trust_not_ca',
                    name=parsed['name']))

    @classmethod
    def anchors(cls):
        "(roots, intermediates) as DER, for verification"
        with without_check_access():
            records = cls.search([])
        roots = [bytes(r.certificate) for r in records if r.kind == 'root']
        others = [bytes(r.certificate) for r in records if r.kind != 'root']
        return roots, others


class Certificate(
        RuleCheckMixin, Workflow, CertificateMixin, ModelSQL, ModelView):
    "Digital signature certificate of a person or an agency"
    __name__ = 'mvp.signing.certificate'
    __string__ = "Certificate"

    kind = fields.Selection(
        KINDS, "Kind", required=True, sort=False,
        states={'readonly': Eval('id', -1) >= 0})
    company = fields.Many2One(
        'company.company', "Agency", required=True, ondelete='RESTRICT',
        states={'readonly': Eval('id', -1) >= 0})
    user = fields.Many2One(
        'res.user', "Holder", ondelete='RESTRICT',
        domain=[('companies', '=', Eval('company', -1))],
        states={
            'required': Eval('kind') == 'personal',
            'invisible': Eval('kind') != 'personal',
            'readonly': Eval('id', -1) >= 0,
            },
        help="The person the certificate was issued to.")
    status = fields.Selection(
        STATUSES, "Status", required=True, readonly=True, sort=False)
    revocation_requested = fields.Boolean(
        "Revocation Requested", readonly=True,
        help="The holder has left the agency or the post: the certificate "
        "can no longer sign and must be revoked by its authority.")
    revocation_requested_date = fields.DateTime(
        "Revocation Requested On", readonly=True,
        states={'invisible': ~Eval('revocation_requested')})
    key_storage = fields.Selection(
        KEY_STORAGES, "Key Storage", required=True, sort=False)
    pkcs12_path = fields.Char(
        "Key File",
        states={
            'required': Eval('key_storage') == 'pkcs12',
            'invisible': Eval('key_storage') != 'pkcs12',
            },
        help="Path of the PKCS#12 file in the key directory of the server "
        "configuration. Its passphrase is asked for at each signing and "
        "never stored.")
    pkcs11_library = fields.Selection(
        'get_pkcs11_libraries', "PKCS#11 Library",
        states={
            'required': Eval('key_storage') == 'pkcs11',
            'invisible': Eval('key_storage') != 'pkcs11',
            },
        help="One of the libraries the server configuration allows.")
    pkcs11_token = fields.Char(
        "Token Label",
        states={'invisible': Eval('key_storage') != 'pkcs11'})
    pkcs11_key = fields.Char(
        "Key Label",
        states={
            'required': Eval('key_storage') == 'pkcs11',
            'invisible': Eval('key_storage') != 'pkcs11',
            },
        help="The PIN is asked for at each signing and never stored.")
    image = fields.Binary(
        "Appearance Image",
        help="Transparent PNG: the handwritten signature (blue) of a "
        "person, the seal (red, actual size) of an agency.")
    can_sign = fields.Function(
        fields.Boolean("Can Sign"), 'get_can_sign')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('fingerprint_unique', Unique(t, t.fingerprint),
                'mvp_signing.msg_certificate_unique'),
            ]
        cls._order = [('valid_to', 'DESC'), ('id', 'DESC')]
        cls._transition_state = 'status'
        cls._transitions |= {
            ('active', 'suspended'),
            ('suspended', 'active'),
            ('active', 'revoked'),
            ('suspended', 'revoked'),
            ('active', 'expired'),
            ('suspended', 'expired'),
            }
        cls._buttons.update({
                'suspend': {
                    'invisible': Eval('status') != 'active',
                    'depends': ['status'],
                    },
                'activate': {
                    'invisible': ((Eval('status') != 'suspended')
                        | Eval('revocation_requested', False)),
                    'depends': ['status', 'revocation_requested'],
                    },
                'revoke': {
                    'invisible': ~Eval('status').in_(['active', 'suspended']),
                    'depends': ['status'],
                    },
                })

    @classmethod
    def default_status(cls):
        return 'active'

    @classmethod
    def default_kind(cls):
        return 'personal'

    @classmethod
    def default_key_storage(cls):
        return 'pkcs12'

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_revocation_requested(cls):
        return False

    @classmethod
    def get_pkcs11_libraries(cls):
        return [(None, '')] + [(p, p) for p in pkcs11_libraries()]

    def get_rec_name(self, name):
        return f'{self.name} ({self.serial})'

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, operand, *extra = clause
        bool_op = 'AND' if operator.startswith('!') else 'OR'
        return [bool_op,
            ('name', operator, operand, *extra),
            ('serial', operator, operand, *extra),
            ]

    def get_can_sign(self, name):
        "Whether it can sign today, for its holder or one of the clerks"
        if self.kind == 'personal':
            return self.usable_error(self.user) is None
        return self._state_error() is None

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        # Key material only from where the server configuration says: the
        # server opens these files and loads these libraries.
        if values.get('pkcs12_path'):
            try:
                _, values['pkcs12_path'] = keys.key_file(
                    values['pkcs12_path'], key_directory())
            except keys.KeyPathError as e:
                raise CertificateError(gettext(
                        f'mvp_signing.msg_key_file_{e.reason}',
                        path=values['pkcs12_path'])) from e
        library = values.get('pkcs11_library')
        if library and library not in pkcs11_libraries():
            raise CertificateError(gettext(
                    'mvp_signing.msg_pkcs11_library_not_allowed',
                    library=library))
        if (mode == 'create' and values.get('valid_to')
                and values['valid_to'] < dt.datetime.utcnow()):
            values['status'] = 'expired'
        return values

    @classmethod
    def check_modification(cls, mode, certificates, values=None,
            external=False):
        super().check_modification(
            mode, certificates, values=values, external=external)
        # A certificate is the one it was registered as; a new one is a new
        # record, so that signatures keep pointing at what signed them.
        if mode == 'write' and 'certificate' in values:
            raise CertificateError(gettext(
                    'mvp_signing.msg_certificate_replace'))

    @classmethod
    def validate_fields(cls, certificates, field_names):
        super().validate_fields(certificates, field_names)
        if field_names & {'certificate', 'kind', 'company', 'user'}:
            for certificate in certificates:
                certificate.check_subject()

    def check_subject(self):
        """CertificateError unless the certificate is the agency's (an
        organisation certificate) or its holder's, a person of the agency
        (a personal one)"""
        Unit = Pool().get('mvp.unit')
        subject = x509.Certificate.load(bytes(self.certificate)).subject
        if self.kind == 'organisation':
            agency = Unit.agency_of_company(self.company)
            if not agency or not names_agency(
                    subject, agency.name, agency.identifier):
                raise CertificateError(gettext(
                        'mvp_signing.msg_certificate_not_agency',
                        subject=self.subject,
                        agency=agency.name if agency else
                        self.company.rec_name))
        elif self.user:
            if self.company not in self.user.companies:
                raise CertificateError(gettext(
                        'mvp_signing.msg_certificate_holder_agency',
                        user=self.user.rec_name,
                        agency=self.company.rec_name))
            if not names_person(subject, self.user.name):
                raise CertificateError(gettext(
                        'mvp_signing.msg_certificate_not_holder',
                        subject=self.subject, user=self.user.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('suspended')
    def suspend(cls, certificates):
        keys.forget()

    @classmethod
    @ModelView.button
    @Workflow.transition('active')
    def activate(cls, certificates):
        pass

    @classmethod
    @ModelView.button
    @Workflow.transition('revoked')
    def revoke(cls, certificates):
        keys.forget()

    @classmethod
    def update_expired(cls):
        "Mark the certificates past their validity (scheduled)"
        now = dt.datetime.utcnow()
        expired = cls.search([
                ('status', 'in', ['active', 'suspended']),
                ('valid_to', '<', now),
                ])
        cls.expire(expired)

    @classmethod
    @Workflow.transition('expired')
    def expire(cls, certificates):
        pass

    @classmethod
    def flag_departures(cls, users):
        """Flag for revocation the personal certificates of people who left
        the agency of the certificate or were deactivated (Art. 10.4)"""
        now = dt.datetime.now()
        to_flag = []
        for user in users:
            companies = ({c.id for c in user.companies} if user.active
                else set())
            for certificate in cls.search([
                        ('user', '=', user.id),
                        ('kind', '=', 'personal'),
                        ('status', 'in', ['active', 'suspended']),
                        ('revocation_requested', '=', False),
                        ]):
                if certificate.company.id not in companies:
                    to_flag.append(certificate)
        if to_flag:
            cls.write(to_flag, {
                    'revocation_requested': True,
                    'revocation_requested_date': now,
                    })
            keys.forget()
            cls._notify_administrators(to_flag)
        return to_flag

    @classmethod
    def _notify_administrators(cls, certificates):
        "Tell the agency's and the province's administrators to revoke"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        province = ModelData.get_id('mvp_documents', 'group_admin_province')
        agency = ModelData.get_id('mvp_documents', 'group_admin_agency')
        for certificate in certificates:
            administrators = User.search(['OR',
                    ('groups', '=', province),
                    [('groups', '=', agency),
                        ('companies', '=', certificate.company.id)],
                    ])
            for administrator in administrators:
                cls.notify_user([certificate], 'tryton-warning',
                    gettext('mvp_signing.msg_certificate_to_revoke',
                        certificate=certificate.rec_name),
                    gettext('mvp_signing.msg_certificate_to_revoke_help'),
                    user=administrator.id)

    def usable_error(self, user=None):
        """Why the certificate cannot sign now for user (the current user
        by default), as a translated message; None if it can"""
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        if user is None:
            user = User(Transaction().user)
        error = self._state_error()
        if error:
            return error
        in_agency = user.active and self.company in user.companies
        if self.kind == 'personal':
            if self.user != user or not in_agency:
                return gettext('mvp_signing.msg_certificate_holder',
                    certificate=self.rec_name, user=user.rec_name)
        else:
            clerk = ModelData.get_id('mvp_documents', 'group_clerk')
            if not in_agency or clerk not in {g.id for g in user.groups}:
                return gettext('mvp_signing.msg_certificate_clerk',
                    certificate=self.rec_name, user=user.rec_name)

    def _state_error(self):
        "Why the certificate itself cannot sign today; None if it can"
        if self.revocation_requested:
            return gettext('mvp_signing.msg_certificate_revocation_requested',
                certificate=self.rec_name)
        if self.status != 'active':
            return gettext('mvp_signing.msg_certificate_status',
                certificate=self.rec_name,
                status=dict(self.fields_get(['status'])['status'][
                        'selection'])[self.status])
        now = dt.datetime.utcnow()
        if not (self.valid_from <= now <= self.valid_to):
            return gettext('mvp_signing.msg_certificate_validity',
                certificate=self.rec_name)

    def check_usable(self, user=None):
        error = self.usable_error(user)
        if error:
            raise SigningError(error)

    @contextmanager
    def signer(self, secret):
        """The pyHanko signer of the key, opened with secret (passphrase or
        PIN); SigningError if it cannot be used or is not this certificate's
        """
        try:
            if self.key_storage == 'pkcs12':
                yield self._checked(keys.load_pkcs12(
                        self._key_file(), secret or ''))
            elif self.key_storage == 'pkcs11':
                if self.pkcs11_library not in pkcs11_libraries():
                    raise SigningError(gettext(
                            'mvp_signing.msg_pkcs11_library_not_allowed',
                            library=self.pkcs11_library or ''))
                with keys.open_pkcs11(self.pkcs11_library,
                        token=self.pkcs11_token or None, pin=secret or '',
                        key=self.pkcs11_key) as signer:
                    yield self._checked(signer)
            else:
                raise SigningError(gettext(
                        'mvp_signing.msg_certificate_external',
                        certificate=self.rec_name))
        except keys.KeyUnavailable as e:
            raise SigningError(gettext(
                    'mvp_signing.msg_key_unavailable',
                    certificate=self.rec_name),
                described(e, certificate=self.rec_name)) from e

    def _key_file(self):
        "The key file's real path, checked again: links may have changed"
        try:
            path, _ = keys.key_file(self.pkcs12_path or '', key_directory())
        except keys.KeyPathError as e:
            raise SigningError(gettext(f'mvp_signing.msg_key_file_{e.reason}',
                    path=self.pkcs12_path or '')) from e
        return path

    def _checked(self, signer):
        # The key file could hold another certificate than the one
        # registered: it must not sign in the register's name.
        if signer.signing_cert.dump() != bytes(self.certificate):
            raise SigningError(gettext('mvp_signing.msg_key_mismatch',
                    certificate=self.rec_name))
        return signer

    @classmethod
    def candidates(cls, kind, company, user=None):
        "Certificates user may sign with for company now"
        domain = [
            ('kind', '=', kind),
            ('company', '=', company),
            ('status', '=', 'active'),
            ]
        if kind == 'personal':
            domain.append(('user', '=', user))
        User = Pool().get('res.user')
        with without_check_access():
            certificates = cls.search(domain)
            return [c for c in certificates
                if c.usable_error(User(user) if user else None) is None]
