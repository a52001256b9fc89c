import hashlib

from psycopg.types.numeric import Int4
from sql.conditionals import Case, Coalesce

from trytond import backend, config
from trytond.i18n import gettext
from trytond.model import (
    DeactivableMixin, Index, ModelSQL, ModelView, Unique, fields)
from trytond.pool import Pool
from trytond.pyson import Eval, If
from trytond.ir.resource import ResourceAccessMixin
from trytond.transaction import (
    Transaction, check_access, without_check_access)

from .access import RuleCheckMixin, logging_reads
from .exceptions import DocumentError, FileSizeError, ImmutableError
from .text import SearchTextMixin, SortKeyMixin, UnicodeMixin

URGENCY = [
    ('normal', "Normal"),
    ('urgent', "Urgent"),
    ('very_urgent', "Very Urgent"),
    ('flash', "Flash"),
    ('flash_timed', "Timed Flash"),
    ]
# Most urgent first: every list shows them on top (Art. 4.2).
URGENCY_RANK = {'flash_timed': 0, 'flash': 1, 'very_urgent': 2, 'urgent': 3}
SECRECY = [
    ('normal', "Normal"),
    ('confidential', "Confidential"),
    ('secret', "Secret"),
    ('top_secret', "Top Secret"),
    ]
# Late rows red, urgent ones and those due soon orange, work done late grey,
# in every list. A list's attributes holding PYSON must be given by
# view_attributes: the client decodes them.
VISUAL = ('/tree', 'visual', If(Eval('overdue', False), 'danger',
        If((Eval('urgency', 'normal') != 'normal')
            | (Eval('deadline_state', '') == 'due_soon'), 'warning',
            If(Eval('deadline_state', '') == 'done_late', 'muted', ''))))


def agency_column():
    """The view attribute showing the agency column of a list to those who
    see every agency's documents, hiding it from the agencies' own people"""
    ModelData = Pool().get('ir.model.data')
    groups = Eval('groups', [])
    wide = [ModelData.get_id('mvp_documents', g)
        for g in ['group_oversight', 'group_admin_province']]
    return ('/tree/field[@name="company"]', 'tree_invisible',
        ~(groups.contains(wide[0]) | groups.contains(wide[1])))


LEGAL_STATUS = [
    ('valid', "Signed and valid"),
    ('invalid', "Signature not valid"),
    ('unsigned', "Unsigned, for reference only"),
    ]


# Files of office documents, scans included; config [mvp_documents]
# max_file_size (bytes) changes it.
MAX_FILE_SIZE = 50 * 2 ** 20


def max_file_size():
    "The largest file accepted, in bytes"
    return config.getint(
        'mvp_documents', 'max_file_size', default=MAX_FILE_SIZE)


def check_file_size(data, name):
    "FileSizeError when data is larger than max_file_size"
    limit = max_file_size()
    if data is not None and len(data) > limit:
        raise FileSizeError(gettext('mvp_documents.msg_file_too_large',
                file=name, size=round(len(data) / 2 ** 20, 1),
                limit=round(limit / 2 ** 20, 1)))


class BoundedFilesMixin:
    "Every Binary field holds at most max_file_size bytes"
    __slots__ = ()

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        # before any setter stores or parses the file
        for name, value in values.items():
            field = cls._fields.get(name)
            if value and field is not None and field._type == 'binary':
                check_file_size(value, values.get(
                        getattr(field, 'filename', None) or '')
                    or cls.__names__(name)['field'])
        return values


