import datetime as dt

from trytond import config
from trytond.exceptions import LoginException
from trytond.i18n import gettext
from trytond.model import ModelView, fields
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.pyson import Bool, Eval, Id, If, In
from trytond.transaction import Transaction, without_check_access
from trytond.wizard import Button, StateTransition, StateView, Wizard

from . import lockout
from .document import SECRECY
from .text import SearchTextMixin, SortKeyMixin

# Tryton counts failed logins over the session timeout (a working day in the
# demo); a person who mistyped waits this long instead.
LOCK_WINDOW = 15 * 60

# In the client, an agency administrator (who is not also a provincial one)
# is offered only what they may give; the server checks it all the same.
_GROUPS = Eval('context', {}).get('groups', [])
AGENCY_ADMIN_ONLY = (
    In(Id('mvp_documents', 'group_admin_agency'), _GROUPS)
    & ~In(Id('mvp_documents', 'group_admin_province'), _GROUPS))


def lock_window():
    "How long failed logins count and a locked login waits"
    return dt.timedelta(seconds=config.getint(
            'session', 'lock_window', default=LOCK_WINDOW))


class User(SortKeyMixin, SearchTextMixin, metaclass=PoolMeta):
    __name__ = 'res.user'
    # Not the login nor the secrets: they are compared as typed.
    _unicode_fields = ('name', 'signature', 'position')
    _search_fields = ('name', 'login')
    _sort_fields = ('name', 'login')

    unit = fields.Many2One(
        'mvp.unit', "Unit", ondelete='RESTRICT',
        domain=[
            If(AGENCY_ADMIN_ONLY,
                ('agency.company', '=',
                    Eval('context', {}).get('company', -1)),
                ()),
            ],
        states={
            'required': Bool(Eval('roles')),
            },
        help="The agency or internal division the person works in.")
    agency = fields.Function(
        fields.Many2One('mvp.unit', "Agency"), 'get_agency',
        searcher='search_agency')
    position = fields.Char(
        "Position",
        help="The post the person holds, e.g. Chuyên viên, Trưởng phòng, "
        "Phó Giám đốc.")
    clearance = fields.Selection(
        SECRECY, "Secrecy Clearance", required=True, sort=False,
        help="The highest secrecy level of documents the person may see.")
    handles_documents = fields.Function(
        fields.Boolean(
            "Handles Documents",
            help="A specialist, head of division or leader: documents can "
            "be assigned to them."),
        'get_handles_documents', searcher='search_handles_documents')
    login_locked = fields.Function(
        fields.Boolean(
            "Login Locked",
            help="Too many wrong passwords were typed for this login "
            "recently."),
        'get_login_locked')
    managed = fields.Function(
        fields.Boolean(
            "Managed", help="Whether you administer this person."),
        'get_managed')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # An agency administrator reads the people of other agencies (a
        # unit's staff) without managing them.
        cls._buttons.update({
                'unlock_login': {
                    'invisible': ~Eval('login_locked', False),
                    'readonly': ~Eval('managed', False),
                    'depends': ['login_locked', 'managed'],
                    },
                'temporary_password': {
                    'invisible': Eval('id', -1) < 0,
                    'readonly': ~Eval('managed', False),
                    'depends': ['id', 'managed'],
                    },
                })

    @classmethod
    def fields_get(cls, fields_names=None, level=0):
        # Clients read every field they are told of: not those they may not
        # (the temporary password).
        FieldAccess = Pool().get('ir.model.field.access')
        definition = super().fields_get(fields_names=fields_names, level=level)
        access = FieldAccess.get_access([cls.__name__])[cls.__name__]
        for name in list(definition):
            if not access.get(name, {}).get('read', True):
                del definition[name]
        return definition

    @classmethod
    def default_clearance(cls):
        return 'normal'

    def get_agency(self, name):
        return self.unit.agency.id if self.unit and self.unit.agency else None

    @classmethod
    def search_agency(cls, name, clause):
        return [('unit.agency' + clause[0][len(name):], *clause[1:])]

    @classmethod
    def get_login_locked(cls, users, name):
        LoginAttempt = Pool().get('res.user.login.attempt')
        return {u.id: LoginAttempt.locked_until(u.login, any_device=True)
            is not None for u in users}

    @classmethod
    def get_handles_documents(cls, users, name):
        groups = handler_groups()
        return {u.id: bool(groups & {g.id for g in u.groups}) for u in users}

    @classmethod
    def search_handles_documents(cls, name, clause):
        _, operator, value = clause
        domain = [('groups', 'in', list(handler_groups()))]
        if (operator == '=') != bool(value):
            return [('id', 'not in', cls.search(domain, query=True))]
        return domain

    @classmethod
    def _sort_text(cls, name, login):
        # Vietnamese lists of people go by the given name, the last word:
        # "Trần Văn An" before "Lê Thị Bình".
        words = (name or login or '').split()
        return ' '.join(words[-1:] + words[:-1])

    @property
    def clearances(self):
        "The secrecy levels the user may see"
        keys = [k for k, _ in SECRECY]
        return keys[:keys.index(self.clearance or 'normal') + 1]

    def get_status_bar(self, name):
        # The company module adds the currency of the company: nobody here
        # deals in money. The agency is worth showing when there are two.
        status = self.name or self.login or ''
        if self.company and len(self.companies) > 1:
            status += ' - %s' % self.company.rec_name
        return status

    # Staff: the account, the employee and the agency go together, following
    # the unit the person is put in.

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if mode == 'create' and values.get('unit'):
            # first: the roles made with the person are checked against
            # the agency
            staff = cls._staff_values(values)
            values = {**staff,
                **{k: v for k, v in values.items() if k not in staff}}
        return values

    @classmethod
    def _staff_values(cls, values):
        "The company and employee values of a new person of values['unit']"
        pool = Pool()
        Unit = pool.get('mvp.unit')
        agency = Unit(values['unit']).agency
        company = agency.company if agency else None
        if not company:
            return {}
        staff = {}
        if not values.get('companies'):
            staff['companies'] = [('add', [company.id])]
            staff.setdefault('company', company.id)
        if not values.get('employees'):
            employee = cls._new_employee(
                values.get('name') or values.get('login'), company)
            staff['employees'] = [('add', [employee.id])]
            staff['employee'] = employee.id
        return staff

    @classmethod
    def _new_employee(cls, name, company, party=None):
        pool = Pool()
        Employee = pool.get('company.employee')
        Party = pool.get('party.party')
        Date = pool.get('ir.date')
        with without_check_access():
            if party is None:
                party = Party(name=name)
                party.save()
            employee = Employee(
                party=party, company=company, start_date=Date.today())
            employee.save()
        return employee

    @classmethod
    def on_write(cls, users, values):
        callbacks = super().on_write(users, values)
        if values.get('unit'):
            ids = [u.id for u in users]
            callbacks.append(lambda: cls._follow_unit(cls.browse(ids)))
        return callbacks

    @classmethod
    def _follow_unit(cls, users):
        """Move the people to the agency of their unit: its company, an
        employee there; the employment elsewhere ends today"""
        pool = Pool()
        Employee = pool.get('company.employee')
        Date = pool.get('ir.date')
        today = Date.today()
        to_write, ended = [], []
        for user in users:
            agency = user.unit.agency if user.unit else None
            company = agency.company if agency else None
            if not company or [c.id for c in user.companies] == [company.id]:
                continue
            employee = next(
                (e for e in user.employees if e.company == company), None)
            if employee is None:
                party = user.employee.party if user.employee else None
                employee = cls._new_employee(user.rec_name, company, party)
            ended += [e for e in user.employees
                if e.company != company and not e.end_date]
            to_write.extend([[user], {
                        'companies': [('remove',
                                [c.id for c in user.companies
                                    if c != company]),
                            ('add', [company.id])],
                        'company': company.id,
                        'employees': [('remove',
                                [e.id for e in user.employees
                                    if e != employee]),
                            ('add', [employee.id])],
                        'employee': employee.id,
                        }])
        if ended:
            Employee.write(ended, {'end_date': today})
        if to_write:
            cls.write(*to_write)

    @classmethod
    def check_modification(cls, mode, users, values=None, external=False):
        "Agency administrators manage their own agency's staff, no more"
        super().check_modification(
            mode, users, values=values, external=external)
        if external and mode != 'delete':
            cls.check_managed(users, values if mode == 'write' else {})

    @classmethod
    def get_managed(cls, users, name):
        if is_province_admin():
            return {u.id: True for u in users}
        writer = cls(Transaction().user)
        return {u.id: writer.manages(u, {}) for u in users}

    @classmethod
    def check_managed(cls, users, values=None):
        "AccessError unless the current user may make the change to users"
        if is_province_admin():
            return
        writer = cls(Transaction().user)
        for user in users:
            if not writer.manages(user, values or {}):
                raise AccessError(gettext(
                        'mvp_documents.msg_user_reserved',
                        user=user.rec_name))

    def manages(self, user, values):
        "Tell whether self, an agency administrator, may make the change"
        pool = Pool()
        Unit = pool.get('mvp.unit')
        keys = [k for k, _ in SECRECY]
        mine = {c.id for c in self.companies}
        if user != self and reserved_groups() & {g.id for g in user.groups}:
            return False
        if 'groups' in values:
            return False
        if not {c.id for c in user.companies} <= mine:
            return False
        for action, *ids in values.get('companies', []):
            if action not in {'add', 'remove'} or (
                    action == 'add' and not set(ids[0]) <= mine):
                return False
        if values.get('company') and values['company'] not in mine:
            return False
        if values.get('unit'):
            agency = Unit(values['unit']).agency
            if not agency or agency.company.id not in mine:
                return False
        # Nobody raises a clearance above their own, theirs included.
        clearance = values.get('clearance', user.clearance) or 'normal'
        return (keys.index(clearance) <= keys.index(self.clearance or 'normal')
            and not (user == self and 'clearance' in values))

    @classmethod
    def on_modification(cls, mode, users, field_names=None):
        super().on_modification(mode, users, field_names=field_names)
        if mode == 'write' and field_names and (
                field_names & {'clearance', 'unit'}):
            Pool().get('ir.rule')._domain_get_cache.clear()

    # Logins locked by wrong passwords: for a while, said so, and opened
    # again by an administrator.

    @classmethod
    def get_login(cls, login, parameters):
        pool = Pool()
        LoginAttempt = pool.get('res.user.login.attempt')
        UserDevice = pool.get('res.user.device')
        device_cookie = UserDevice.get_valid_cookie(
            login, parameters.get('device_cookie'))
        until = LoginAttempt.locked_until(login, device_cookie)
        if until:
            if 'password' in parameters:
                # Tried while locked: it counts, as trytond counts it.
                LoginAttempt.add(login, device_cookie)
                until = LoginAttempt.locked_until(login, device_cookie)
            raise LoginException('password', gettext(
                    'mvp_documents.msg_login_locked', login=login,
                    attempts=config.getint(
                        'session', 'max_attempt', default=5),
                    minutes=lockout.minutes_left(until, dt.datetime.now())),
                type='password')
        return super().get_login(login, parameters)

    @classmethod
    @ModelView.button
    def unlock_login(cls, users):
        "Let the people log in again after wrong passwords"
        cls.check_managed(users)
        Pool().get('res.user.login.attempt').unlock([u.login for u in users])

    @classmethod
    @ModelView.button_action('mvp_documents.wizard_user_temporary_password')
    def temporary_password(cls, users):
        pass


