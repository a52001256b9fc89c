"""Work dossiers (hồ sơ công việc) and the documents filed in them.

A dossier is opened from a line of the agency's file plan, or without one,
collects incoming and outgoing documents, drafts among them, and notes
while the work goes on, and is closed when the work ends: its content is
then frozen (Decree 30/2020, Art. 29). Closed, it is submitted to the
agency's archive as a package (package.py) and the archive records its
receipt (Art. 30). A dossier kept for a number of years is listed for
appraisal when its period ends and disposed of only by an approved
decision (disposal.py); nothing of a permanent dossier is ever removed.
"""
import datetime as dt
import logging
import os
import shutil
import tempfile
from contextlib import ExitStack
from pathlib import Path

from trytond import config
from trytond.filestore import FileStore, filestore
from trytond.i18n import gettext
from trytond.model import ModelSQL, ModelView, Unique, Workflow, fields
from trytond.pool import Pool
from trytond.pyson import Bool, Eval
from trytond.transaction import (
    Transaction, check_access, without_check_access)
from trytond.wizard import Button, StateTransition, StateView, Wizard

from trytond.modules.mvp_documents.access import RuleCheckMixin, readable
from trytond.modules.mvp_documents.document import SECRECY, FileMixin
from trytond.modules.mvp_documents.text import SearchTextMixin

from . import metadata, package
from .exceptions import DossierError, FrozenError, PackageError, PermanentError
from .retention import RetentionMixin

logger = logging.getLogger(__name__)

STATES = [
    ('open', "Open"),
    ('closed', "Closed"),
    ('submitted', "Submitted to the Archive"),
    ('received', "Received by the Archive"),
    ('disposed', "Disposed Of"),
    ]
# The states of a dossier kept after closing, which may fall due
KEPT = ['closed', 'submitted', 'received']
RIGHTS = [
    ('public', "Public"),
    ('conditional', "Conditional"),
    ('secret', "Secret"),
    ]
DIRECTIONS = [
    ('incoming', "Incoming"),
    ('outgoing', "Outgoing"),
    ('internal', "Internal"),
    ]
# What the workflow still writes on a closed dossier
WORKFLOW_FIELDS = {
    'state', 'closed_date', 'closed_by', 'retention_end',
    'package_path', 'package_checksum', 'package_date', 'package_files',
    'package_size', 'package_pending', 'package_error',
    'receipt_number', 'receipt_date', 'receipt_by', 'receipt_note',
    'disposal', 'search_text',
    }


