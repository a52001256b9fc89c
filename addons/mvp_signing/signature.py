"""Verification results, one record per signature of a document's file, and
the audit of signing."""
import datetime as dt
import hashlib
import logging
import threading
from collections import defaultdict
from itertools import groupby
from contextlib import contextmanager

from trytond import backend, config
from trytond.i18n import gettext
from trytond.ir.resource import ResourceAccessMixin
from trytond.model import ModelSQL, ModelView, fields
from trytond.modules.mvp_documents.access import (
    ResourceCheckMixin, RuleCheckMixin)
from trytond.pool import Pool
from trytond.transaction import Transaction, without_check_access

from trytond.modules.mvp_documents.document import max_file_size

from . import pades, sandbox
from .exceptions import VerificationError, described

logger = logging.getLogger(__name__)

# Reason codes of pades.verify, each with its message.
REASONS = {
    'tampered': 'mvp_signing.msg_reason_tampered',
    'bad_signature': 'mvp_signing.msg_reason_bad_signature',
    'revoked': 'mvp_signing.msg_reason_revoked',
    'expired': 'mvp_signing.msg_reason_expired',
    'untrusted': 'mvp_signing.msg_reason_untrusted',
    'bad_timestamp': 'mvp_signing.msg_reason_bad_timestamp',
    'modified': 'mvp_signing.msg_reason_modified',
    'partial_coverage': 'mvp_signing.msg_reason_partial_coverage',
    'rejected': 'mvp_signing.msg_reason_rejected',
    'unreadable_signature': 'mvp_signing.msg_reason_unreadable_signature',
    }
COVERAGES = [
    (None, ""),
    ('entire_file', "Entire File"),
    ('entire_revision', "Signed Revision Only"),
    ('partial', "Part of the File"),
    ]

_known = threading.local()


@contextmanager
def known(reports):
    """Reports ({file digest: report}) already made in this call, so that
    storing the file does not verify it again"""
    previous = getattr(_known, 'reports', {})
    _known.reports = {**previous, **reports}
    try:
        yield
    finally:
        _known.reports = previous


def looks_pdf(data, name=None):
    return (b'%PDF-' in bytes(data[:1024])
        or (name or '').lower().endswith('.pdf'))


def digest(data):
    return hashlib.sha256(bytes(data)).hexdigest()


# [mvp_signing] options giving pades.Limits
LIMIT_OPTIONS = {
    'pages': 'max_pages', 'objects': 'max_objects',
    'signatures': 'max_signatures', 'inflated': 'max_inflated',
    'time': 'verify_time', 'memory': 'verify_memory',
    }
SANDBOX_REASONS = {'time': 'too_slow', 'memory': 'too_complex',
    'crash': 'too_complex'}


def limits():
    "pades.Limits of the server configuration"
    return pades.Limits(**{field: config.getint('mvp_signing', option,
                default=getattr(pades.LIMITS, field))
            for field, option in LIMIT_OPTIONS.items()})


def check(data, name=None):
    """pades.verify's report on data against the configured trust; None when
    it is not a PDF (nothing to verify, unsigned). VerificationError, in
    plain words, when the file cannot be accepted. The file is read in a
    sandbox, bounded in time and memory (see `limits`)."""
    pool = Pool()
    Configuration = pool.get('mvp.signing.configuration')
    Trust = pool.get('mvp.signing.trust')
    if not data or not looks_pdf(data, name):
        return None
    name = name or ''
    limit = max_file_size()
    if len(data) > limit:
        raise VerificationError(gettext('mvp_signing.msg_pdf_too_large',
                file=name, size=round(len(data) / 2 ** 20, 1),
                limit=round(limit / 2 ** 20, 1)))
    roots, others = Trust.anchors()
    configuration = Configuration(1)
    bounds = limits()
    try:
        try:
            report = sandbox.run(pades.verify, [bytes(data), roots], {
                    'others': others, 'fetch': bool(configuration.fetch),
                    'timeout': configuration.timeout or 5,
                    'max_size': limit, 'limits': bounds,
                    }, time=bounds.time, memory=bounds.memory)
        except sandbox.Limit as e:
            raise pades.Unreadable(str(e), SANDBOX_REASONS[e.reason]) from e
    except pades.Unreadable as e:
        raise VerificationError(described(e, file=name)) from e
    if report['javascript']:
        raise VerificationError(gettext(
                'mvp_signing.msg_pdf_javascript', file=name))
    return report


