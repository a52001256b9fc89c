from collections import defaultdict
from itertools import groupby

from sql import Null, Select
from sql.conditionals import Coalesce
from sql.operators import Equal

from trytond import backend
from trytond.i18n import gettext
from trytond.ir.resource import ResourceAccessMixin
from trytond.model import (
    Exclude, Index, Model, ModelSQL, ModelStorage, fields)
from trytond.model.exceptions import AccessError
from trytond.pool import Pool, PoolMeta
from trytond.tools import grouped_slice
from trytond.transaction import (
    Transaction, check_access, without_check_access)

from . import audit
from .access import (
    ResourceCheckMixin, RuleCheckMixin, log_documents, logging_reads,
    readable)

# Advisory locks of the audit chains: this key in the high 32 bits, the
# agency in the low ones.
CHAIN_LOCK = 0x6d767061  # "mvpa"
# Who read the audit by agency, whatever their access to the records logged.
AUDITORS = ['group_admin_province', 'group_admin_agency', 'group_oversight']

from . import worktime


class Date(metaclass=PoolMeta):
    __name__ = 'ir.date'

    @classmethod
    def today(cls, timezone=None):
        # Scheduled actions and root have no company, whose time zone would
        # say which day it is; every agency of the province is in Vietnam.
        if timezone is None and Transaction().context.get('company') is None:
            timezone = worktime.TZ
        return super().today(timezone=timezone)


class Rule(metaclass=PoolMeta):
    __name__ = 'ir.rule'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        cls.domain.help += (
            '\n- "user_id" as the id of the current user'
            '\n- "clearances" as the secrecy levels the current user may see'
            '\n- "agencies" as the ids of the units of the user\'s companies')

    @classmethod
    def _get_cache_key(cls, model_names):
        # The rules of our documents depend on the person, not only on the
        # groups and companies.
        return (*super()._get_cache_key(model_names), Transaction().user)

    @classmethod
    def _get_context(cls, model_name):
        pool = Pool()
        User = pool.get('res.user')
        Unit = pool.get('mvp.unit')
        context = super()._get_context(model_name)
        # The threads of our documents follow their secrecy.
        if not model_name.startswith(('mvp.', 'ir.chat.')):
            return context
        user_id = Transaction().user
        context['user_id'] = user_id
        with without_check_access():
            context['clearances'] = (
                User(user_id).clearances if user_id else ['normal'])
            context['agencies'] = [u.id for u in Unit.search([
                        ('company', 'in', context.get('companies', [])),
                        ])]
        return context


class AuditHead(ModelSQL):
    "The head of an audit chain as each append left it"
    __name__ = 'mvp.audit.head'
    __string__ = "Audit Chain Head"
    # Its rows are part of the audit, not logged themselves.
    _log = False

    agency = fields.Many2One(
        'company.company', "Agency", readonly=True, ondelete='RESTRICT')
    sequence = fields.Integer("Number", required=True, readonly=True)
    hash = fields.Char("Hash", required=True, readonly=True)
    # Not a Many2One: a raw deletion of the entry must show, not cascade.
    entry = fields.Integer("Entry", required=True, readonly=True)

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        cls._sql_constraints += [
            # Two appends at once cannot fork a chain (PostgreSQL).
            ('chain_unique', Exclude(t,
                    (Coalesce(t.agency, 0), Equal), (t.sequence, Equal)),
                'mvp_documents.msg_audit_chain_fork'),
            ]
        cls._sql_indexes.add(Index(
                t, (t.agency, Index.Range()), (t.sequence, Index.Range())))


