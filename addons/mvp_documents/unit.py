from sql import Null

from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, ModelSQL, ModelView, Unique, fields, tree)
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction

from . import identifier, worktime
from .exceptions import IdentifierError
from .text import SearchTextMixin, SortKeyMixin

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
    parent = fields.Many2One(
        'mvp.unit', "Parent", ondelete='RESTRICT',
        states={
            'required': Eval('kind') == 'division',
            })
    children = fields.One2Many('mvp.unit', 'parent', "Children")
    company = fields.Many2One(
        'company.company', "Company", readonly=True, ondelete='RESTRICT',
        help="The agency as a Tryton company: what record rules isolate.")
    agency = fields.Function(
        fields.Many2One('mvp.unit', "Agency"), 'get_agency',
        searcher='search_agency')
    members = fields.One2Many('res.user', 'unit', "Members", readonly=True)

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

    def get_agency(self, name):
        unit = self
        while unit and not unit.is_agency:
            unit = unit.parent
        return unit.id if unit else None

    @classmethod
    def search_agency(cls, name, clause):
        "Units whose agency is in the clause: the agencies and the divisions"
        _, operator, value = clause[:3]
        if operator not in {'=', 'in'}:
            raise NotImplementedError(operator)
        agencies = [value] if operator == '=' else list(value or [])
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
            currency = Currency(
                name="Vietnamese Dong", code='VND', symbol='₫', numeric_code='704',
                rounding=1, digits=0)
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