def check_upload(data, name=None):
    "{digest: report} of an uploaded file, checked; {} if not a PDF"
    report = check(data, name)
    return {digest(data): report} if report is not None else {}


def explain(reasons):
    "The reason codes in plain words, one line each"
    lines = []
    for code in reasons:
        if code in REASONS:
            lines.append(gettext(REASONS[code]))
        else:
            lines.append(code)
    return '\n'.join(lines)


def _moment(value):
    if not value:
        return None
    return dt.datetime.fromisoformat(value).astimezone(
        dt.timezone.utc).replace(tzinfo=None)


class FileSignatureMixin:
    "Verify every file set, before it is stored"
    __slots__ = ()

    @classmethod
    def set_file_data(cls, records, name, value):
        reports = {}
        if value:
            reports = check_upload(value, records[0].file_name)
        with known(reports):
            super().set_file_data(records, name, value)

    @classmethod
    def on_modification(cls, mode, records, field_names=None):
        super().on_modification(mode, records, field_names=field_names)
        Signature = Pool().get('mvp.signature')
        if mode == 'create' or (mode == 'write' and 'file' in field_names):
            cls._signatures_updated(records, Signature.update(records))
        elif mode == 'delete':
            with without_check_access():
                Signature.delete(Signature.search([
                            ('resource', 'in', [str(r) for r in records]),
                            ]))

    @classmethod
    def _signatures_updated(cls, records, statuses):
        pass