class Dossier(
        RuleCheckMixin, RetentionMixin, SearchTextMixin, Workflow, ModelSQL,
        ModelView):
    "Work dossier (hồ sơ công việc)"
    __name__ = 'mvp.archive.dossier'
    __string__ = "Work Dossier"
    _rec_name = 'title'
    _search_fields = ('code', 'title', 'keywords')

    _open = {'readonly': Eval('state') != 'open'}

    company = fields.Many2One(
        'company.company', "Agency", required=True, readonly=True,
        ondelete='RESTRICT')
    plan_line = fields.Many2One(
        'mvp.archive.plan.line', "File Plan Line", ondelete='RESTRICT',
        states=_open,
        domain=[
            ('plan.company', '=', Eval('company', -1)),
            ('plan.year', '=', Eval('year', -1)),
            ],
        help="The dossier of the file plan this one forms; empty for a "
        "dossier opened outside the plan.")
    year = fields.Integer(
        "Year", required=True, states=_open,
        help="The year the dossier is formed (FileCatalog).")
    notation = fields.Char(
        "Number and Notation", required=True, size=20, states=_open,
        help="Số và ký hiệu hồ sơ, e.g. 01.TCCB (FileNotation).")
    code = fields.Char(
        "Code", readonly=True,
        help="Mã hồ sơ: the agency's identifier code, the year and the "
        "number and notation.")
    title = fields.Char("Title", required=True, size=500, states=_open)
    division = fields.Many2One(
        'mvp.unit', "Division", ondelete='RESTRICT', states=_open,
        domain=[('kind', '=', 'division')])
    responsible = fields.Many2One(
        'res.user', "Responsible", ondelete='RESTRICT', states=_open,
        domain=[('companies', '=', Eval('company', -1))],
        help="The person who forms the dossier (người lập hồ sơ).")
    rights = fields.Selection(
        RIGHTS, "Usage Mode", required=True, sort=False, states=_open,
        help="Chế độ sử dụng: who may consult the dossier in the archive.")
    language = fields.Char(
        "Language", required=True, size=50, states=_open)
    start_date = fields.Date(
        "Start Date", states=_open,
        help="Left empty, the date of its first document when it closes.")
    end_date = fields.Date(
        "End Date", states=_open,
        help="Left empty, the date of its last document when it closes.")
    keywords = fields.Char(
        "Keywords", states=_open, help="Separated by commas.")
    description = fields.Text("Description", states=_open)
    documents = fields.One2Many(
        'mvp.archive.dossier.document', 'dossier', "Documents",
        states=_open, order=[('ordinal', 'ASC'), ('id', 'ASC')])
    doc_total = fields.Function(
        fields.Integer("Documents Count"), 'get_totals')
    page_total = fields.Function(fields.Integer("Pages"), 'get_totals')
    closed_date = fields.Date("Closed", readonly=True)
    closed_by = fields.Many2One(
        'res.user', "Closed By", readonly=True, ondelete='RESTRICT')
    retention_end = fields.Date(
        "Retention Ends", readonly=True,
        help="The last day of the retention period, counted from the year "
        "after the dossier's end date.")
    expired = fields.Function(
        fields.Boolean(
            "Due for Appraisal",
            help="Its retention period has ended: the appraisal decides "
            "whether it is kept longer or disposed of."),
        'get_expired', searcher='search_expired')
    fileable = fields.Function(
        fields.Boolean("Open to Me"), 'get_fileable',
        searcher='search_fileable')
    package_path = fields.Char("Package", readonly=True)
    package_checksum = fields.Char(
        "Package Checksum", readonly=True,
        help="SHA-256 of the package's tag manifest, which fixes every "
        "file of the package.")
    package_date = fields.DateTime("Package Built", readonly=True)
    package_files = fields.Integer("Files in Package", readonly=True)
    package_size = fields.Integer("Package Size", readonly=True)
    package_pending = fields.Boolean(
        "Package Being Built", readonly=True,
        help="The package is being built in the background: converting to "
        "PDF/A takes a while.")
    package_error = fields.Text("Package Error", readonly=True)
    receipt_number = fields.Char(
        "Receipt Number", readonly=True,
        help="The number of the archive's record of delivery "
        "(biên bản giao nhận).")
    receipt_date = fields.Date("Receipt Date", readonly=True)
    receipt_by = fields.Char("Received By", readonly=True)
    receipt_note = fields.Text("Receipt Note", readonly=True)
    disposal = fields.Many2One(
        'mvp.archive.disposal', "Disposal Decision", readonly=True,
        ondelete='RESTRICT')
    state = fields.Selection(
        STATES, "State", required=True, readonly=True, sort=False)

    del _open

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('notation_unique', Unique(t, t.company, t.year, t.notation),
                'mvp_archive.msg_dossier_notation_unique'),
            ]
        for name in ['permanent', 'years']:
            field = getattr(cls, name)
            field.states = field.states.copy()
            field.states['readonly'] = Eval('state') != 'open'
        cls._order = [('year', 'DESC'), ('code', 'ASC'), ('id', 'DESC')]
        cls._transitions |= {
            ('open', 'closed'),
            ('closed', 'submitted'),
            ('submitted', 'received'),
            ('closed', 'disposed'),
            ('submitted', 'disposed'),
            ('received', 'disposed'),
            }
        cls._buttons.update({
                'close': {
                    'invisible': Eval('state') != 'open',
                    # open to the person's changes (the agency's others
                    # are read only)
                    'readonly': ~Eval('fileable', False),
                    'depends': ['state', 'fileable'],
                    },
                'submit': {
                    'invisible': (Eval('state') != 'closed')
                    | Eval('package_pending', False),
                    'depends': ['state', 'package_pending'],
                    },
                'receive': {
                    'invisible': Eval('state') != 'submitted',
                    'depends': ['state'],
                    },
                })

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_year(cls):
        return Pool().get('ir.date').today().year

    @classmethod
    def default_state(cls):
        return 'open'

    @classmethod
    def default_rights(cls):
        return 'public'

    @classmethod
    def default_language(cls):
        return package.VIETNAMESE

    @classmethod
    def default_package_pending(cls):
        return False

    @classmethod
    def default_responsible(cls):
        return Transaction().user or None

    @classmethod
    def default_division(cls):
        User = Pool().get('res.user')
        user = User(Transaction().user) if Transaction().user else None
        if user and user.unit and user.unit.kind == 'division':
            return user.unit.id

    @fields.depends('plan_line', 'year', 'notation', 'title', 'division',
        'responsible', 'permanent', 'years')
    def on_change_plan_line(self):
        if self.plan_line:
            # the client names any line: its values only if it is readable
            self.plan_line.check_read([self.plan_line])
            for name, value in self.plan_line.dossier_values().items():
                if name not in {'company', 'plan_line'}:
                    setattr(self, name, value)

    def get_rec_name(self, name):
        return f'{self.code} {self.title}' if self.code else self.title

    def get_totals(self, name):
        if name == 'doc_total':
            return len(self.documents)
        return sum(d.pages or 0 for d in self.documents)

    def get_expired(self, name):
        today = Pool().get('ir.date').today()
        return bool(not self.permanent and self.retention_end
            and self.retention_end < today and self.state in KEPT)

    @classmethod
    def search_expired(cls, name, clause):
        today = Pool().get('ir.date').today()
        _, operator, value = clause
        expired = [
            ('permanent', '=', False),
            ('retention_end', '<', today),
            ('state', 'in', KEPT),
            ]
        if (operator == '=') == bool(value):
            return expired
        return ['OR', ('permanent', '=', True), ('retention_end', '=', None),
            ('retention_end', '>=', today), ('state', 'not in', KEPT)]

    @classmethod
    def get_fileable(cls, dossiers, name):
        allowed = set(cls.search([
                    ('id', 'in', [d.id for d in dossiers]),
                    ('fileable', '=', True),
                    ]))
        return {d.id: d in allowed for d in dossiers}

    @classmethod
    def search_fileable(cls, name, clause):
        "The open dossiers the person may file documents in"
        pool = Pool()
        Access = pool.get('ir.model.access')
        Rule = pool.get('ir.rule')
        _, operator, value = clause
        with check_access():
            may = Access.check(
                'mvp.archive.dossier.document', 'create',
                raise_exception=False)
            # who files in a dossier may change it, and the other way round
            rule = Rule.domain_get(cls.__name__, mode='write')
        domain = [('state', '=', 'open')]
        if not may:
            domain = [('id', '=', -1)]
        elif rule:
            domain.append(rule)
        if (operator == '=') != bool(value):
            return [('id', 'not in', cls.search(domain, query=True))]
        return domain

    def file_code(self):
        "Mã hồ sơ as the package writes it"
        Unit = Pool().get('mvp.unit')
        agency = Unit.agency_of_company(self.company) if self.company \
            else None
        return package.FileCode(
            agency.identifier if agency and agency.identifier else '',
            self.year, self.notation)

    def compute_fields(self, field_names=None):
        if field_names is None or field_names & {
                'company', 'year', 'notation'}:
            with without_check_access():
                code = str(self.file_code()) if self.notation else None
            if code != self.code:
                # search_text holds the code: set it before it is computed
                self.code = code
                return {'code': code, **super().compute_fields(
                        None if field_names is None
                        else field_names | {'code'})}
        return super().compute_fields(field_names)

    @classmethod
    def validate_fields(cls, dossiers, field_names):
        super().validate_fields(dossiers, field_names)
        if field_names & {'company'}:
            Unit = Pool().get('mvp.unit')
            for dossier in dossiers:
                agency = Unit.agency_of_company(dossier.company)
                if not agency or not agency.identifier:
                    raise DossierError(gettext(
                            'mvp_archive.msg_dossier_no_identifier',
                            agency=dossier.company.rec_name))

    @classmethod
    def check_modification(cls, mode, dossiers, values=None, external=False):
        super().check_modification(
            mode, dossiers, values=values, external=external)
        if mode == 'write':
            changed = set(values) - WORKFLOW_FIELDS
            for dossier in dossiers:
                if dossier.state != 'open' and changed:
                    raise FrozenError(gettext(
                            'mvp_archive.msg_dossier_frozen',
                            dossier=dossier.rec_name))
                if values.get('state') == 'disposed' and dossier.permanent:
                    raise PermanentError(gettext(
                            'mvp_archive.msg_dossier_permanent',
                            dossier=dossier.rec_name))
        elif mode == 'delete':
            for dossier in dossiers:
                if dossier.permanent and dossier.state != 'open':
                    raise PermanentError(gettext(
                            'mvp_archive.msg_dossier_permanent',
                            dossier=dossier.rec_name))
                if dossier.state != 'open':
                    raise FrozenError(gettext(
                            'mvp_archive.msg_dossier_delete_closed',
                            dossier=dossier.rec_name))

    @classmethod
    def _check_rule(cls, dossiers, mode='write'):
        """Refuse dossiers the person's rules do not let them change: a
        button runs without the rules of writing"""
        Rule = Pool().get('ir.rule')
        with check_access():
            domain = Rule.domain_get(cls.__name__, mode=mode)
        if not domain:
            return
        with without_check_access():
            allowed = set(cls.search(
                    [('id', 'in', [d.id for d in dossiers]), domain]))
        for dossier in dossiers:
            if dossier not in allowed:
                raise DossierError(gettext(
                        'mvp_archive.msg_dossier_not_yours',
                        dossier=dossier.rec_name))

    @classmethod
    @ModelView.button
    @Workflow.transition('closed')
    def close(cls, dossiers):
        """Close the dossiers whose work has ended: their documents in the
        order of their dates, the dates, pages and retention's end filled"""
        pool = Pool()
        Entry = pool.get('mvp.archive.dossier.document')
        User = pool.get('res.user')
        today = pool.get('ir.date').today()
        cls._check_rule(dossiers)
        user = Transaction().user
        for dossier in dossiers:
            if not dossier.documents:
                raise DossierError(gettext(
                        'mvp_archive.msg_dossier_empty',
                        dossier=dossier.rec_name))
            Entry.refresh(dossier.documents)
            entries = sorted(Entry.browse(dossier.documents), key=lambda e: (
                    e.date or dt.date.max, e.ordinal or 0, e.id))
            Entry.write(*[x for n, e in enumerate(entries, 1)
                    for x in ([e], {'ordinal': n})])
            dates = [e.date for e in entries if e.date]
            start = dossier.start_date or (min(dates) if dates else today)
            end = dossier.end_date or (max(dates) if dates else today)
            cls.write([dossier], {
                    'start_date': start,
                    'end_date': max(start, end),
                    'closed_date': today,
                    'closed_by': User(user).id if user else None,
                    'retention_end': metadata.retention_end(
                        max(start, end), dossier.retention_years),
                    })

    @classmethod
    @ModelView.button
    def submit(cls, dossiers):
        """Build the packages for the archive in the background: converting
        the files to PDF/A takes time"""
        cls._check_rule(dossiers)
        dossiers = [d for d in dossiers
            if d.state == 'closed' and not d.package_pending]
        if not dossiers:
            return
        cls.write(dossiers, {'package_pending': True, 'package_error': None})
        for dossier in dossiers:
            # one task each: one dossier's failure keeps no other back
            cls.__queue__.build_packages([dossier])

    @classmethod
    @ModelView.button_action('mvp_archive.wizard_dossier_receive')
    def receive(cls, dossiers):
        cls._check_rule(dossiers)

    @classmethod
    def build_packages(cls, dossiers, directory=None):
        """Build the package of each closed dossier into directory (the
        configured one by default), keep the PDF/A renditions made and
        record the packages; return {dossier: Package or error text}.

        The renditions of files converted for an earlier package are used
        again, as made then."""
        pool = Pool()
        Rendition = pool.get('mvp.archive.rendition')
        directory = Path(directory) if directory else package_directory()
        results = {}
        for dossier in cls.browse(dossiers):
            if dossier.state != 'closed':
                continue
            try:
                with ExitStack() as stack, without_check_access():
                    record, sources = dossier.archive_dossier(stack)
                    built = package.build(record, directory)
            except package.Error as e:
                message = gettext(
                    f'mvp_archive.msg_package_{e.code}', **e.args_)
            except Exception as e:
                # whatever the files hold: the dossier says why, the clerk
                # may submit it again
                logger.exception("package of dossier %s", dossier.id)
                message = gettext('mvp_archive.msg_package_os_error',
                    error=getattr(e, 'strerror', None) or str(e)
                    or type(e).__name__)
            else:
                try:
                    with without_check_access():
                        Rendition.keep(sources, built)
                        dossier._record_package(built)
                except BaseException:
                    shutil.rmtree(built.path, ignore_errors=True)
                    raise
                results[dossier] = built
                if Transaction().user:
                    dossier.notify_user('tryton-ok', gettext(
                            'mvp_archive.msg_package_built',
                            dossier=dossier.rec_name),
                        built.checksum)
                continue
            results[dossier] = message
            cls.write([dossier], {
                    'package_pending': False,
                    'package_error': message,
                    })
            if Transaction().user:
                dossier.notify_user('tryton-warning', gettext(
                        'mvp_archive.msg_package_failed',
                        dossier=dossier.rec_name), message)
        return results

    def _record_package(self, built):
        self.__class__.write([self], {
                'package_path': str(built.path),
                'package_checksum': built.checksum,
                'package_date': dt.datetime.now(),
                'package_files': built.files,
                'package_size': built.size,
                'package_pending': False,
                'package_error': None,
                })
        self.__class__._submitted([self])

    @classmethod
    @Workflow.transition('submitted')
    def _submitted(cls, dossiers):
        pass

    @classmethod
    @Workflow.transition('received')
    def _received(cls, dossiers, number, date, by, note):
        for dossier in dossiers:
            problems = dossier.verify_package()
            if problems:
                raise PackageError(gettext(
                        'mvp_archive.msg_package_damaged',
                        dossier=dossier.rec_name,
                        problems='\n'.join(problems)))
        cls.write(dossiers, {
                'receipt_number': number,
                'receipt_date': date,
                'receipt_by': by,
                'receipt_note': note,
                })

    def verify_package(self):
        "What is wrong with the dossier's package, translated; [] if intact"
        if not self.package_path:
            return [gettext('mvp_archive.msg_package_none')]
        try:
            problems = package.verify(self.package_path, self.package_checksum)
        except package.NotAPackage:
            return [gettext('mvp_archive.msg_package_missing_dir',
                    path=self.package_path)]
        return [gettext(f'mvp_archive.msg_package_{p.code}', path=p.path,
                found=p.found, expected=p.expected, error=p.error)
            for p in problems]

    def archive_dossier(self, stack):
        """(package.Dossier, the mvp.document.file of each (ordinal, file
        number)), in the database's language; the files' temporary copies,
        if any, live as long as stack"""
        pool = Pool()
        Configuration = pool.get('ir.configuration')
        Unit = pool.get('mvp.unit')
        agency = Unit.agency_of_company(self.company)
        documents, sources = [], {}
        with Transaction().set_context(
                language=Configuration.get_language()):
            for entry in self.documents:
                document, files = entry.archive_document(stack)
                documents.append(document)
                sources.update({(document.ordinal, n): f
                        for n, f in enumerate(files, 1)})
        return package.Dossier(
            code=self.file_code(),
            title=metadata.clip(self.title, metadata.SUBJECT),
            documents=documents,
            retention=self.retention_years,
            rights=metadata.RIGHTS.get(self.rights),
            creator=metadata.clip(
                self.responsible.name, metadata.CREATOR)
            if self.responsible else None,
            organ_name=metadata.clip(
                agency.name if agency else self.company.rec_name,
                metadata.ORGAN_NAME),
            language=self.language,
            start_date=self.start_date,
            end_date=self.end_date,
            description=metadata.clip(
                self.description, metadata.DESCRIPTION),
            keywords=metadata.keywords(self.keywords)), sources

    @classmethod
    def _dispose(cls, dossiers, disposal):
        """Remove the content of the dossiers the approved disposal names:
        their documents' filing, their notes, their packages. The dossiers
        stay as the record of what was disposed of."""
        pool = Pool()
        Entry = pool.get('mvp.archive.dossier.document')
        for dossier in dossiers:
            if dossier.permanent:
                raise PermanentError(gettext(
                        'mvp_archive.msg_dossier_permanent',
                        dossier=dossier.rec_name))
            if not dossier.expired:
                raise DossierError(gettext(
                        'mvp_archive.msg_dossier_not_expired',
                        dossier=dossier.rec_name,
                        date=dossier.retention_end))
        cls.write(dossiers, {'disposal': disposal.id})
        cls._disposed(dossiers)
        cls.log(dossiers, 'dispose', disposal.number)
        with Transaction().set_context(_log=True):
            Entry.delete([e for d in dossiers for e in d.documents])
        if any(d.package_path for d in dossiers):
            # once the disposal is committed
            cls.__queue__.remove_packages(dossiers)

    @classmethod
    @Workflow.transition('disposed')
    def _disposed(cls, dossiers):
        pass

    @classmethod
    def remove_packages(cls, dossiers):
        """Remove the packages of disposed dossiers from the archive
        directory (copies exported elsewhere are the administrator's)"""
        root = package_directory().resolve()
        for dossier in cls.browse(dossiers):
            if dossier.state != 'disposed' or not dossier.package_path:
                continue
            path = Path(dossier.package_path).resolve()
            if root in path.parents:
                shutil.rmtree(path, ignore_errors=True)