class ModelLog(metaclass=PoolMeta):
    __name__ = 'ir.model.log'

    agency = fields.Many2One(
        'company.company', "Agency", readonly=True, ondelete='RESTRICT')
    document = fields.Function(
        fields.Char("Document"), 'get_document', searcher='search_document')
    chain_sequence = fields.Integer(
        "Number in Chain", readonly=True,
        help="The entry's rank among the entries of its agency.")
    chain_previous = fields.Char(
        "Previous Hash", readonly=True,
        help="The hash of the agency's entry before this one.")
    chain_hash = fields.Char(
        "Hash", readonly=True,
        help="SHA-256 of the entry's content and of the previous hash.")

    @classmethod
    def __setup__(cls):
        super().__setup__()
        # Viewing and downloading secret documents are logged too (Art. 4.6).
        cls.event.selection += [
            ('read', "Viewed"),
            ('download', "Downloaded"),
            ('backfill', "Back-filled from Paper"),
            ]
        t = cls.__table__()
        cls._sql_indexes.add(Index(
                t, (t.agency, Index.Range()), (t.chain_sequence, Index.Range()),
                where=t.chain_sequence != Null))

    @classmethod
    def __register__(cls, module):
        legacy = not cls.__table_handler__(module).column_exist('chain_hash')
        super().__register__(module)
        if legacy:
            cls._seal_legacy()

    @classmethod
    def _seal_legacy(cls):
        """Chain the entries of our models logged before the chains existed,
        once, when the columns are added"""
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        cursor.execute(*cls._entry_query(table,
                where=(table.chain_sequence == Null)
                & table.resource.like('mvp.%'),
                order_by=[table.id]))
        entries = [_entry(r) for r in cursor.fetchall()]
        companies = {}
        for model in {e.model for e in entries}:
            # The pool of a module update does not hold the later modules:
            # their entries go to the chain without agency.
            Model = _model(model)
            if (Model and isinstance(Model._fields.get('company'),
                        fields.Many2One)
                    and backend.TableHandler.table_exist(Model._table)):
                record = Model.__table__()
                cursor.execute(*record.select(record.id, record.company))
                companies[model] = dict(cursor)
        for entry in entries:
            agency = companies.get(entry.model, {}).get(entry.record)
            cursor.execute(*table.update([table.agency], [agency],
                    where=table.id == entry.id))
        cls._chain([e.id for e in entries])

    def __init__(self, id=None, **kwargs):
        super().__init__(id, **kwargs)
        # The agency of a record deleted after it was logged is known only
        # now: the entry is saved with the transaction.
        resource = kwargs.get('resource')
        if (id is None and 'agency' not in kwargs
                and isinstance(resource, Model) and _ours(resource)):
            with without_check_access():
                self.agency = _agency_of(resource)

    @classmethod
    def create(cls, vlist):
        vlist = [v.copy() for v in vlist]
        missing = [v for v in vlist
            if 'agency' not in v and _ours(v.get('resource'))]
        if missing:
            agencies = cls._agencies(
                [_resource_text(v['resource']) for v in missing])
            for values in missing:
                values['agency'] = agencies.get(
                    _resource_text(values['resource']))
        logs = super().create(vlist)
        cls._chain([l.id for l in logs])
        return logs

    @classmethod
    def _agencies(cls, resources):
        "Return the agency of each existing record of ours 'model,id'"
        pool = Pool()
        ids = defaultdict(set)
        for resource in resources:
            model, id_ = audit.split_resource(resource)
            if id_ is not None and _model(model):
                ids[model].add(id_)
        result = {}
        with without_check_access(), \
                Transaction().set_context(active_test=False):
            for model, model_ids in ids.items():
                Model = pool.get(model)
                for record in Model.search([('id', 'in', list(model_ids))]):
                    result[str(record)] = _agency_of(record)
        return result

    @classmethod
    def _chain(cls, ids):
        "Append the entries of ours among ids to the chains of their agency"
        pool = Pool()
        Head = pool.get('mvp.audit.head')
        transaction = Transaction()
        cursor = transaction.connection.cursor()
        table = cls.__table__()
        entries = []
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*cls._entry_query(table,
                    where=fields.SQL_OPERATORS['in'](table.id, sub_ids)
                    & table.resource.like('mvp.%')))
            entries.extend(_entry(r) for r in cursor)
        entries.sort(key=lambda e: (e.agency or 0, e.id))
        # The agencies' locks in one order: two transactions appending to
        # the same agencies cannot deadlock.
        heads = []
        for agency, chain in groupby(entries, key=lambda e: e.agency):
            chain = list(chain)
            links = audit.link(chain, cls._lock_chain(agency))
            for entry, link in zip(chain, links):
                cursor.execute(*table.update(
                        [table.chain_sequence, table.chain_previous,
                            table.chain_hash],
                        [link.sequence, link.previous, link.hash],
                        where=table.id == entry.id))
            heads.append({
                    'agency': agency, 'sequence': link.sequence,
                    'hash': link.hash, 'entry': entry.id})
        if heads:
            with without_check_access():
                Head.create(heads)
            # create's validation cached the records unchained (as
            # ModelSQL._restore_history, after its own SQL).
            transaction.counter += 1
            for cache in transaction.cache.values():
                if cls.__name__ in cache:
                    for entry in entries:
                        cache[cls.__name__].pop(entry.id, None)

    @classmethod
    def _lock_chain(cls, agency):
        """Wait until no other transaction appends to the chain of agency;
        return its (sequence, hash) as the last append left it"""
        transaction = Transaction()
        database = transaction.database
        cursor = transaction.connection.cursor()
        cursor.execute(*Select([database.lock_id(
                        (CHAIN_LOCK << 32) | (agency or 0), timeout=True)]))
        tail = cls._chain_tail(cursor, agency)
        if backend.name == 'postgresql':
            # This transaction's snapshot predates the appends that
            # committed while it waited: read them in a new one.
            with transaction.new_transaction(readonly=True) as fresh:
                committed = cls._chain_tail(
                    fresh.connection.cursor(), agency)
            if committed and (not tail or committed[0] > tail[0]):
                tail = committed
        return tail

    @classmethod
    def _chain_tail(cls, cursor, agency):
        head = Pool().get('mvp.audit.head').__table__()
        cursor.execute(*head.select(head.sequence, head.hash,
                where=_is(head.agency, agency),
                order_by=[head.sequence.desc], limit=1))
        return cursor.fetchone()

    @classmethod
    def _entry_query(cls, table, **kwargs):
        return table.select(
            table.id, table.agency, table.resource, table.event,
            table.target, table.user, table.create_date,
            table.chain_sequence, table.chain_previous, table.chain_hash,
            **kwargs)

    @classmethod
    def verify_chains(cls):
        """Verify every audit chain; yield for each (agency id, number of
        entries, first audit.Problem or None, last head or None)"""
        pool = Pool()
        Head = pool.get('mvp.audit.head')
        connection = Transaction().connection
        cursor = connection.cursor()
        if backend.name == 'sqlite' and not connection.in_transaction:
            # One read transaction: appends wait for its end.
            cursor.execute('BEGIN')
        table = cls.__table__()
        head = Head.__table__()
        heads = defaultdict(list)
        cursor.execute(*head.select(
                head.agency, head.sequence, head.hash, head.entry,
                head.create_date))
        for agency, *values in cursor:
            heads[agency].append(audit.Head(*values))
        ours = (table.chain_sequence != Null) | table.resource.like('mvp.%')
        cursor.execute(*table.select(table.agency, where=ours,
                group_by=[table.agency]))
        agencies = set(heads) | {a for a, in cursor}
        for agency in sorted(agencies, key=lambda a: a or 0):
            count, problem = audit.verify_chain(
                cls._chain_entries(agency), heads[agency])
            top = max(heads[agency], key=lambda h: h.sequence, default=None)
            yield agency, count, problem, top

    @classmethod
    def _chain_entries(cls, agency, size=10000):
        "The entries of the chain of agency in order, the unchained last"
        cursor = Transaction().connection.cursor()
        table = cls.__table__()
        chain = _is(table.agency, agency)
        after = table.chain_sequence != Null
        while True:
            cursor.execute(*cls._entry_query(table,
                    where=chain & after,
                    order_by=[table.chain_sequence, table.id], limit=size))
            rows = cursor.fetchall()
            yield from map(_entry, rows)
            if len(rows) < size:
                break
            id_, sequence = rows[-1][0], rows[-1][7]
            after = ((table.chain_sequence > sequence)
                | ((table.chain_sequence == sequence) & (table.id > id_)))
        cursor.execute(*cls._entry_query(table,
                where=chain & (table.chain_sequence == Null)
                & table.resource.like('mvp.%'),
                order_by=[table.id]))
        yield from map(_entry, cursor.fetchall())

    @classmethod
    def _reads_by_agency(cls):
        "Tell whether the user reads the audit by agency (record rules)"
        pool = Pool()
        User = pool.get('res.user')
        ModelData = pool.get('ir.model.data')
        transaction = Transaction()
        if not transaction.user or not transaction.check_access:
            return False
        groups = set(User.get_groups())
        return any(ModelData.get_id('mvp_documents', g) in groups
            for g in AUDITORS)

    @classmethod
    def check_access(cls, ids, mode='read'):
        # Auditors see entries on records they may not open themselves
        # (secret documents, documents of their agency's staff): the rules
        # on the log by agency decide.
        if mode == 'read' and cls._reads_by_agency():
            return
        super().check_access(ids, mode=mode)

    @classmethod
    def search(cls, domain, offset=0, limit=None, order=None, count=False,
            **kwargs):
        if cls._reads_by_agency():
            # Skip the filter by access to the records logged.
            return super(ResourceAccessMixin, cls).search(
                domain, offset=offset, limit=limit, order=order, count=count,
                **kwargs)
        return super().search(
            domain, offset=offset, limit=limit, order=order, count=count,
            **kwargs)

    @classmethod
    def read(cls, ids, fields_names):
        # Tryton's own log screens show the record by its name: auditors
        # read entries on records they may not open, whose name is then
        # the entry's document (its kind and id).
        nested = 'resource.rec_name'
        if nested not in fields_names or not cls._reads_by_agency():
            return super().read(ids, fields_names)
        names = [f for f in fields_names if f != nested]
        rows = super().read(ids, list(dict.fromkeys([*names, 'resource'])))
        documents = cls.get_document(cls.browse(ids), 'document')
        others = {r['id'] for r in rows
            if r['resource'] and documents.get(r['id']) is None}
        named = {r['id']: r['resource.']
            for r in super().read(list(others), ['resource', nested])}
        for row in rows:
            _, id_ = audit.split_resource(row['resource'])
            if row['id'] in others:
                row['resource.'] = named[row['id']]
            elif id_ is not None and id_ >= 0:
                row['resource.'] = {
                    'id': id_, 'rec_name': documents[row['id']]}
            else:
                row['resource.'] = None
            if 'resource' not in fields_names:
                del row['resource']
        return rows

    @classmethod
    def get_document(cls, logs, name):
        "The record's name for who may read it, its kind and id otherwise"
        pool = Pool()
        Model_ = pool.get('ir.model')
        ids = defaultdict(set)
        for log in logs:
            model, id_ = audit.split_resource(_resource_text(log.resource))
            if id_ is not None:
                ids[model].add(id_)
        names = {}
        for model, model_ids in ids.items():
            if not _model(model):
                continue
            label = Model_.get_name(model)
            for id_ in model_ids:
                names[f'{model},{id_}'] = f'{label} #{id_}'
            # Getters run without access checks: the reader's apply here.
            Target = pool.get(model)
            for record in Target.browse(readable(model, model_ids)):
                names[str(record)] = record.rec_name
        return {l.id: names.get(_resource_text(l.resource)) for l in logs}

    @classmethod
    def search_document(cls, name, clause):
        "Find entries by the names of the records the user may read"
        pool = Pool()
        ModelAccess = pool.get('ir.model.access')
        _, operator, value = clause[:3]
        domain = ['OR', ('id', '=', -1)]
        # Searchers run without access checks: the reader's apply here, or
        # the names of what they may not read could be guessed.
        with check_access():
            for model, Target in pool.iterobject():
                if (model.startswith('mvp.') and _named(Target)
                        and ModelAccess.check(
                            model, 'read', raise_exception=False)):
                    query = Target.search(
                        [('rec_name', operator, value)], order=[], query=True)
                    domain.append(('resource.id', 'in', query, model))
        return domain

    def get_action(self, name):
        if (self.event in {'read', 'download'} and self.resource
                and 'secrecy' in self.resource._fields):
            field = self.resource.__class__.secrecy
            selection = field.get_selection(
                self.resource.__class__, 'secrecy', self.resource)
            return field.get_selection_string(selection, self.target)
        # The action's label (a button's, a field's) tells nothing of the
        # record, and auditors may not have access to the model logged.
        with without_check_access():
            return super().get_action(name)


