from trytond.exceptions import UserError
from trytond.model.exceptions import AccessError, ValidationError


class PlanError(ValidationError):
    pass


class DossierError(ValidationError):
    pass


class FrozenError(AccessError):
    "The content of a closed dossier cannot change"


class PackageError(UserError):
    pass


class DisposalError(ValidationError):
    pass


class PermanentError(AccessError):
    "Nothing of a dossier kept permanently is ever removed"
