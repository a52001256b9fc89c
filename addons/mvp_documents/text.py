"""Vietnamese text in the models: NFC on write, legacy text, search without
marks, Vietnamese alphabetical order.

The work is done by vntext; these mixins only apply it to the models.

``UnicodeMixin``
    Every Char and Text value is stored in Unicode NFC (TCVN 6909:2001).
    Text pasted from a document typed in a legacy 8-bit encoding (TCVN3/ABC,
    VNI-Windows), which the browser shows as "QuyÕt ®Þnh", is converted
    when vntext.detect tells its encoding: detection asks for words that
    read as Vietnamese syllables in that encoding only, so the result is
    the text its author typed, and asking the clerk to convert it himself
    would only send him to UniKey to get the same result.  Text that mixes
    Unicode and legacy words is refused with a message saying how to fix
    it: converting the legacy words would need guessing which ones they
    are.  VIQR is left as typed: it is plain ASCII and ordinary ASCII text
    reads as VIQR too ("I'm" would become "Ím").  Files (annexes, document
    files) are stored as uploaded: they are records, and the bytes of a
    signed file must not change; ``mvp text convert`` converts files.
``SearchTextMixin``
    A stored ``search_text`` holds the folded text (vntext.fold: no marks,
    đ as d, casefolded) of the fields in ``_search_fields``, one per line,
    kept by compute_fields and indexed with a pg_trgm GIN index on
    PostgreSQL.  Every ``ilike`` search of the model goes through it: the
    rec_name search of the client's search box, ``search_text`` itself,
    and a clause on one of the fields such as ('abstract', 'ilike',
    '%quyet dinh%'), which also requires the field to match the query with
    its vowels and d as wildcards so that it stays a search on that field.
    The same Python fold serves SQLite and PostgreSQL, so both find the
    same records.
``SortKeyMixin``
    A stored ``sort_key`` (vntext.sort_key of the name) orders the ``name``
    of the model in Vietnamese alphabetical order, compared byte by byte
    (COLLATE "C" on PostgreSQL, SQLite's default).
"""
import logging

from sql import Collate, Column
from sql.conditionals import Coalesce

from trytond import backend
from trytond.i18n import gettext
from trytond.model import Index, fields
from trytond.model.modelstorage import is_leaf
from trytond.transaction import Transaction

from . import vntext
from .exceptions import EncodingError

logger = logging.getLogger(__name__)

ENCODING_NAMES = {
    'tcvn3': 'TCVN3 (ABC)', 'vni': 'VNI-Windows', 'viqr': 'VIQR',
    'unicode': 'Unicode',
    }
# Letters that are the same in the folded and the stored text: the
# vowels, y and d may carry marks or be đ.
_PLAIN = set('bcfghjklmnpqrstvwxzBCFGHJKLMNPQRSTVWXZ')


class UnicodeMixin:
    "Store Char and Text values in Unicode NFC, converting legacy text"
    __slots__ = ()
    # The fields to normalise; None for every stored Char and Text field.
    _unicode_fields = None

    @classmethod
    def _unicode_names(cls):
        if cls._unicode_fields is not None:
            return cls._unicode_fields
        return [n for n, f in cls._fields.items()
            if isinstance(f, fields.Char)
            and n not in {'search_text', 'sort_key'}]

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        for name in cls._unicode_names():
            value = values.get(name)
            if isinstance(value, str) and not value.isascii():
                values[name] = cls._to_unicode(name, value)
        return values

    @classmethod
    def _to_unicode(cls, name, value):
        try:
            encoding = vntext.detect(value)
        except vntext.MixedEncoding as error:
            legacy = [e for e in error.encodings if e != 'unicode']
            samples = [s for s in error.samples
                if not any(c in vntext.LETTERS_134 and ord(c) > 0xFF
                    for c in s)]
            raise EncodingError(gettext(
                    'mvp_documents.msg_text_mixed_encoding',
                    field=cls.__names__(name)['field'],
                    encodings=', '.join(
                        ENCODING_NAMES.get(e, e) for e in legacy),
                    sample=(samples or error.samples or [''])[0]))
        except vntext.UnknownEncoding:
            # Foreign words that read oddly ("Müller µm"): not Vietnamese
            # in any encoding, kept as typed.
            encoding = 'unicode'
        if encoding in {'tcvn3', 'vni'}:
            return vntext.to_unicode(value, encoding)
        return vntext.nfc(value)


class SearchTextMixin(UnicodeMixin):
    "Search the fields of _search_fields without marks"
    __slots__ = ()
    _search_fields = ()

    search_text = fields.Text("Search Text", readonly=True, loading='lazy')

    @classmethod
    def __setup__(cls):
        super().__setup__()
        t = cls.__table__()
        # Char and Text search with Coalesce(column, ''): so is the index.
        cls._sql_indexes.add(
            Index(t, (Coalesce(t.search_text, ''), Index.Similarity())))
        for name in cls._search_fields:
            # Ours replaces PostgreSQL's full text search, whose stemming
            # does not know Vietnamese and which SQLite does not have.
            getattr(cls, name).search_full_text = False

    @classmethod
    def __register__(cls, module):
        if backend.name == 'postgresql':
            create_search_extensions()
        super().__register__(module)
        fill(cls, 'search_text', cls._search_fields, search_text)

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names=field_names)
        if field_names is None or field_names & {
                'search_text', *self._search_fields}:
            text = search_text(
                [getattr(self, f, None) for f in self._search_fields])
            if text != self.search_text:
                values['search_text'] = text
        return values

    @classmethod
    def search_rec_name(cls, name, clause):
        _, operator, value, *extra = clause
        if operator in {'ilike', 'not ilike'} and isinstance(value, str):
            return [search_text_clause(operator, value)]
        bool_op = 'AND' if operator.startswith(('!', 'not ')) else 'OR'
        return [bool_op] + [
            (f, operator, value, *extra) for f in cls._search_fields]

    @classmethod
    def search_domain(cls, domain, active_test=None, tables=None):
        return super().search_domain(
            cls._fold_domain(domain), active_test=active_test, tables=tables)

    @classmethod
    def _fold_domain(cls, domain):
        "Turn the ilike clauses on the searched fields into folded ones"
        if is_leaf(domain):
            name, operator, value = domain[:3]
            if (operator not in {'ilike', 'not ilike'}
                    or not isinstance(value, str)):
                return domain
            if name == 'search_text':
                return search_text_clause(operator, value)
            if name in cls._search_fields:
                clauses = [
                    search_text_clause(operator, value),
                    (name, operator, loose_pattern(value)),
                    ]
                return ['OR', *clauses] if operator == 'not ilike' else [
                    'AND', *clauses]
            return domain
        if isinstance(domain, (list, tuple)):
            return [d if isinstance(d, str) else cls._fold_domain(d)
                for d in domain]
        return domain


