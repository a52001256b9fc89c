"""The file plan (danh mục hồ sơ): each agency's list, for a year, of the
dossiers its divisions and people are to form, with their codes and their
retention periods from the agency's retention schedule (Decree 30/2020,
Art. 28 and Appendix V)."""
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, fields
from trytond.pool import Pool
from trytond.pyson import Eval
from trytond.transaction import Transaction, check_access

from trytond.modules.mvp_documents.access import RuleCheckMixin
from trytond.modules.mvp_documents.text import SearchTextMixin

from .exceptions import PlanError

# The fields of a line that the next year's plan takes over
LINE_FIELDS = [
    'sequence', 'heading', 'code', 'title', 'retention', 'division',
    'responsible', 'note']


class Plan(RuleCheckMixin, ModelSQL, ModelView):
    "File plan of an agency for a year"
    __name__ = 'mvp.archive.plan'
    __string__ = "File Plan"

    company = fields.Many2One(
        'company.company', "Agency", required=True, readonly=True,
        ondelete='RESTRICT')
    year = fields.Integer("Year", required=True)
    name = fields.Function(
        fields.Char("Name"), 'get_name', searcher='search_name')
    lines = fields.One2Many('mvp.archive.plan.line', 'plan', "Dossiers")
    dossier_count = fields.Function(
        fields.Integer("Dossiers Opened"), 'get_dossier_count')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('year_unique', Unique(t, t.company, t.year),
                'mvp_archive.msg_plan_year_unique'),
            ]
        cls._order = [('year', 'DESC'), ('id', 'DESC')]
        cls._buttons.update({
                'copy_forward': {
                    'depends': ['year'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_year(cls):
        return Pool().get('ir.date').today().year

    def get_name(self, name):
        return gettext('mvp_archive.msg_plan_name', year=self.year)

    @classmethod
    def search_name(cls, name, clause):
        _, operator, value = clause[:3]
        if isinstance(value, str):
            digits = ''.join(c for c in value if c.isdigit())
            if not digits:
                return [('id', '=', -1)]
            return [('year', '=', int(digits[:4]))]
        return [('year', operator, value)]

    def get_dossier_count(self, name):
        return sum(len(line.dossiers) for line in self.lines)

    @classmethod
    @ModelView.button_action('mvp_archive.act_plan_form')
    def copy_forward(cls, plans):
        "Start next year's plan of each agency with this year's lines"
        Line = Pool().get('mvp.archive.plan.line')
        created = []
        for plan in plans:
            year = plan.year + 1
            if cls.search([
                        ('company', '=', plan.company.id),
                        ('year', '=', year)]):
                raise PlanError(gettext(
                        'mvp_archive.msg_plan_exists', year=year))
            new, = cls.create([{
                        'company': plan.company.id,
                        'year': year,
                        }])
            # The people responsible are those of the lines as they are now;
            # a retention category withdrawn from the schedule goes with its
            # line's copy all the same: the clerk reviews the new plan.
            Line.create([{
                        'plan': new.id,
                        **{f: getattr(line, f).id if isinstance(
                                getattr(line, f), ModelSQL)
                            else getattr(line, f) for f in LINE_FIELDS},
                        } for line in plan.lines])
            created.append(new)
        return {'res_id': [p.id for p in created]}


class PlanLine(RuleCheckMixin, SearchTextMixin, ModelSQL, ModelView):
    "A dossier of the file plan"
    __name__ = 'mvp.archive.plan.line'
    __string__ = "File Plan Line"
    _rec_name = 'title'
    _search_fields = ('code', 'title')

    plan = fields.Many2One(
        'mvp.archive.plan', "File Plan", required=True, ondelete='CASCADE')
    company = fields.Function(
        fields.Many2One('company.company', "Agency"), 'on_change_with_company')
    year = fields.Function(fields.Integer("Year"), 'on_change_with_year')
    sequence = fields.Integer("Sequence")
    heading = fields.Char(
        "Heading", help="The heading of the plan the dossier comes under, "
        "e.g. \"I. Tổ chức, cán bộ\".")
    code = fields.Char(
        "Number and Notation", required=True, size=20,
        help="The dossier's number and notation in the plan, e.g. 01.TCCB.")
    title = fields.Char("Title", required=True, size=500)
    retention = fields.Many2One(
        'mvp.archive.retention', "Retention", required=True,
        ondelete='RESTRICT',
        domain=[('company', '=', Eval('company', -1))])
    division = fields.Many2One(
        'mvp.unit', "Division", ondelete='RESTRICT',
        domain=[('kind', '=', 'division')],
        help="The division that forms the dossier.")
    responsible = fields.Many2One(
        'res.user', "Responsible", ondelete='RESTRICT',
        domain=[('companies', '=', Eval('company', -1))],
        help="The person who forms the dossier (người lập hồ sơ).")
    note = fields.Char("Note")
    dossiers = fields.One2Many(
        'mvp.archive.dossier', 'plan_line', "Dossiers", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('code_unique', Unique(t, t.plan, t.code),
                'mvp_archive.msg_plan_code_unique'),
            ]
        cls.__access__.add('plan')
        cls._order = [
            ('plan', 'DESC'), ('sequence', 'ASC NULLS LAST'), ('code', 'ASC'),
            ('id', 'ASC')]
        cls._buttons.update({
                'open_dossier': {
                    'invisible': Eval('id', -1) < 0,
                    'depends': ['id'],
                    },
                })

    @fields.depends('plan', '_parent_plan.company')
    def on_change_with_company(self, name=None):
        return self.plan.company if self.plan else None

    @fields.depends('plan', '_parent_plan.year')
    def on_change_with_year(self, name=None):
        return self.plan.year if self.plan else None

    def get_rec_name(self, name):
        return f'{self.code} {self.title}'

    @classmethod
    @ModelView.button_action('mvp_archive.act_dossier_form')
    def open_dossier(cls, lines):
        """Open the dossier of each line for the plan's year, or show the
        one opened already"""
        Dossier = Pool().get('mvp.archive.dossier')
        dossiers, to_create = [], []
        for line in lines:
            if line.dossiers:
                dossiers.extend(line.dossiers)
            else:
                to_create.append(line.dossier_values())
        # Opened as the person clicking: the rules say whose it may be.
        with check_access():
            dossiers += Dossier.create(to_create)
        return {'res_id': [d.id for d in dossiers]}

    def dossier_values(self):
        return {
            'company': self.plan.company.id,
            'plan_line': self.id,
            'year': self.plan.year,
            'notation': self.code,
            'title': self.title,
            'division': self.division.id if self.division else None,
            'responsible': (
                self.responsible.id if self.responsible else None),
            'permanent': bool(self.retention.permanent),
            'years': self.retention.years,
            }
