import json

from trytond.exceptions import UserError
from trytond.i18n import gettext
from trytond.model import fields
from trytond.model.exceptions import ValidationError


class InteropError(UserError):
    pass


class PeerError(ValidationError):
    pass


class Refusal(Exception):
    """Why a received packet cannot be taken, as an ir.message of the module
    and its values: kept on the packet, said in each reader's language"""

    def __init__(self, message_id, **values):
        self.message_id = message_id
        self.values = values
        super().__init__(message_id, values)


class ErrorMixin:
    """The last error of a record, kept as its message id and values so
    that each user reads it in their own language"""
    __slots__ = ()

    error_message = fields.Char("Error Message", readonly=True)
    error_values = fields.Text("Error Values", readonly=True)
    error = fields.Function(fields.Text("Error"), 'get_error')

    def get_error(self, name):
        if not self.error_message:
            return None
        try:
            values = json.loads(self.error_values or '{}')
        except ValueError:
            values = {}
        if self.error_message == 'text':
            return values.get('text')
        try:
            return gettext(self.error_message, **values)
        except (KeyError, ValueError, TypeError):
            return gettext(self.error_message)

    def set_error(self, message_id=None, text=None, **values):
        "Keep the error message_id (module.id) with values, or a text"
        if message_id is None and text is None:
            self.error_message = self.error_values = None
            return
        if message_id is None:
            message_id, values = 'text', {'text': str(text)}
        elif '.' not in message_id:
            message_id = 'mvp_interop.' + message_id
        self.error_message = message_id
        self.error_values = json.dumps(
            {k: v if isinstance(v, (int, float)) else str(v)
                for k, v in values.items()}, ensure_ascii=False)