class LoginAttempt(metaclass=PoolMeta):
    __name__ = 'res.user.login.attempt'

    @staticmethod
    def delay():
        return dt.datetime.now() - lock_window()

    @classmethod
    def locked_until(cls, login, device_cookie=None, any_device=False):
        """When login opens again, None if it is not locked; the attempts
        of device_cookie, or of any device"""
        domain = [
            ('login', '=', (login or '')[:cls.login.size]),
            ('create_date', '>=', cls.delay()),
            ]
        if not any_device:
            domain.append(('device_cookie', '=', device_cookie))
        with without_check_access():
            attempts = cls.search(domain)
        max_attempt = config.getint('session', 'max_attempt', default=5)
        now = dt.datetime.now()
        devices = {}
        for attempt in attempts:
            devices.setdefault(attempt.device_cookie, []).append(
                attempt.create_date)
        times = [lockout.locked_until(d, max_attempt, lock_window(), now)
            for d in devices.values()]
        return max(filter(None, times), default=None)

    @classmethod
    def unlock(cls, logins):
        "Forget the failed attempts of logins, from every device"
        if not logins:
            return
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*table.delete(where=table.login.in_(
                    [(l or '')[:cls.login.size] for l in logins])))


class TemporaryPassword(Wizard):
    "Give a person a temporary password, shown once"
    __name__ = 'res.user.temporary_password'
    start_state = 'generate'
    generate = StateTransition()
    show = StateView('res.user.temporary_password.show',
        'mvp_documents.user_temporary_password_show_view_form', [
            Button("Close", 'end', 'tryton-close', default=True),
            ])

    def transition_generate(self):
        User = Pool().get('res.user')
        User.check_managed([self.record])
        # Tryton's reset: a password valid until it expires or the person
        # sets their own, also sent by email to those who have one.
        User.reset_password([self.record])
        return 'show'

    def default_show(self, fields):
        User = Pool().get('res.user')
        with without_check_access():
            user = User(self.record.id)
            return {
                'user': user.id,
                'login': user.login,
                'password': user.password_reset,
                'expire': user.password_reset_expire,
                }


