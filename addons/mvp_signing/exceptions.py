from trytond.exceptions import UserError
from trytond.model.exceptions import ValidationError


class CertificateError(ValidationError):
    pass


class SigningError(UserError):
    pass


class VerificationError(UserError):
    pass