class DocumentType(
        SortKeyMixin, SearchTextMixin, DeactivableMixin, ModelSQL, ModelView):
    "Document type with its Decree 30/2020 abbreviation"
    __name__ = 'mvp.document.type'
    __string__ = "Document Type"
    _search_fields = ('name', 'code')

    name = fields.Char("Name", required=True)
    code = fields.Char(
        "Abbreviation",
        help="Decree 30/2020, Appendix III; empty for a công văn.")
    with_year = fields.Boolean(
        "Year in Number",
        help="Legal normative documents carry the year: 17/2026/QĐ-UBND.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls._order.insert(0, ('name', 'ASC'))

    def get_rec_name(self, name):
        return f'{self.name} ({self.code})' if self.code else self.name


class FieldOfWork(
        SortKeyMixin, SearchTextMixin, DeactivableMixin, ModelSQL, ModelView):
    "Field of work (lĩnh vực)"
    __name__ = 'mvp.document.field'
    __string__ = "Field of Work"
    _search_fields = ('name',)

    name = fields.Char("Name", required=True)


class File(UnicodeMixin, ModelSQL, ModelView):
    "Document file, stored once however many documents hold it"
    __name__ = 'mvp.document.file'
    __string__ = "Document File"

    name = fields.Char("Name", required=True, readonly=True)
    data = fields.Binary(
        "Data", filename='name', file_id='file_id', readonly=True)
    file_id = fields.Char("File ID", readonly=True)
    digest = fields.Char("SHA-256", required=True, readonly=True)
    size = fields.Integer("Size", readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            ('digest_unique', Unique(t, t.digest),
                'mvp_documents.msg_file_digest_unique'),
            ]

    @classmethod
    def store(cls, name, data):
        "Return the file holding data, creating it only if it is new"
        data = bytes(data)
        check_file_size(data, name)
        digest = hashlib.sha256(data).hexdigest()
        files = cls.search([('digest', '=', digest)], limit=1)
        if files:
            return files[0]
        file, = cls.create([{
                    'name': name, 'data': data, 'digest': digest,
                    'size': len(data)}])
        return file


class FileMixin(BoundedFilesMixin):
    "A file field backed by mvp.document.file, with its name"
    __slots__ = ()
    file = fields.Many2One(
        'mvp.document.file', "File", readonly=True, ondelete='RESTRICT')
    file_name = fields.Char("File Name")
    file_data = fields.Function(
        fields.Binary("File", filename='file_name'),
        'get_file_data', setter='set_file_data')

    @classmethod
    def get_file_data(cls, records, name):
        # The web client asks for sizes only, until the file is opened.
        # Files are reached only through the documents holding them, whose
        # rules the caller has passed to read them.
        if Transaction().context.get(f'{cls.__name__}.{name}') == 'size':
            with without_check_access():
                return {r.id: r.file.size if r.file else None
                    for r in cls.browse(records)}
        cls._log_access(records, 'download')
        with without_check_access():
            return {r.id: r.file.data if r.file else None
                for r in cls.browse(records)}

    @classmethod
    def set_file_data(cls, records, name, value):
        File = Pool().get('mvp.document.file')
        file = None
        with without_check_access():
            if value:
                file = File.store(records[0].file_name or 'document', value)
            cls.write(records, {'file': file.id if file else None})

    @classmethod
    def _log_access(cls, records, event):
        pass


class Annex(
        RuleCheckMixin, UnicodeMixin, FileMixin, ResourceAccessMixin,
        ModelSQL, ModelView):
    "Annex or attached file of a document"
    __name__ = 'mvp.document.annex'
    __string__ = "Annex"

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.resource.string = "Document"
        # Downloading a secret document's annex is logged.
        logging_reads(cls, ['read', 'search_read'])

    @staticmethod
    def get_models():
        Model = Pool().get('ir.model')
        return [(m, Model.get_name(m)) for m in [
                'mvp.document.incoming', 'mvp.document.outgoing']]

    @classmethod
    def _log_access(cls, annexes, event):
        documents = [a.resource for a in annexes if a.resource]
        for Document in {d.__class__ for d in documents}:
            Document._log_access(
                [d for d in documents if isinstance(d, Document)], event)

    @classmethod
    def check_modification(cls, mode, annexes, values=None, external=False):
        super().check_modification(
            mode, annexes, values=values, external=external)
        if not external:
            return
        # Tryton checks the documents after: the errors below name them.
        with check_access():
            cls.check_access([a.id for a in annexes], mode=mode)
        documents = {a.resource for a in annexes if a.resource}
        if values and values.get('resource'):
            # Moved to another document: as changing that one.
            model, id_ = str(values['resource']).split(',')
            documents.add(Pool().get(model)(int(id_)))
        for document in documents:
            if getattr(document, 'files_frozen', lambda: False)():
                raise ImmutableError(gettext(
                        'mvp_documents.msg_document_frozen',
                        document=document.rec_name))


class RecipientGroup(
        SortKeyMixin, SearchTextMixin, DeactivableMixin, ModelSQL, ModelView):
    "Recipient list, e.g. every commune of the province"
    __name__ = 'mvp.recipient.group'
    __string__ = "Recipient List"
    _search_fields = ('name',)

    name = fields.Char("Name", required=True)
    units = fields.Many2Many(
        'mvp.recipient.group-mvp.unit', 'group', 'unit', "Agencies",
        domain=[('kind', '!=', 'division')])


class RecipientGroupUnit(ModelSQL):
    __name__ = 'mvp.recipient.group-mvp.unit'
    __string__ = "Recipient List - Agency"

    group = fields.Many2One(
        'mvp.recipient.group', "Group", required=True, ondelete='CASCADE')
    unit = fields.Many2One(
        'mvp.unit', "Agency", required=True, ondelete='CASCADE')


class _Agency(fields.Many2One):
    """A document's agency: its ids go to PostgreSQL as integer, the
    column's type, which the btree_gin index of the agency and its text
    compares (psycopg sends an int that fits as smallint)"""

    def sql_format(self, value):
        value = super().sql_format(value)
        if type(value) is int and backend.name == 'postgresql':
            return Int4(value)
        return value


class DocumentMixin(RuleCheckMixin, SearchTextMixin, FileMixin):
    "What incoming and outgoing documents share"
    __slots__ = ()

    company = _Agency(
        'company.company', "Agency", required=True, readonly=True,
        ondelete='RESTRICT')
    type = fields.Many2One(
        'mvp.document.type', "Type", required=True, ondelete='RESTRICT')
    abstract = fields.Text("Abstract", required=True)
    urgency = fields.Selection(
        URGENCY, "Urgency", required=True, sort=False)
    urgency_string = urgency.translated('urgency')
    urgency_time = fields.DateTime(
        "Deliver By",
        states={
            'invisible': Eval('urgency') != 'flash_timed',
            'required': Eval('urgency') == 'flash_timed',
            })
    secrecy = fields.Selection(
        SECRECY, "Secrecy", required=True, sort=False)
    field_of_work = fields.Many2One(
        'mvp.document.field', "Field of Work", ondelete='RESTRICT')
    pages = fields.Integer("Pages")
    annexes = fields.One2Many('mvp.document.annex', 'resource', "Annexes")

    # Set by each document: the states its shared fields are edited in, the
    # state it may be deleted in and the message refusing the others.
    _editable_states = ()
    _deletable_state = None
    _delete_message = None

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Reading a secret document is an audited act: it writes the log.
        logging_reads(cls, ['read', 'search_read', 'export_data'])
        t = cls.__table__()
        # A person searches their agency's documents: one index for both
        # conditions (btree_gin on PostgreSQL), not the province's matches
        # filtered by agency.
        cls._agency_text_index = Index(t, (t.company, Index.Equality()),
            (Coalesce(t.search_text, ''), Index.Similarity()))
        cls._sql_indexes.add(cls._agency_text_index)
        for name in [
                'type', 'abstract', 'urgency', 'urgency_time', 'secrecy',
                'field_of_work', 'pages', 'file_name', 'file_data']:
            field = getattr(cls, name)
            field.states = field.states.copy()
            field.states['readonly'] = ~Eval('state').in_(
                list(cls._editable_states))

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        if (backend.name != 'postgresql'
                or not Transaction().database.has_extension('btree_gin')):
            # It would be a btree, whose rows a long text outgrows.
            cls._sql_indexes.discard(cls._agency_text_index)

    @classmethod
    def view_attributes(cls):
        return super().view_attributes() + [VISUAL, agency_column()]

    @classmethod
    def default_company(cls):
        return Transaction().context.get('company')

    @classmethod
    def default_urgency(cls):
        return 'normal'

    @classmethod
    def default_secrecy(cls):
        return 'normal'

    @staticmethod
    def order_urgency(tables):
        table, _ = tables[None]
        return [Case(
                *((table.urgency == k, r) for k, r in URGENCY_RANK.items()),
                else_=len(URGENCY_RANK))]

    @property
    def is_urgent(self):
        return self.urgency in URGENCY_RANK

    def is_frozen(self):
        "Tell whether the document can no longer be edited"
        raise NotImplementedError

    def files_frozen(self):
        "Tell whether its file and annexes can no longer change"
        return self.is_frozen()

    @classmethod
    def read(cls, ids, fields_names):
        # The record name and search_text hold the abstract too.
        watch = bool({'abstract', 'search_text', 'rec_name'}
            & set(fields_names)) and Transaction().check_access
        extra = watch and 'secrecy' not in fields_names
        result = super().read(
            ids, fields_names + ['secrecy'] if extra else fields_names)
        if watch:
            secret = [r['id'] for r in result if r['secrecy'] != 'normal']
            if secret:
                cls._log_access(cls.browse(secret), 'read')
            if extra:
                for row in result:
                    del row['secrecy']
        return result

    @classmethod
    def export_data(cls, records, fields_names, header=False):
        result = super().export_data(records, fields_names, header=header)
        if Transaction().check_access:
            cls._log_access(records, 'read')
        return result

    @classmethod
    def _log_access(cls, records, event):
        "Record who viewed or downloaded a secret document (Art. 4.6)"
        transaction = Transaction()
        if transaction.user:
            # Once a request, however many paths read the document.
            logged = {(str(getattr(l, 'resource', None)),
                    getattr(l, 'event', None))
                for l in transaction.log_records}
            for record in records:
                if (record.secrecy != 'normal'
                        and (str(record), event) not in logged):
                    cls.log([record], event, record.secrecy)

    @classmethod
    def check_modification(cls, mode, records, values=None, external=False):
        super().check_modification(
            mode, records, values=values, external=external)
        if external and mode in {'write', 'delete'}:
            for record in records:
                if record.is_frozen():
                    raise ImmutableError(gettext(
                            'mvp_documents.msg_document_frozen',
                            document=record.rec_name))
        if external and mode == 'write' and (
                values.keys() & {'file', 'file_data', 'file_name'}):
            for record in records:
                # The signer signs what they were given to approve.
                if record.files_frozen():
                    raise ImmutableError(gettext(
                            'mvp_documents.msg_document_file_frozen',
                            document=record.rec_name))
        if mode == 'delete':
            for record in records:
                if record.state != cls._deletable_state:
                    raise DocumentError(gettext(
                            cls._delete_message, document=record.rec_name))

    @classmethod
    def _notify_clerks(cls, documents):
        "Tell the clerks of each agency about documents"
        clerks = cls.staff({d.company for d in documents}, 'group_clerk')
        for document in documents:
            cls.notify(clerks[document.company.id], [document],
                document._clerk_message(), document.abstract)

    def _clerk_message(self):
        "What the clerks are told about the document"
        raise NotImplementedError

    @classmethod
    def staff(cls, companies, group):
        "Return the people of each company in the group (by XML id)"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        companies = {c.id for c in companies}
        result = {c: [] for c in companies}
        for user in User.search([
                    ('companies', 'in', list(companies)),
                    ('groups', '=', ModelData.get_id('mvp_documents', group)),
                    ]):
            for company in user.companies:
                if company.id in result:
                    result[company.id].append(user)
        return result

    @classmethod
    def notify(cls, users, records, label, description=None):
        "Put a notification in the bell of each user, urgent ones marked"
        urgent = any(r.is_urgent for r in records)
        if any(r.secrecy != 'normal' for r in records):
            # What a secret document says is read in it, where it is
            # logged, by those cleared for it.
            description = gettext('mvp_documents.msg_notification_secret')
        for user in {u.id for u in users if u}:
            cls.notify_user(
                records, 'tryton-warning' if urgent else 'tryton-notification',
                label, description, user=user)