def _ours(resource):
    "Tell whether resource ('model,id' or a record) is one of our models'"
    return (_resource_text(resource) or '').startswith('mvp.')


def _resource_text(value):
    "A reference value as 'model,id'"
    if isinstance(value, (list, tuple)):
        return '%s,%s' % tuple(value) if value else None
    return str(value) if value else None


def _model(name):
    "The model named name, or None"
    try:
        return Pool().get(name)
    except KeyError:
        return None


def _named(Model):
    "Tell whether records of Model can be searched by their name"
    return (issubclass(Model, ModelSQL) and not Model.table_query
        and (Model._rec_name in Model._fields
            or Model.search_rec_name.__func__
            is not ModelStorage.search_rec_name.__func__))


def _agency_of(record, depth=1):
    """The agency (company id) of record: its company, its agency unit's
    (divisions), or the company of the record it belongs to (annexes)"""
    company = record.company if 'company' in record._fields else None
    if (company is None and 'agency' in record._fields
            and isinstance(record.agency, Model)
            and record.agency.__name__ == 'mvp.unit'):
        company = record.agency.company
    if isinstance(company, Model) and company.__name__ == 'company.company':
        return company.id
    if depth and 'resource' in record._fields:
        resource = record.resource
        if isinstance(resource, Model) and resource.id and resource.id > 0:
            return _agency_of(resource, depth - 1)
    return None