class SortKeyMixin(UnicodeMixin):
    "Order the name in Vietnamese alphabetical order"
    __slots__ = ()
    _sort_fields = ('name',)

    sort_key = fields.Char(
        "Sort Key", readonly=True, loading='lazy', strip=False)

    @classmethod
    def __post_setup__(cls):
        super().__post_setup__()
        if not any(f == 'name' for f, _ in cls._order):
            cls._order.insert(0, ('name', 'ASC'))

    @classmethod
    def __register__(cls, module):
        super().__register__(module)
        fill(cls, 'sort_key', cls._sort_fields,
            lambda row: vntext.sort_key(cls._sort_text(*row)))

    @classmethod
    def _sort_text(cls, name, *others):
        "The text that orders the record, from the _sort_fields values"
        return name or ''

    def compute_fields(self, field_names=None):
        values = super().compute_fields(field_names=field_names)
        if field_names is None or field_names & {
                'sort_key', *self._sort_fields}:
            key = vntext.sort_key(self._sort_text(
                    *(getattr(self, f, None) for f in self._sort_fields)))
            if key != self.sort_key:
                values['sort_key'] = key
        return values

    @classmethod
    def order_name(cls, tables):
        table, _ = tables[None]
        column = Column(table, 'sort_key')
        if backend.name == 'postgresql':
            # The key is built to be compared by code point; a linguistic
            # collation would skip its separators.
            column = Collate(column, 'C')
        return [column]


def search_text(values):
    "The folded text of the values, one per line"
    return '\n'.join(
        vntext.fold(v) for v in values if isinstance(v, str) and v.strip())


def search_text_clause(operator, value):
    "The clause on search_text of an ilike clause: contains the folded value"
    folded = vntext.fold(_core(value)[1])
    operator = 'not like' if operator.startswith('not') else 'like'
    return ('search_text', operator, f'%{folded}%' if folded else '%')


def _core(value):
    """Return (start, core, end) of an ilike pattern: its core without its
    outer wildcards and spaces, and whether it had them"""
    core = value.lstrip('% \t\n')
    start = '%' in value[:len(value) - len(core)]
    end = False
    while core.endswith(('%', ' ', '\t', '\n')) and not core.endswith('\\%'):
        end = end or core.endswith('%')
        core = core[:-1]
    return start, core, end


def loose_pattern(value):
    """The ilike pattern of value with every letter that may carry a mark in
    the stored text as a wildcard: "quyet dinh" -> "q_y_t%_i_h"."""
    start, core, end = _core(value)
    chars, escape, space = [], False, False
    for char in vntext.nfc(core):
        if escape:
            chars.append(char)
            escape = False
        elif char == '\\':
            chars.append(char)
            escape = True
        elif char.isspace():
            if not space:
                chars.append('%')
        elif char.isalpha() and char not in _PLAIN:
            chars.append('_')
        else:
            chars.append(char)
        space = char.isspace()
    return '%' * start + ''.join(chars) + '%' * end


def create_search_extensions():
    """Create PostgreSQL's pg_trgm and btree_gin extensions for the search
    indexes (btree_gin: an agency's documents and their text in one).

    Both are trusted extensions (PostgreSQL 13+): the owner of the
    database may create them.  Without them the search still works,
    slowly."""
    transaction = Transaction()
    database = transaction.database
    cursor = transaction.connection.cursor()
    for name in ['pg_trgm', 'btree_gin']:
        if database.has_extension(name):
            continue
        cursor.execute('SAVEPOINT mvp_extension')
        try:
            cursor.execute(f'CREATE EXTENSION IF NOT EXISTS {name}')
        except Exception as error:
            # Missing privilege or package: any error aborts the
            # transaction up to the savepoint, and the update goes on
            # without the index.
            cursor.execute('ROLLBACK TO SAVEPOINT mvp_extension')
            logger.warning(
                "%s cannot be created (%s): searches will read more than "
                "they need; see config/README.md", name, error)
            continue
        cursor.execute('RELEASE SAVEPOINT mvp_extension')
        # trytond asks on another connection, which does not see it until
        # commit, when it creates the indexes at the end of this update.
        database._extensions[database.name][name] = True


def fill(Model, column, sources, compute):
    "Compute column where it is empty, on the rows the update found"
    transaction = Transaction()
    cursor = transaction.connection.cursor()
    table = Model.__table__()
    target = Column(table, column)
    cursor.execute(*table.select(
            table.id, *(Column(table, s) for s in sources),
            where=target == None))  # noqa: E711
    rows = cursor.fetchall()
    for id_, *values in rows:
        cursor.execute(*table.update(
                [target], [compute(values)], where=table.id == id_))
