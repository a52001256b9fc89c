from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class IdentifierError(ValidationError):
    pass


class RegisterError(UserError):
    pass


class CalendarError(ValidationError):
    pass


class DocumentError(ValidationError):
    pass


class ImmutableError(AccessError):
    pass


class AssignmentError(ValidationError):
    pass


class EncodingError(ValidationError):
    pass


class FileSizeError(ValidationError):
    pass


class OutageError(ValidationError):
    pass


class BackfillError(ValidationError):
    pass


class SupportError(ValidationError):
    pass