def _entry(row):
    id_, agency, resource, event, target, user, date, *chain = row
    model, record = audit.split_resource(resource)
    return audit.Entry(
        id_, agency, model, record, event, target, user, date, *chain)


def _is(column, value):
    return column == Null if value is None else column == value


class ChatChannel(RuleCheckMixin, metaclass=PoolMeta):
    __name__ = 'ir.chat.channel'

    @classmethod
    def __setup__(cls):
        super().__setup__()
        logging_reads(cls, ['get'])

    @classmethod
    def check_access(cls, resource):
        super().check_access(resource)
        # Tryton checks the model's access only: whoever may not read a
        # document (another agency's, or above their clearance) neither
        # reads nor writes its thread.
        model, id_ = str(resource).split(',')
        with check_access():
            Pool().get(model).read([int(id_)], ['id'])

    @classmethod
    def get(cls, resource, before=None, after=None):
        messages = super().get(resource, before=before, after=after)
        # A secret document's thread is read as the document is.
        if Transaction().user:
            model, id_ = str(resource).split(',')
            log_documents([Pool().get(model)(int(id_))], 'read')
        return messages


class ResourceLogMixin(ResourceCheckMixin):
    "Reading what hangs on a secret document is reading the document"
    __slots__ = ()
    _read_event = None
    _read_fields = set()

    @classmethod
    def __setup__(cls):
        super().__setup__()
        logging_reads(cls, ['read', 'search_read'])

    @classmethod
    def read(cls, ids, fields_names):
        result = super().read(ids, fields_names)
        if (Transaction().user and Transaction().check_access
                and cls._read_fields & set(fields_names)):
            with without_check_access():
                records = cls.browse(ids)
                log_documents([r.resource for r in records
                        if isinstance(r.resource, Model)], cls._read_event)
        return result