class DossierDocument(RuleCheckMixin, FileMixin, ModelSQL, ModelView):
    """A document filed in a dossier: an incoming or outgoing document of
    the registers, or a note of the dossier's own, whose title, date, pages
    and file are then its own"""
    __name__ = 'mvp.archive.dossier.document'
    __string__ = "Filed Document"
    _rec_name = 'title'

    _note = {
        'readonly': Bool(Eval('document')),
        'required': ~Eval('document'),
        }

    dossier = fields.Many2One(
        'mvp.archive.dossier', "Dossier", required=True, ondelete='CASCADE')
    company = fields.Function(
        fields.Many2One('company.company', "Agency"), 'get_company')
    ordinal = fields.Integer(
        "No.", readonly=True,
        help="The document's number in the dossier (DocOrdinal), in the "
        "order of the dates once the dossier is closed.")
    document = fields.Reference(
        "Document", selection='get_documents', readonly=True)
    title = fields.Char(
        "Title", states={
            'invisible': Bool(Eval('document')),
            'required': ~Eval('document'),
            })
    date = fields.Date("Date", states=_note)
    pages = fields.Integer(
        "Pages", states={'readonly': Bool(Eval('document'))},
        help="Counted from its PDF files when the document does not say.")
    secrecy = fields.Selection(
        SECRECY, "Secrecy", required=True, sort=False,
        states={'readonly': Bool(Eval('document'))})
    direction = fields.Function(fields.Selection(
            DIRECTIONS, "Kind", sort=False), 'get_metadata')
    type_name = fields.Function(fields.Char("Type"), 'get_metadata')
    code_number = fields.Function(fields.Char("Number"), 'get_metadata')
    code_notation = fields.Function(fields.Char("Notation"), 'get_metadata')
    issued_date = fields.Function(fields.Date("Issued"), 'get_metadata')
    organ_name = fields.Function(
        fields.Char("Issuing Agency"), 'get_metadata')
    subject = fields.Function(fields.Char("Subject"), 'get_metadata')
    arrival_date = fields.Function(fields.Date("Arrived"), 'get_metadata')
    arrival_number = fields.Function(
        fields.Integer("Incoming Number"), 'get_metadata')
    signer = fields.Function(fields.Char("Signer"), 'get_metadata')

    del _note

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('document_unique', Unique(t, t.dossier, t.document),
                'mvp_archive.msg_dossier_document_unique'),
            ]
        cls._order = [('dossier', 'ASC'), ('ordinal', 'ASC'), ('id', 'ASC')]
        cls.__access__.add('dossier')
        for name in ['file_name', 'file_data']:
            field = getattr(cls, name)
            field.states = field.states.copy()
            field.states['invisible'] = Bool(Eval('document'))
            field.states['readonly'] = Eval('_parent_dossier', {}).get(
                'state', 'open') != 'open'

    @staticmethod
    def get_documents():
        Model = Pool().get('ir.model')
        return [(None, '')] + [(m, Model.get_name(m)) for m in [
                'mvp.document.incoming', 'mvp.document.outgoing']]

    @classmethod
    def default_secrecy(cls):
        return 'normal'

    def get_company(self, name):
        return self.dossier.company.id

    @classmethod
    def closed_documents(cls, entries):
        """The ids of entries whose document the user may not read: the
        dossier is theirs, what was filed in it need not be (a secret
        document, another agency's, a model closed to their role). Getters
        run with the checks off: the person's rules apply here."""
        if not Transaction().user:
            return set()
        ids = {}
        with without_check_access():
            for entry in cls.browse(entries):
                if entry.document and entry.document.id >= 0:
                    ids.setdefault(entry.document.__name__, {})[
                        entry.document.id] = entry.id
        closed = set()
        for model, by_document in ids.items():
            open_ = readable(model, by_document)
            closed.update(e for d, e in by_document.items() if d not in open_)
        return closed

    @classmethod
    def get_rec_name(cls, entries, name):
        closed = cls.closed_documents(entries)
        Model = Pool().get('ir.model')
        names = {}
        with without_check_access():
            for entry in cls.browse(entries):
                if entry.id in closed:
                    document = entry.document
                    names[entry.id] = (
                        f'{Model.get_name(document.__name__)} #{document.id}')
                elif entry.document:
                    names[entry.id] = entry.document.rec_name
                else:
                    names[entry.id] = entry.title
        return names

    @classmethod
    def search_rec_name(cls, name, clause):
        return [('title',) + tuple(clause[1:])]

    @classmethod
    def get_metadata(cls, entries, names):
        result = {n: {} for n in names}
        closed = cls.closed_documents(entries)
        with without_check_access():
            for entry in cls.browse(entries):
                if entry.id in closed:
                    for name in names:
                        result[name][entry.id] = None
                    continue
                values = entry.archive_metadata()
                for name in names:
                    if name == 'signer':
                        value = ', '.join(
                            s.full_name for s in values.get('signers', []))
                    else:
                        value = values.get(name)
                    result[name][entry.id] = value
        return result

    def archive_metadata(self):
        "The Circular 02 metadata of the document, package.Document's"
        if self.document:
            values = self.document.archive_metadata()
        else:
            values = {
                'direction': 'internal',
                'type_name': gettext('mvp_archive.msg_note_type'),
                'subject': metadata.clip(self.title, metadata.SUBJECT),
                'issued_date': self.date,
                }
        values['organ_name'] = values.get('organ_name')
        return values

    def archive_document(self, stack):
        """(package.Document, its mvp.document.file records); temporary
        copies of the files live as long as stack"""
        if self.document:
            holders = self.document.archive_holders()
        elif self.file:
            holders = [(self, self.file, 'main')]
        else:
            holders = []
        files = []
        for holder, file, role in holders:
            files.append(package.File(
                    name=holder.file_name or file.name,
                    path=local_path(file, stack),
                    role=role,
                    evidence=(evidence(holder, file)
                        if self.document and is_pdf(file, stack) else None),
                    pdfa=rendition_path(file, stack)))
        return package.Document(
            ordinal=self.ordinal,
            page_amount=self.pages,
            files=files,
            **self.archive_metadata()), [f for _, f, _ in holders]

    @classmethod
    def create(cls, vlist):
        entries = super().create(vlist)
        cls._number(entries)
        cls.refresh(entries)
        return entries

    @classmethod
    def _number(cls, entries):
        "Number the new entries after those of their dossiers"
        with without_check_access():
            to_write = []
            for dossier in {e.dossier for e in entries}:
                others = cls.search([
                        ('dossier', '=', dossier.id),
                        ('id', 'not in', [e.id for e in entries]),
                        ], order=[('ordinal', 'DESC')], limit=1)
                following = (others[0].ordinal or 0) + 1 if others else 1
                for entry in entries:
                    if entry.dossier == dossier and not entry.ordinal:
                        to_write.extend([[entry], {'ordinal': following}])
                        following += 1
            if to_write:
                cls.write(*to_write)

    @classmethod
    def refresh(cls, entries):
        """Take the date, pages and secrecy of the documents filed as they
        are now"""
        to_write = []
        with without_check_access(), ExitStack() as stack:
            for entry in cls.browse(entries):
                if not entry.document:
                    if entry.pages is None and entry.file:
                        pages = count_pages([entry.file], stack)
                        if pages:
                            to_write.extend([[entry], {'pages': pages}])
                    continue
                values = entry.document.archive_metadata()
                pages = entry.document.pages or count_pages(
                    [f for _, f, _ in entry.document.archive_holders()],
                    stack)
                changes = {
                    'date': values.get('issued_date')
                    or values.get('arrival_date')
                    or entry.create_date.date(),
                    'pages': pages,
                    'secrecy': entry.document.secrecy,
                    }
                changes = {k: v for k, v in changes.items()
                    if getattr(entry, k) != v}
                if changes:
                    to_write.extend([[entry], changes])
            if to_write:
                cls.write(*to_write)

    @classmethod
    def check_modification(cls, mode, entries, values=None, external=False):
        super().check_modification(
            mode, entries, values=values, external=external)
        for entry in entries:
            state = entry.dossier.state
            if mode == 'delete' and state == 'disposed':
                # the approved disposal removes them
                continue
            if entry.dossier.permanent and state != 'open' and (
                    mode == 'delete'):
                raise PermanentError(gettext(
                        'mvp_archive.msg_dossier_permanent',
                        dossier=entry.dossier.rec_name))
            if state != 'open':
                raise FrozenError(gettext(
                        'mvp_archive.msg_dossier_frozen',
                        dossier=entry.dossier.rec_name))
        if mode == 'write' and external and (
                values.keys() & {'dossier', 'document'}):
            raise DossierError(gettext('mvp_archive.msg_dossier_refile'))
        if mode == 'create':
            cls._check_documents(entries, external)

    @classmethod
    def _check_documents(cls, entries, external):
        """Documents are filed in a dossier of their own agency, by people
        who may read them"""
        for entry in entries:
            document = entry.document
            if document and document.company != entry.dossier.company:
                raise DossierError(gettext(
                        'mvp_archive.msg_dossier_other_agency',
                        document=document.rec_name,
                        dossier=entry.dossier.rec_name))
        if external:
            documents = {}
            for entry in entries:
                if entry.document:
                    documents.setdefault(
                        entry.document.__class__, []).append(
                        entry.document.id)
            with check_access():
                for Model, ids in documents.items():
                    # the rules refuse what they may not read
                    Model.read(ids, ['id'])

    @classmethod
    def file_documents(cls, dossier, documents):
        "File the documents in dossier, each once; return the new entries"
        filed = {e.document for e in dossier.documents if e.document}
        documents = [d for d in documents if d not in filed]
        if not documents:
            raise DossierError(gettext(
                    'mvp_archive.msg_dossier_already_filed',
                    dossier=dossier.rec_name))
        return cls.create([{
                    'dossier': dossier.id,
                    'document': str(d),
                    } for d in documents])


