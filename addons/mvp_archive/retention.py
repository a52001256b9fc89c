from trytond.i18n import gettext
from trytond.model import DeactivableMixin, ModelSQL, ModelView, fields
from trytond.pyson import Eval
from trytond.transaction import Transaction

from trytond.modules.mvp_documents.access import RuleCheckMixin
from trytond.modules.mvp_documents.text import (
    SearchTextMixin, SortKeyMixin)

from .exceptions import PlanError


class RetentionMixin:
    "A retention period: permanent, or a number of years"
    __slots__ = ()

    permanent = fields.Boolean(
        "Permanent", help="Kept for ever (vĩnh viễn): never disposed of.")
    years = fields.Integer(
        "Years",
        states={
            'invisible': Eval('permanent', False),
            'required': ~Eval('permanent', False),
            })
    period = fields.Function(fields.Char("Retention"), 'get_period')

    @classmethod
    def default_permanent(cls):
        return False

    def get_period(self, name=None):
        if self.permanent:
            return gettext('mvp_archive.msg_retention_permanent')
        if self.years:
            return gettext('mvp_archive.msg_retention_years', years=self.years)

    @property
    def retention_years(self):
        "The period in years, None when permanent"
        return None if self.permanent else self.years

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        if field_names & {'permanent', 'years'}:
            for record in records:
                if not record.permanent and (
                        record.years is None or record.years < 1):
                    raise PlanError(gettext(
                            'mvp_archive.msg_retention_years_positive',
                            record=record.rec_name))


class Retention(
        RuleCheckMixin, RetentionMixin, SortKeyMixin, SearchTextMixin,
        DeactivableMixin, ModelSQL, ModelView):
    "A category of the agency's retention schedule with its period"
    __name__ = 'mvp.archive.retention'
    __string__ = "Retention Period"
    _search_fields = ('name', 'reference')

    company = fields.Many2One(
        'company.company', "Agency", required=True, ondelete='RESTRICT')
    reference = fields.Char(
        "Reference", help="The category's number in the schedule, e.g. 1.2.")
    name = fields.Char("Category", required=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order = [
            ('reference', 'ASC NULLS LAST'), ('name', 'ASC'), ('id', 'ASC')]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    def get_rec_name(self, name):
        period = self.get_period()
        return f'{self.name} ({period})' if period else self.name