class Attachment(ResourceLogMixin, metaclass=PoolMeta):
    __name__ = 'ir.attachment'
    _read_event = 'download'
    _read_fields = {'data'}


class Note(ResourceLogMixin, metaclass=PoolMeta):
    __name__ = 'ir.note'
    _read_event = 'read'
    _read_fields = {'message', 'message_wrapped'}


class SessionWizard(metaclass=PoolMeta):
    __name__ = 'ir.session.wizard'

    @classmethod
    def check_owner(cls, ids):
        """A wizard's session is its user's: its ids follow each other, and
        it holds what they typed and the records they act on"""
        user = Transaction().user
        if not user:
            return
        table = cls.__table__()
        cursor = Transaction().connection.cursor()
        for sub_ids in grouped_slice(ids, backend.MAX_QUERY_PARAMS):
            cursor.execute(*table.select(table.id,
                    where=fields.SQL_OPERATORS['in'](table.id, sub_ids)
                    & (table.create_uid != user)))
            if cursor.fetchone():
                raise AccessError(gettext(
                        'mvp_documents.msg_wizard_session_other'))

    @classmethod
    def read(cls, ids, fields_names):
        cls.check_owner(ids)
        return super().read(ids, fields_names)

    @classmethod
    def write(cls, *args):
        cls.check_owner([r.id for records in args[::2] for r in records])
        super().write(*args)

    @classmethod
    def delete(cls, sessions):
        cls.check_owner([s.id for s in sessions])
        super().delete(sessions)
