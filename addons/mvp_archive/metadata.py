"""Circular 02/2019 metadata from what the documents hold: plain Python.

The number and notation of a document are written together on it
("17/2026/QĐ-UBND"); the archive's metadata keeps them apart (CodeNumber,
CodeNotation of Decree 30/2020 Appendix VI), the year being the issue
date's::

    >>> split_number_symbol('17/2026/QĐ-UBND')
    ('17', 'QĐ-UBND')
    >>> split_number_symbol('02/UBND-TH')
    ('02', 'UBND-TH')
    >>> split_number_symbol('Thông báo không số')
    (None, 'Thông báo không số')
    >>> split_number_symbol(None)
    (None, None)

Keywords are typed in one field, separated by commas or semicolons::

    >>> keywords('bổ nhiệm; cán bộ,  quy hoạch ,')
    ['bổ nhiệm', 'cán bộ', 'quy hoạch']

The retention period as the dossier's metadata writes it (Maintenance)::

    >>> maintenance(None), maintenance(20)
    ('Vĩnh viễn', '20 năm')

A period of N years runs from the year after the work ended (the dossier's
end date) to the end of the N-th year; the dossier is then due for
appraisal::

    >>> import datetime as dt
    >>> retention_end(dt.date(2026, 5, 4), 10)
    datetime.date(2036, 12, 31)
    >>> retention_end(dt.date(2026, 5, 4), None) is None
    True

Text fields have the lengths of the metadata table; a longer value is cut
at a word with an ellipsis rather than refused (the whole text stays in the
database)::

    >>> clip("Ủy ban nhân dân tỉnh Hưng Yên", 20)
    'Ủy ban nhân dân…'
"""
import datetime as dt
import re

from .package import PERMANENT

# Decree 30/2020 Appendix VI Part II lengths
CODE_NUMBER = 11
CODE_NOTATION = 30
SUBJECT = 500
ORGAN_NAME = 200
FULL_NAME = 50
CREATOR = 30
KEYWORD = 100
DESCRIPTION = 500
TO_PLACES = 1000

# Chế độ sử dụng: the coded values seen in a Circular 05/2025-based design
# (shared/standards/tt02-metadata.md §5), not confirmed for Circular 02.
RIGHTS = {
    'public': "Công khai",
    'conditional': "Có điều kiện",
    'secret': "Mật",
    }

# Urgency as edXML's priority, which the package's Priority follows.
PRIORITY = {
    'normal': 0,
    'urgent': 1,
    'very_urgent': 2,
    'flash': 3,
    'flash_timed': 3,
    }

_YEAR = re.compile(r'\d{4}')


def split_number_symbol(text):
    "(number, notation) of a 'number/year/notation' text; None when absent"
    if not text:
        return None, None
    text = ' '.join(text.split())
    number, slash, rest = text.partition('/')
    number = number.strip()
    if not slash or not number.isdigit() or len(number) > CODE_NUMBER:
        return None, clip(text, CODE_NOTATION)
    parts = [p.strip() for p in rest.split('/') if p.strip()]
    if len(parts) > 1 and _YEAR.fullmatch(parts[0]):
        parts = parts[1:]
    return number, clip('/'.join(parts), CODE_NOTATION) or None


def keywords(text):
    return [clip(k, KEYWORD) for k in
        (' '.join(w.split()) for w in re.split(r'[,;\n]', text or '')) if k]


def maintenance(years):
    return PERMANENT if years is None else f"{years} năm"


def retention_end(end_date, years):
    "The last day of a retention of years after end_date; None if permanent"
    if years is None or end_date is None:
        return None
    return dt.date(end_date.year + years, 12, 31)


def clip(text, length):
    "text cut to length characters, at a word, an ellipsis marking the cut"
    if text is None:
        return None
    text = ' '.join(str(text).split())
    if len(text) <= length:
        return text
    cut = text[:length - 1]
    if ' ' in cut:
        cut = cut.rsplit(' ', 1)[0]
    return cut.rstrip(' ,;.-') + '…'
