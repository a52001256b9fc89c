from sql import Null

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, tree)
from trytond.model.exceptions import AccessError
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from . import identifier, worktime
from .exceptions import IdentifierError
from .res import AGENCY_ADMIN_ONLY, is_province_admin
from .text import SearchTextMixin, SortKeyMixin

# The company module wants one; agencies keep no accounts.
CURRENCY = {'name': "Đồng Việt Nam", 'code': 'VND', 'symbol': '₫',
    'numeric_code': '704', 'rounding': 1, 'digits': 0}

KINDS = [
    ('province', "Province"),
    ('department', "Department"),
    ('district', "District"),
    ('commune', "Commune or Ward"),
    ('organisation', "Organisation"),
    ('division', "Internal Division"),
    ]


class Unit(SortKeyMixin, SearchTextMixin, DeactivableMixin,
        tree(separator=' / '), ModelSQL, ModelView):
    "Organisation unit: the province, its agencies and their divisions"
    __name__ = 'mvp.unit'
    __string__ = "Unit"
    _search_fields = ('name', 'code', 'identifier')

    name = fields.Char("Name", required=True)
    code = fields.Char(
        "Abbreviation",
        help="Used in document symbols, e.g. UBND, SNV, VP.")
    kind = fields.Selection(KINDS, "Kind", required=True, sort=False)
    identifier = fields.Char(
        "Identifier Code", size=identifier.MAX_LENGTH,
        states={
            'invisible': Eval('kind') == 'division',
            },
        help="Electronic identifier of the agency (QCVN 102:2016), "
        "e.g. 000.00.00.H53.")
    place = fields.Char(
        "Place Name",
        states={
            'invisible': Eval('kind') == 'division',
            },
        help="Written before the date on the agency's documents: the "
        "administrative unit where it sits, e.g. Hưng Yên (Decree 30/2020); "
        "empty, the parent agency's.")
    parent = fields.Many2One(
        'mvp.unit', "Parent", ondelete='RESTRICT',
        states={
            'required': Eval('kind') == 'division',
            })
    children = fields.One2Many('mvp.unit', 'parent', "Children")
    company = fields.Many2One(
        'company.company', "Company", readonly=True, ondelete='RESTRICT',
        help="What keeps the agency's records apart from other agencies'.")
    agency = fields.Function(
        fields.Many2One('mvp.unit', "Agency"), 'get_agency',
        searcher='search_agency')
    members = fields.One2Many('res.user', 'unit', "Members")
    two_factor = fields.Boolean(
        "Two-Step Verification",
        states={
            'invisible': Eval('kind') == 'division',
            },
        help="Its administrators and leaders give a code from an "
        "authenticator app at login, after the password.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('identifier_unique', Unique(t, t.identifier),
                'mvp_documents.msg_unit_identifier_unique'),
            ('company_unique', Unique(t, t.company),
                'mvp_documents.msg_unit_company_unique'),
            ]
        cls._order.insert(0, ('name', 'ASC'))
        # Shown as check_modification has it: an agency administrator adds
        # divisions and staff, the agency itself is the province's.
        agency = (Eval('kind') != 'division') & AGENCY_ADMIN_ONLY
        for name in ['name', 'code', 'kind', 'identifier', 'parent', 'active']:
            field = getattr(cls, name)
            readonly = field.states.get('readonly')
            field.states['readonly'] = (
                readonly | agency if readonly is not None else agency)
            field.depends = set(field.depends) | {'kind'}

    @classmethod
    def __register__(cls, module):
        pool = Pool()
        Currency = pool.get('currency.currency')
        super().__register__(module)
        # Earlier databases named the agencies' currency in English.
        currency = Currency.__table__()
        cursor = Transaction().connection.cursor()
        cursor.execute(*currency.update(
                [currency.name], [CURRENCY['name']],
                where=(currency.code == CURRENCY['code'])
                & (currency.name == 'Vietnamese Dong')))

    @classmethod
    def __register__(cls, module):
        pool = Pool()
        Company = pool.get('company.company')
        cursor = Transaction().connection.cursor()
        super().__register__(module)
        # Agencies made before they were given Vietnam's time zone counted
        # their days in UTC: between midnight and 7:00, yesterday.
        unit, company = cls.__table__(), Company.__table__()
        cursor.execute(*company.update(
                [company.timezone], [worktime.TZ.key],
                where=(company.timezone == Null)
                & company.id.in_(unit.select(unit.company))))

    @classmethod
    def default_kind(cls):
        return 'division'

    @property
    def is_agency(self):
        return self.kind != 'division'

    @property
    def place_name(self):
        "The place name of the unit, or of the nearest unit above with one"
        unit = self
        while unit and not unit.place:
            unit = unit.parent
        return unit.place if unit else None

    def get_agency(self, name):
        unit = self
        while unit and not unit.is_agency:
            unit = unit.parent
        return unit.id if unit else None

    @classmethod
    def search_agency(cls, name, clause):
        "Units whose agency is in the clause: the agencies and the divisions"
        field, operator, value = clause[:3]
        if field != name:
            # agency.<field>: of the agencies that match
            agencies = [u.id for u in cls.search([
                        ('kind', '!=', 'division'),
                        (field[len(name) + 1:], *clause[1:]),
                        ])]
        elif operator in {'=', 'in'}:
            agencies = [value] if operator == '=' else list(value or [])
        else:
            raise NotImplementedError(operator)
        ids, front = set(agencies), list(agencies)
        while front:
            front = [u.id for u in cls.search([
                        ('parent', 'in', front),
                        ('kind', '=', 'division'),
                        ('active', 'in', [True, False]),
                        ])]
            ids.update(front)
        return [('id', 'in', list(ids))]

    def get_rec_name(self, name):
        if self.code:
            return f'{self.name} ({self.code})'
        return self.name

    @classmethod
    def check_modification(cls, mode, units, values=None, external=False):
        "An agency administrator adds divisions and staff to their agency"
        super().check_modification(
            mode, units, values=values, external=external)
        if (external and mode == 'write'
                and set(values) - {'children', 'members'}
                and not is_province_admin()):
            for unit in units:
                if unit.is_agency:
                    raise AccessError(gettext(
                            'mvp_documents.msg_unit_agency_province',
                            unit=unit.rec_name))

    @classmethod
    def validate_fields(cls, units, field_names):
        super().validate_fields(units, field_names)
        if field_names & {'identifier'}:
            for unit in units:
                if unit.identifier and not identifier.is_valid(
                        unit.identifier):
                    raise IdentifierError(gettext(
                            'mvp_documents.msg_unit_identifier_invalid',
                            identifier=unit.identifier, unit=unit.rec_name))

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        if (mode == 'create' and values.get('kind', 'division') != 'division'
                and not values.get('company')):
            values['company'] = cls._create_company(values['name']).id
        return values

    @classmethod
    def _create_company(cls, name):
        pool = Pool()
        Company = pool.get('company.company')
        Currency = pool.get('currency.currency')
        Party = pool.get('party.party')
        currency = Currency.search([('code', '=', 'VND')], limit=1)
        if currency:
            currency, = currency
        else:
            currency = Currency(**CURRENCY)
            currency.save()
        party = Party(name=name)
        party.save()
        company = Company(
            party=party, currency=currency, timezone=worktime.TZ.key)
        company.save()
        return company

    @classmethod
    def agency_of_company(cls, company):
        "Return the agency unit of a company"
        units = cls.search([('company', '=', company)], limit=1)
        return units[0] if units else None