def package_directory():
    """Where the archive keeps the packages of this database: [archive]
    directory/<database>, by default archive/ in the database's file store,
    so that backups hold them"""
    name = Transaction().database.name
    directory = config.get('archive', 'directory')
    if directory:
        return Path(directory) / name
    return Path(config.get('database', 'path')) / name / 'archive'


def local_path(file, stack):
    """A path to the bytes of a mvp.document.file: trytond's file store's
    own, or a temporary copy that lives as long as stack"""
    if file.file_id and type(filestore) is FileStore:
        path = filestore._filename(
            file.file_id, Transaction().database.name)
        if os.path.isfile(path):
            return path
    folder = stack.enter_context(tempfile.TemporaryDirectory(
            prefix='mvp-archive-'))
    path = os.path.join(folder, 'file')
    with open(path, 'wb') as f:
        f.write(file.data)
    return path


def is_pdf(file, stack):
    return (file.name or '').lower().endswith('.pdf') or package.is_pdf(
        local_path(file, stack))


def count_pages(files, stack):
    "The pages of the PDF files, None when none is a PDF"
    counts = [package.pages(local_path(f, stack)) for f in files
        if is_pdf(f, stack)]
    counts = [c for c in counts if c]
    return sum(counts) if counts else None


def rendition_path(file, stack):
    "The PDF/A rendition made earlier of file, its path; None if none"
    Rendition = Pool().get('mvp.archive.rendition')
    renditions = Rendition.search([('original', '=', file.id)], limit=1)
    if renditions:
        return local_path(renditions[0].rendition, stack)


