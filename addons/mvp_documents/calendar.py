"Working calendars of the province and its agencies"
from collections import defaultdict

from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval

from . import worktime
from .exceptions import CalendarError

HOURS = ['morning_start', 'morning_end', 'afternoon_start', 'afternoon_end']
SETTINGS = ['deadline_days', 'urgent_deadline_days', 'due_soon_days']
# Without any calendar in the database.
DEFAULTS = {'deadline_days': 10, 'urgent_deadline_days': 1, 'due_soon_days': 2}
KINDS = [
    ('off', "Day Off"),
    ('working', "Working Day"),
    ]


class Calendar(ModelSQL, ModelView):
    "Working calendar of the province, or of an agency that inherits it"
    __name__ = 'mvp.calendar'
    __string__ = "Working Calendar"

    _inherited = {'required': ~Eval('agency')}

    agency = fields.Many2One(
        'mvp.unit', "Agency", ondelete='CASCADE',
        domain=[('kind', '!=', 'division')],
        help="Empty for the province's calendar. An agency's calendar takes "
        "from the province's whatever it leaves empty.")
    morning_start = fields.Time(
        "Morning From", format='%H:%M', states=_inherited)
    morning_end = fields.Time(
        "Morning To", format='%H:%M', states=_inherited)
    afternoon_start = fields.Time(
        "Afternoon From", format='%H:%M', states=_inherited)
    afternoon_end = fields.Time(
        "Afternoon To", format='%H:%M', states=_inherited)
    deadline_days = fields.Integer(
        "Default Deadline", states=_inherited,
        domain=['OR', ('deadline_days', '=', None),
            ('deadline_days', '>=', 0)],
        help="The deadline an assignment gets by default, in working days.")
    urgent_deadline_days = fields.Integer(
        "Default Deadline if Urgent", states=_inherited,
        domain=['OR', ('urgent_deadline_days', '=', None),
            ('urgent_deadline_days', '>=', 0)],
        help="The deadline of an urgent document by default, in working "
        "days.")
    due_soon_days = fields.Integer(
        "Due Soon Within", states=_inherited,
        domain=['OR', ('due_soon_days', '=', None),
            ('due_soon_days', '>=', 0)],
        help="Work is due soon when this many working days or fewer are "
        "left.")
    days = fields.One2Many(
        'mvp.calendar.day', 'calendar', "Exceptions",
        help="Days off the government adds or swaps, and weekend days "
        "worked in exchange, beyond the public holidays that are known.")

    del _inherited

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('agency_unique', Unique(t, t.agency),
                'mvp_documents.msg_calendar_agency_unique'),
            ]

    def get_rec_name(self, name):
        if self.agency:
            return self.agency.rec_name
        return gettext('mvp_documents.msg_calendar_province')

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('agency.rec_name', *clause[1:])]

    @classmethod
    def validate_fields(cls, calendars, field_names):
        super().validate_fields(calendars, field_names)
        if field_names & {'agency'}:
            if cls.search([('agency', '=', None)], count=True) > 1:
                raise CalendarError(gettext(
                        'mvp_documents.msg_calendar_province_unique'))
        if field_names & set(HOURS):
            for calendar in calendars:
                hours = [getattr(calendar, h) for h in HOURS]
                given = [h is not None for h in hours]
                if any(given) and not all(given):
                    raise CalendarError(gettext(
                            'mvp_documents.msg_calendar_hours_incomplete',
                            calendar=calendar.rec_name))
                try:
                    calendar.working()
                except ValueError:
                    raise CalendarError(gettext(
                            'mvp_documents.msg_calendar_hours_order',
                            calendar=calendar.rec_name))

    @classmethod
    def province(cls):
        "Return the province's calendar, if there is one"
        calendars = cls.search([('agency', '=', None)], limit=1)
        return calendars[0] if calendars else None

    @classmethod
    def of_company(cls, company):
        "Return the calendar that rules the company's agency"
        calendars = cls.search([('agency.company', '=', company)], limit=1)
        return calendars[0] if calendars else cls.province()

    @classmethod
    def of_companies(cls, companies):
        "Return the calendar of each company, by company id"
        province = cls.province()
        calendars = {c.agency.company.id: c for c in cls.search([
                    ('agency.company', 'in', [int(c) for c in companies]),
                    ])}
        return {int(c): calendars.get(int(c), province) for c in companies}

    def _own(self):
        hours = [getattr(self, h) for h in HOURS]
        return worktime.Calendar(
            hours=[tuple(hours[:2]), tuple(hours[2:])]
            if None not in hours else None,
            days={d.date: worktime.Day(d.kind == 'working', d.name or '')
                for d in self.days})

    def working(self):
        "Return the calendar as worktime.Calendar, the province's above"
        own = self._own()
        if not self.agency:
            return own
        province = self.province()
        if not province:
            return own
        return province._own().child(
            hours=own._hours, days=own.days)

    def setting(self, name):
        "Return the value of the setting, the province's when empty"
        value = getattr(self, name)
        if value is None and self.agency:
            province = self.province()
            value = getattr(province, name) if province else None
        return DEFAULTS[name] if value is None else value

    @classmethod
    def working_of(cls, company):
        "Return the worktime.Calendar of the company's agency"
        calendar = cls.of_company(company) if company else cls.province()
        return calendar.working() if calendar else worktime.DEFAULT

    @classmethod
    def setting_of(cls, company, name):
        calendar = cls.of_company(company) if company else cls.province()
        return calendar.setting(name) if calendar else DEFAULTS[name]

    @classmethod
    def due_soon_limits(cls, today):
        """Return the last deadline that is due soon as of today, for
        groups of agencies: [((operator, company ids) or None, date)]"""
        province = cls.province()
        limit = (province.working() if province else worktime.DEFAULT
            ).add_working_days(today, province.setting('due_soon_days')
            if province else DEFAULTS['due_soon_days'])
        others = defaultdict(list)
        for calendar in cls.search([
                    ('agency', '!=', None),
                    ('agency.company', '!=', None),
                    ]):
            own = calendar.working().add_working_days(
                today, calendar.setting('due_soon_days'))
            if own != limit:
                others[own].append(calendar.agency.company.id)
        if not others:
            return [(None, limit)]
        apart = [c for companies in others.values() for c in companies]
        return [(('in', companies), own)
            for own, companies in others.items()] + [
            (('not in', apart), limit)]

    @classmethod
    def deadline(cls, company, day, urgent=False):
        "Return the default deadline of work given to the company on day"
        days = cls.setting_of(
            company, 'urgent_deadline_days' if urgent else 'deadline_days')
        return cls.working_of(company).add_working_days(day, days)


class CalendarDay(ModelSQL, ModelView):
    "A day off or a working day that the holidays do not tell"
    __name__ = 'mvp.calendar.day'
    __string__ = "Calendar Exception"

    calendar = fields.Many2One(
        'mvp.calendar', "Calendar", required=True, ondelete='CASCADE')
    date = fields.Date("Date", required=True)
    kind = fields.Selection(KINDS, "Kind", required=True, sort=False)
    name = fields.Char(
        "Reason", help="E.g. the government's notice that decides it.")
    weekday = fields.Function(
        fields.Char("Day of the Week"), 'on_change_with_weekday')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('date_unique', Unique(t, t.calendar, t.date),
                'mvp_documents.msg_calendar_day_unique'),
            ]
        cls._order.insert(0, ('date', 'DESC'))

    @classmethod
    def default_kind(cls):
        return 'off'

    @fields.depends('date')
    def on_change_with_weekday(self, name=None):
        if self.date:
            return Pool().get('ir.lang').get().strftime(self.date, '%A')
