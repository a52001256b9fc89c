from trytond.model import ModelSingleton, ModelSQL, ModelView, fields
from trytond.pyson import Eval

from . import pades

LEVELS = [(level, level) for level in pades.LEVELS]


class Configuration(ModelSingleton, ModelSQL, ModelView):
    "Signing settings of the province"
    __name__ = 'mvp.signing.configuration'
    __string__ = "Signing Configuration"

    level = fields.Selection(
        LEVELS, "Signature Level", required=True, sort=False,
        help="PAdES level of the signatures made here: B-T adds a trusted "
        "timestamp, B-LT also embeds the revocation data.")
    tsa_url = fields.Char(
        "Timestamp Server",
        states={'required': Eval('level') != 'B-B'},
        help="RFC 3161 time-stamping service, needed from level B-T.")
    fetch = fields.Boolean(
        "Check Revocation Online",
        help="Ask the certification authorities (OCSP, CRL) whether "
        "certificates are revoked; otherwise use the data in the file.")
    timeout = fields.Integer(
        "Timeout", required=True,
        help="Seconds to wait for a certification or timestamp service.")

    @classmethod
    def default_level(cls):
        return 'B-B'

    @classmethod
    def default_fetch(cls):
        return True

    @classmethod
    def default_timeout(cls):
        return 5
