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


def described(error, **names):
    """Why a keys or pades error happened, in the user's language (names
    fill the message: file, certificate). The error's own text is English
    and may name server paths: it goes to the server's log only."""
    from . import keys, pades
    logger.info("signing: %s", error)
    reason = getattr(error, 'reason', 'failed')
    if isinstance(error, keys.KeyUnavailable):
        message = f'msg_key_{reason}'
    elif isinstance(error, pades.Unreadable) or reason in {
            'encrypted', 'javascript'}:
        message = f'msg_pdf_{reason}'
    else:
        message = f'msg_signing_{reason}'
    return gettext(f'mvp_signing.{message}', **names)