class Signature(
        ResourceCheckMixin, RuleCheckMixin, ResourceAccessMixin, ModelSQL,
        ModelView):
    "Digital signature found on a document, as verified"
    __name__ = 'mvp.signature'
    __string__ = "Signature"

    file = fields.Many2One(
        'mvp.document.file', "File", readonly=True, ondelete='CASCADE',
        help="The version of the file that was verified.")
    sequence = fields.Integer("Order", readonly=True)
    field_name = fields.Char("Signature Field", readonly=True)
    signer = fields.Char("Signer", readonly=True)
    subject = fields.Char("Subject", readonly=True)
    issuer = fields.Char("Issuer", readonly=True)
    serial = fields.Char("Serial Number", readonly=True)
    certificate = fields.Many2One(
        'mvp.signing.certificate', "Registered Certificate", readonly=True,
        ondelete='SET NULL',
        help="The certificate of this system's register that signed, if any.")
    signing_time = fields.DateTime("Signing Time", readonly=True)
    timestamped = fields.Boolean(
        "Trusted Timestamp", readonly=True,
        help="A time-stamping authority proves the signing time.")
    level = fields.Char("Level", readonly=True)
    coverage = fields.Selection(
        COVERAGES, "Coverage", readonly=True, sort=False)
    intact = fields.Boolean(
        "Intact", readonly=True,
        help="The signed content has not changed since signing.")
    trusted = fields.Boolean(
        "Trusted", readonly=True,
        help="The certificate leads to a trusted certification authority.")
    revoked = fields.Boolean("Revoked", readonly=True)
    expired = fields.Boolean("Expired", readonly=True)
    status = fields.Selection([
            ('valid', "Valid"),
            ('invalid', "Not Valid"),
            ], "Result", readonly=True, sort=False)
    reasons = fields.Char("Reason Codes", readonly=True)
    explanation = fields.Function(
        fields.Text("Explanation"), 'get_explanation')
    verified_at = fields.DateTime("Verified", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.resource.string = "Document"
        cls._order = [
            ('resource', 'ASC'), ('sequence', 'ASC'), ('id', 'ASC')]

    @staticmethod
    def get_models():
        Model = Pool().get('ir.model')
        return [(m, Model.get_name(m)) for m in [
                'mvp.document.incoming', 'mvp.document.outgoing',
                'mvp.document.annex']]

    def get_rec_name(self, name):
        return self.signer or self.field_name or str(self.id)

    def get_explanation(self, name):
        if self.status == 'valid':
            return gettext('mvp_signing.msg_signature_valid')
        return explain((self.reasons or '').split())

    @classmethod
    def status_of(cls, signatures):
        "'valid', 'invalid' or 'unsigned' for the signatures of one file"
        if not signatures:
            return 'unsigned'
        if all(s.status == 'valid' for s in signatures):
            return 'valid'
        return 'invalid'

    @classmethod
    def update(cls, records):
        """Verify the files of records (documents or annexes), each file
        once however many records hold it, and store the results.

        Returns {record: 'valid' | 'invalid' | 'unsigned'}."""
        Certificate = Pool().get('mvp.signing.certificate')
        reports = getattr(_known, 'reports', {})
        holders = defaultdict(list)
        statuses = {}
        for record in records:
            if record.file:
                holders[record.file].append(record)
            else:
                statuses[record] = 'unsigned'
        now = dt.datetime.now()
        to_create = []
        with without_check_access():
            cls.delete(cls.search([
                        ('resource', 'in', [str(r) for r in records]),
                        ]))
            for file, documents in holders.items():
                report = reports.get(file.digest)
                if report is None:
                    report = check(file.data, file.name)
                status = report['status'] if report else 'unsigned'
                results = report['signatures'] if report else []
                certificates = {}
                for result in results:
                    found = Certificate.search([
                            ('serial', '=', result.get('serial')),
                            ('issuer', '=', result.get('issuer')),
                            ], limit=1) if result.get('serial') else []
                    certificates[result.get('serial')] = (
                        found[0].id if found else None)
                for document in documents:
                    statuses[document] = status
                    for index, result in enumerate(results):
                        to_create.append(cls._result_values(
                                document, file, index, result,
                                certificates.get(result.get('serial')), now))
            cls.create(to_create)
        return statuses

    @classmethod
    def _result_values(cls, resource, file, index, result, certificate, now):
        return {
            'resource': str(resource),
            'file': file.id,
            'sequence': index + 1,
            'field_name': result.get('field'),
            'signer': result.get('signer'),
            'subject': result.get('subject'),
            'issuer': result.get('issuer'),
            'serial': result.get('serial'),
            'certificate': certificate,
            'signing_time': _moment(result.get('signing_time')),
            'timestamped': bool(result.get('timestamped')),
            'level': result.get('level'),
            'coverage': result.get('coverage'),
            'intact': bool(result.get('intact')),
            'trusted': bool(result.get('trusted')),
            'revoked': bool(result.get('revoked')),
            'expired': bool(result.get('expired')),
            'status': 'valid' if result.get('valid') else 'invalid',
            'reasons': ' '.join(result.get('reasons', [])),
            'verified_at': now,
            }


def audit_failure(records, target, wrote=False):
    """Log a failed signing attempt so that it outlives the attempt's
    rollback: in a transaction of its own.

    `wrote`: the attempt has written already. SQLite holds one writer at a
    time, so there the new transaction would wait for the attempt's lock;
    the server log keeps those few instead (numbering failing after the
    number was taken)."""
    transaction = Transaction()
    if wrote and backend.name == 'sqlite':
        logger.warning("signing failed, user %s: %s %s",
            transaction.user, [str(r) for r in records], target)
        return
    try:
        with transaction.new_transaction() as new:
            # browsed again: Model.log keeps an entry with its record's
            # transaction, which the attempt's rollback would drop
            for Model, ids in groupby(
                    sorted((r.__name__, r.id) for r in records),
                    key=lambda r: r[0]):
                Model = Pool().get(Model)
                Model.log(Model.browse([i for _, i in ids]), 'sign_failed',
                    target)
            new.commit()
    except Exception:
        logger.critical("cannot log failed signing of %s: %s",
            [str(r) for r in records], target, exc_info=True)
