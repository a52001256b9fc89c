"""Authentication (Art. 4.4-4.5, 11.1): password policy, the second factor
(TOTP) of administrators and leaders where their agency requires it, and
the log of logins, failed logins and logouts.

The second factor is a Tryton login method, `_login_totp`, named in the
configuration after the password (`[session] authentications =
password+totp`): the web client asks for the code in the user's language
once the password is right. People who need no code pass it.
"""
import datetime as dt
import threading

from trytond import config
from trytond.exceptions import LoginException, RateLimitException, UserError
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Eval
from trytond.res.user import PasswordError
from trytond.tools import reduce_ids
from trytond.transaction import Transaction, without_check_access

from . import credentials

RESULTS = [
    ('success', "Logged In"),
    ('failure', "Wrong Password"),
    ('wrong_code', "Wrong Verification Code"),
    ('locked', "Locked Out"),
    ('logout', "Logged Out"),
    ('expired', "Session Expired"),
    ]
# Who needs the second factor where the agency requires it.
TWO_FACTOR_GROUPS = [
    'group_admin_province', 'group_admin_agency', 'group_leader']
ISSUER = "Văn phòng điện tử"

# Why the login being checked in this thread failed, when a method says.
_refusal = threading.local()
# Kept from the clients, read and written by the server only.
SECRETS = {'totp_secret', 'totp_pending', 'totp_step'}


class LoginEvent(ModelSQL, ModelView):
    "Login, failed login or logout, as the server saw it"
    __name__ = 'mvp.login.event'
    __string__ = "Login Event"
    _rec_name = 'login'

    date = fields.DateTime("Date", required=True, readonly=True)
    login = fields.Char("Login", readonly=True)
    user = fields.Many2One(
        'res.user', "User", readonly=True, ondelete='SET NULL')
    company = fields.Many2One(
        'company.company', "Agency", readonly=True, ondelete='SET NULL',
        help="The agency of the user at the time.")
    ip_address = fields.Char("IP Address", readonly=True)
    result = fields.Selection(RESULTS, "Result", required=True,
        readonly=True, sort=False)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [('date', 'DESC'), ('id', 'DESC')]

    @classmethod
    def record(cls, login, user_id, result):
        "Keep the event, with the transaction (committed on refusals too)"
        User = Pool().get('res.user')
        transaction = Transaction()
        ip_address, _ = transaction.remote_address()
        company = None
        if user_id:
            with without_check_access():
                user = User(user_id)
                login = login or user.login
                company = user.company or (
                    user.companies[0] if user.companies else None)
        with without_check_access():
            cls.create([{
                        'date': dt.datetime.now(),
                        'login': (login or '')[:512],
                        'user': user_id or None,
                        'company': company.id if company else None,
                        'ip_address': str(ip_address) if ip_address else None,
                        'result': result,
                        }])

    @classmethod
    def check_modification(cls, mode, events, values=None, external=False):
        super().check_modification(
            mode, events, values=values, external=external)
        if external:
            raise AccessError(gettext('mvp_documents.msg_login_event_readonly'))


