"""Each agency's connection to the national axis: where it is, the
credentials the axis operator gave the agency, how to check its TLS
certificate, how long to wait and how to retry.

The provincial administrator keeps every agency's, an agency administrator
their own (record rules); the secret key is readable by administrators
only (field access), and the connector reads it as the system.
"""
import datetime as dt
import logging

from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, without_check_access

from . import axis
from .exceptions import ErrorMixin, InteropError

logger = logging.getLogger(__name__)

# Packets fetched by one poll of one agency at most: the rest wait for the
# next one, so that a backlog never makes one endless transaction.
POLL_LIMIT = 100


class Account(ErrorMixin, DeactivableMixin, ModelSQL, ModelView):
    "Connection of an agency to the national document exchange axis"
    __name__ = 'mvp.interop.account'
    __string__ = "Axis Connection"
    _rec_name = 'url'

    company = fields.Many2One(
        'company.company', "Agency", required=True, ondelete='CASCADE')
    code = fields.Function(
        fields.Char("Identifier Code"), 'get_code')
    url = fields.Char(
        "Axis Address", required=True,
        help="The web service of the axis, e.g. https://truc.example.gov.vn/"
        "vxp/api.")
    system_id = fields.Char(
        "System ID", required=True,
        help="How the axis knows this agency's system, given by its "
        "operator.")
    secret = fields.Char(
        "Secret Key", strip=False,
        help="Given by the operator of the axis with the system ID.")
    verify = fields.Boolean(
        "Verify Certificate",
        help="Check the TLS certificate of the axis; leave on except on a "
        "test axis.")
    ca_bundle = fields.Char(
        "Certificate Authorities",
        states={'invisible': ~Eval('verify', True)},
        help="File on the server of the authorities (PEM) that issue the "
        "axis's certificate; empty for the system's own.")
    timeout = fields.Integer(
        "Timeout", required=True,
        help="Seconds to wait for an answer of the axis.")
    retry_delay = fields.Integer(
        "First Retry", required=True,
        help="Seconds before sending again what the axis did not take; "
        "the wait doubles at each failure.")
    retry_max = fields.Integer(
        "Longest Wait", required=True,
        help="Seconds at most between two attempts.")
    last_poll = fields.DateTime("Last Received", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('company_unique', Unique(t, t.company),
                'mvp_interop.msg_account_company_unique'),
            ]
        cls.error.string = "Last Error"
        cls._buttons.update({
                'check': {},
                'receive': {
                    'invisible': ~Eval('active', True),
                    'depends': ['active'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_verify(cls):
        return True

    @classmethod
    def default_timeout(cls):
        return 30

    @classmethod
    def default_retry_delay(cls):
        return 30

    @classmethod
    def default_retry_max(cls):
        return 3600

    def get_rec_name(self, name):
        return self.company.rec_name if self.company else self.url

    @classmethod
    def search_rec_name(cls, name, clause):
        return ['OR', ('company.rec_name', *clause[1:]),
            ('url', *clause[1:])]

    @classmethod
    def get_code(cls, accounts, name):
        Unit = Pool().get('mvp.unit')
        with without_check_access():
            units = Unit.search([
                    ('company', 'in', [a.company.id for a in accounts]),
                    ])
        codes = {u.company.id: u.identifier for u in units}
        return {a.id: codes.get(a.company.id) for a in accounts}

    @classmethod
    def of(cls, company):
        "The active connection of company, or None"
        with without_check_access():
            accounts = cls.search([
                    ('company', '=', int(company)),
                    ('active', '=', True),
                    ], limit=1)
        return accounts[0] if accounts else None

    def client(self):
        with without_check_access():
            account = self.__class__(self.id)
            verify = (account.ca_bundle or True) if account.verify else False
            return axis.Client(account.url, account.system_id,
                account.secret or '', verify=verify,
                timeout=account.timeout or 30,
                connect_timeout=min(account.timeout or 30, 10))

    def retry_after(self, attempt):
        "Seconds to wait after the failed attempt number attempt"
        return axis.delay(attempt, max(self.retry_delay or 1, 1),
            max(self.retry_max or 1, 1))

    @classmethod
    @ModelView.button
    def check(cls, accounts):
        "Ask the axis for its directory: the address and the keys work"
        for account in accounts:
            try:
                account.client().agencies()
            except axis.AxisError as e:
                raise InteropError(gettext(
                        'mvp_interop.msg_account_check_failed',
                        account=account.rec_name),
                    gettext('mvp_interop.' + e.message_id, **e.params)) \
                    from e

    @classmethod
    @ModelView.button
    def receive(cls, accounts):
        "Receive now what waits on the axis"
        cls.poll(accounts)

    @classmethod
    def poll(cls, accounts=None):
        """Receive what waits on the axis for each active connection (the
        cron's job): store each packet raw, have it processed, and tell the
        axis it is taken once stored for good"""
        Inbox = Pool().get('mvp.interop.inbox')
        if accounts is None:
            with without_check_access():
                accounts = cls.search([('active', '=', True)])
        with without_check_access():
            for account in cls.browse(accounts):
                account._poll()
            Inbox.resume()

    def _poll(self, limit=POLL_LIMIT):
        Inbox = Pool().get('mvp.interop.inbox')
        client = self.client()
        stored, skipped = [], None
        try:
            # What earlier polls stored is committed: the axis can forget
            # it. What this poll stores is told at the next one.
            Inbox.acknowledge(self, client)
            waiting = [item for kind in axis.KINDS
                for item in client.received(kind)]
            known = {p.axis_id for p in Inbox.search([
                        ('account', '=', self.id),
                        ('axis_id', 'in', [i['doc_id'] for i in waiting]),
                        ])}
            for item in waiting:
                if item['doc_id'] in known:
                    continue
                if len(stored) >= limit:
                    break
                try:
                    data = client.fetch(item['doc_id'])
                except axis.AxisError as e:
                    if e.message_id not in {axis.ANSWER, axis.REFUSED}:
                        raise
                    # this one cannot be had (too large, refused): the
                    # others are not held up behind it
                    logger.warning("cannot fetch %s from %s: %s",
                        item['doc_id'], self.url, e)
                    skipped = e
                    continue
                stored.append(Inbox.store(self, item, data))
                known.add(item['doc_id'])
        except axis.AxisError as e:
            logger.info("polling %s: %s", self.url, e)
            skipped = e
        if skipped:
            self.set_error(skipped.message_id, **skipped.params)
        else:
            self.set_error()
        self.last_poll = dt.datetime.now()
        self.save()
        Inbox.enqueue(stored)
        return stored