def evidence(holder, file):
    """The validation of the signatures of file as held by holder (a
    document or an annex), as stored when it was verified"""
    Signature = Pool().get('mvp.signature')
    signatures = Signature.search([
            ('resource', '=', str(holder)),
            ('file', '=', file.id),
            ])
    times = [s.verified_at for s in signatures if s.verified_at]
    return {
        'file': {'name': file.name, 'sha256': file.digest},
        'status': Signature.status_of(signatures),
        'verified_at': max(times).isoformat() if times else None,
        'signatures': [{
                'order': s.sequence,
                'field': s.field_name,
                'signer': s.signer,
                'subject': s.subject,
                'issuer': s.issuer,
                'serial': s.serial,
                'signing_time': s.signing_time.isoformat()
                if s.signing_time else None,
                'timestamped': s.timestamped,
                'level': s.level,
                'coverage': s.coverage,
                'intact': s.intact,
                'trusted': s.trusted,
                'revoked': s.revoked,
                'expired': s.expired,
                'result': s.status,
                'reasons': (s.reasons or '').split(),
                } for s in signatures],
        }


class ReceiveStart(ModelView):
    "Receipt of a dossier by the archive"
    __name__ = 'mvp.archive.dossier.receive.start'
    __string__ = "Receive Dossier"

    number = fields.Char(
        "Receipt Number", required=True,
        help="The number of the record of delivery (biên bản giao nhận).")
    date = fields.Date("Receipt Date", required=True)
    by = fields.Char(
        "Received By", required=True,
        help="The archivist who received the dossier.")
    note = fields.Text("Note")


class Receive(Wizard):
    """Record the archive's receipt of submitted dossiers, once their
    packages are found intact"""
    __name__ = 'mvp.archive.dossier.receive'
    start = StateView(
        'mvp.archive.dossier.receive.start',
        'mvp_archive.dossier_receive_start_view_form', [
            Button("Cancel", 'end', 'tryton-cancel'),
            Button("Receive", 'receive', 'tryton-ok', default=True),
            ])
    receive = StateTransition()

    def default_start(self, fields):
        return {'date': Pool().get('ir.date').today()}

    def transition_receive(self):
        self.model._check_rule(self.records)
        with without_check_access():
            self.model._received(
                self.records, self.start.number, self.start.date,
                self.start.by, self.start.note)
        return 'end'
