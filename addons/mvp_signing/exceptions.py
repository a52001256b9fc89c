import logging

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model.exceptions import ValidationError

logger = logging.getLogger(__name__)


class CertificateError(ValidationError):
    pass


class SigningError(UserError):
    pass


class VerificationError(UserError):
    pass


# why signing failed, by the reason code of keys and pades errors
KEY_REASONS = {
    'damaged': 'mvp_signing.msg_key_damaged',
    'missing': 'mvp_signing.msg_key_missing',
    'pin_locked': 'mvp_signing.msg_key_pin_locked',
    'secret': 'mvp_signing.msg_key_secret',
    'token': 'mvp_signing.msg_key_token',
    'unsupported': 'mvp_signing.msg_key_unsupported',
    }
PDF_REASONS = {
    'damaged': 'mvp_signing.msg_pdf_damaged',
    'encrypted': 'mvp_signing.msg_pdf_encrypted',
    'javascript': 'mvp_signing.msg_pdf_javascript',
    'not_pdf': 'mvp_signing.msg_pdf_not_pdf',
    'too_large': 'mvp_signing.msg_pdf_too_large',
    'too_many_pages': 'mvp_signing.msg_pdf_too_many_pages',
    'too_many_objects': 'mvp_signing.msg_pdf_too_many_objects',
    'too_many_signatures': 'mvp_signing.msg_pdf_too_many_signatures',
    'too_inflated': 'mvp_signing.msg_pdf_too_inflated',
    'too_slow': 'mvp_signing.msg_pdf_too_slow',
    'too_complex': 'mvp_signing.msg_pdf_too_complex',
    }
SIGNING_REASONS = {
    'configuration': 'mvp_signing.msg_signing_configuration',
    'external': 'mvp_signing.msg_signing_external',
    'failed': 'mvp_signing.msg_signing_failed',
    }


def described(error, **names):
    """Why a keys or pades error happened, in the user's language (names
    fill the message: file, certificate). The error's own text is English
    and may name server paths: it goes to the server's log only."""
    from . import keys, pades
    logger.info("signing: %s", error)
    reason = getattr(error, 'reason', 'failed')
    if isinstance(error, keys.KeyUnavailable):
        reasons = KEY_REASONS
    elif isinstance(error, pades.Unreadable) or reason in {
            'encrypted', 'javascript'}:
        reasons = PDF_REASONS
    else:
        reasons = SIGNING_REASONS
    return gettext(
        reasons.get(reason, SIGNING_REASONS['failed']), **names)