class User(metaclass=PoolMeta):
    __name__ = 'res.user'

    totp_secret = fields.Char("Verification Key", strip=False)
    totp_pending = fields.Char("Pending Verification Key", strip=False)
    totp_step = fields.Integer("Last Verification Step")
    two_factor = fields.Function(
        fields.Boolean(
            "Two-Step Verification",
            help="A code from an authenticator app is asked at login after "
            "the password."),
        'get_two_factor')
    two_factor_required = fields.Function(
        fields.Boolean(
            "Two-Step Verification Required",
            help="The agency requires it of its administrators and "
            "leaders."),
        'get_two_factor')
    totp_setup = fields.Function(
        fields.Boolean(
            "Set Up Two-Step Verification",
            help="Tick, scan the code with an authenticator app (or type "
            "the key), enter the code it shows, then save."),
        'get_totp_setup')
    totp_qrcode = fields.Function(
        fields.Binary("QR Code",
            states={'invisible': ~Eval('totp_setup', False)}),
        'get_totp_setup')
    totp_key = fields.Function(
        fields.Char("Key",
            states={
                'invisible': ~Eval('totp_setup', False),
                'readonly': True,
                },
            help="For apps that cannot scan: type it in."),
        'get_totp_setup')
    totp_code = fields.Function(
        fields.Char("Code",
            states={
                'invisible': ~Eval('totp_setup', False),
                'required': Eval('totp_setup', False),
                },
            help="The 6 digits the app shows now."),
        'get_totp_setup')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._preferences_fields += [
            'two_factor', 'two_factor_required', 'totp_setup', 'totp_qrcode',
            'totp_key', 'totp_code']
        cls._buttons.update({
                'reset_two_factor': {
                    'invisible': ~Eval('two_factor', False),
                    'depends': ['two_factor'],
                    },
                })

    @classmethod
    def get_two_factor(cls, users, names):
        result = {}
        if 'two_factor' in names:
            # from the table: reads through RPC do not give the key
            table = cls.__table__()
            cursor = Transaction().connection.cursor()
            cursor.execute(*table.select(table.id, table.totp_secret,
                    where=reduce_ids(table.id, [u.id for u in users])))
            result['two_factor'] = {i: bool(s) for i, s in cursor}
        if 'two_factor_required' in names:
            result['two_factor_required'] = {
                u.id: u.needs_two_factor() for u in users}
        return result

    def get_totp_setup(self, name):
        return False if name == 'totp_setup' else None

    @fields.depends('totp_setup', 'login')
    def on_change_totp_setup(self):
        # A new key each time: it reaches the server again with the code.
        if self.totp_setup:
            secret = credentials.new_secret()
            self.totp_key = credentials.grouped(secret)
            self.totp_qrcode = credentials.qr_png(
                credentials.provisioning_uri(secret, self.login, ISSUER))
        else:
            self.totp_key = self.totp_qrcode = self.totp_code = None

    def needs_two_factor(self):
        "Whether one of the person's agencies requires a code of them"
        pool = Pool()
        ModelData = pool.get('ir.model.data')
        Unit = pool.get('mvp.unit')
        groups = {ModelData.get_id('mvp_documents', g)
            for g in TWO_FACTOR_GROUPS}
        if not groups & {g.id for g in self.groups}:
            return False
        with without_check_access():
            return bool(Unit.search([
                        ('company', 'in', [c.id for c in self.companies]),
                        ('two_factor', '=', True),
                        ], limit=1))

    @classmethod
    def validate_password(cls, password, users):
        super().validate_password(password, users)
        entropy = config.getfloat('password', 'entropy', default=0)
        for user in users or [None]:
            problem = credentials.password_problem(password,
                getattr(user, 'login', None), getattr(user, 'name', None),
                entropy)
            if problem:
                raise PasswordError(gettext(
                        f'mvp_documents.msg_password_{problem}'))

    @classmethod
    def set_preferences(cls, values):
        values = values.copy()
        setup = values.pop('totp_setup', None)
        key = values.pop('totp_key', None)
        code = values.pop('totp_code', None)
        for name in ['totp_qrcode', 'two_factor', 'two_factor_required']:
            values.pop(name, None)
        if setup and key:
            user = cls(Transaction().user)
            secret = credentials.normalized(key)
            step = credentials.accepted_step(secret, code)
            if step is None:
                raise UserError(gettext('mvp_documents.msg_totp_wrong'))
            with without_check_access():
                cls.write([user], {
                        'totp_secret': secret, 'totp_step': step,
                        'totp_pending': None})
        super().set_preferences(values)

    @classmethod
    @ModelView.button
    def reset_two_factor(cls, users):
        """Forget the people's verification keys: lost phones; they enrol
        again at their next login or in their preferences"""
        from .res import is_province_admin
        if not is_province_admin():
            writer = cls(Transaction().user)
            for user in users:
                if not writer.manages(user, {}):
                    raise AccessError(gettext(
                            'mvp_documents.msg_user_reserved',
                            user=user.rec_name))
        with without_check_access():
            cls.write(users, {
                    'totp_secret': None, 'totp_pending': None,
                    'totp_step': None})

    @classmethod
    def read(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        if Transaction().check_access and SECRETS & set(fields_names):
            for values in result:
                for name in SECRETS & set(values):
                    values[name] = None
        return result

    @classmethod
    def check_modification(cls, mode, users, values=None, external=False):
        super().check_modification(
            mode, users, values=values, external=external)
        if external and mode == 'write' and SECRETS & set(values):
            raise AccessError(gettext(
                    'mvp_documents.msg_user_totp_secret',
                    user=', '.join(u.rec_name for u in users)))

    @classmethod
    def get_login(cls, login, parameters):
        LoginEvent = Pool().get('mvp.login.event')
        _refusal.reason = None
        try:
            user_id = super().get_login(login, parameters)
        except RateLimitException:
            LoginEvent.record(login, cls._login_user(login), 'locked')
            raise
        except LoginException as e:
            # a method asking for what it was given refuses the login
            if e.name in parameters:
                LoginEvent.record(login, cls._login_user(login), 'locked')
            raise
        if user_id:
            LoginEvent.record(login, user_id, 'success')
        else:
            LoginEvent.record(login, cls._login_user(login),
                _refusal.reason or 'failure')
        return user_id

    @classmethod
    def _login_user(cls, login):
        user_id, _, _ = cls._get_login(login)
        return user_id

    @classmethod
    def _login_totp(cls, login, parameters):
        """The user's id when the code is right or not asked of them; asks
        for the code (and enrols the people who must have one) otherwise"""
        user_id, _, _ = cls._get_login(login)
        if not user_id:
            return None
        with without_check_access():
            user = cls(user_id)
            secret = user.totp_secret
            if not secret and not user.needs_two_factor():
                return user_id
            if not secret and not user.totp_pending:
                # Enrolled at login: the code proves the app holds the key.
                cls.write([user], {'totp_pending': credentials.new_secret()})
            if 'totp' not in parameters:
                if secret:
                    message = gettext('mvp_documents.msg_totp_ask')
                else:
                    message = gettext('mvp_documents.msg_totp_enrol',
                        key=credentials.grouped(user.totp_pending))
                raise LoginException('totp', message, type='char')
            step = credentials.accepted_step(secret or user.totp_pending,
                parameters['totp'], user.totp_step)
            if step is None:
                _refusal.reason = 'wrong_code'
                return None
            values = {'totp_step': step}
            if not secret:
                values.update(totp_secret=user.totp_pending,
                    totp_pending=None)
            cls.write([user], values)
        return user_id


class Session(metaclass=PoolMeta):
    __name__ = 'ir.session'

    @classmethod
    def remove(cls, key, domain=None):
        sessions = cls.search([('key', '=', key), domain or []])
        user = sessions[0].create_uid.id if sessions else None
        login = super().remove(key, domain=domain)
        if login:
            Pool().get('mvp.login.event').record(login, user, 'logout')
        return login

    @classmethod
    def check_timeout(cls, user, key, domain=None):
        valid = super().check_timeout(user, key, domain=domain)
        if not valid:
            Pool().get('mvp.login.event').record(None, user, 'expired')
        return valid