class TemporaryPasswordShow(ModelView):
    "Temporary password"
    __name__ = 'res.user.temporary_password.show'
    __string__ = "Temporary Password"
    user = fields.Many2One('res.user', "Person", readonly=True)
    login = fields.Char("Login", readonly=True)
    password = fields.Char("Temporary Password", readonly=True)
    expire = fields.DateTime("Valid Until", format='%H:%M', readonly=True)


def handler_groups():
    "The groups of the people documents are assigned to"
    ModelData = Pool().get('ir.model.data')
    return {ModelData.get_id('mvp_documents', g) for g in [
            'group_specialist', 'group_head', 'group_leader']}


def reserved_groups():
    "The groups only a provincial administrator gives"
    ModelData = Pool().get('ir.model.data')
    return {
        ModelData.get_id('res', 'group_admin'),
        ModelData.get_id('mvp_documents', 'group_admin_province'),
        ModelData.get_id('mvp_documents', 'group_oversight'),
        }


def is_province_admin():
    User = Pool().get('res.user')
    return bool(reserved_groups() & set(User.get_groups()))


class UserRole(metaclass=PoolMeta):
    __name__ = 'res.user.role'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.role.domain = list(cls.role.domain or []) + [
            If(AGENCY_ADMIN_ONLY,
                ('groups', 'not in', [
                        Id('res', 'group_admin'),
                        Id('mvp_documents', 'group_admin_province'),
                        Id('mvp_documents', 'group_oversight'),
                        ]),
                ()),
            ]

    @classmethod
    def check_modification(cls, mode, roles, values=None, external=False):
        "Agency administrators give only the roles of an agency's staff"
        super().check_modification(
            mode, roles, values=values, external=external)
        if not external or is_province_admin():
            return
        reserved = reserved_groups()
        for role in roles:
            if reserved & {g.id for g in role.role.groups}:
                raise AccessError(gettext(
                        'mvp_documents.msg_role_reserved',
                        role=role.role.rec_name,
                        user=role.user.rec_name))
