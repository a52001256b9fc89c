"""The directory of agencies on the axis: each by its identifier code
(QCVN 102:2016), read from the axis's getAgenciesList or from a CSV file.

Plain Python, no ORM. The axis's items carry ``code``, ``name``, ``mail``
and ``pid`` (the parent's code) as the SDK's samples show them; a CSV file
has one agency a line, ``code,name[,parent,email]``, with or without a
header line naming those columns (English or Vietnamese), separated by
commas or semicolons, in UTF-8. What cannot be read raises
``DirectoryError`` naming the line.
"""
import csv
import dataclasses
import io
import unicodedata

from .edxml import valid_organ_id

MAX_SIZE = 16 * 2 ** 20
MAX_ROWS = 100_000

ENCODING = 'msg_directory_encoding'
TOO_LARGE = 'msg_directory_too_large'
CODE = 'msg_directory_code'
NAME = 'msg_directory_name'
REPEATED = 'msg_directory_repeated'
EMPTY = 'msg_directory_empty'

COLUMNS = {
    'code': {'code', 'organid', 'organ_id', 'ma', 'mã', 'ma dinh danh',
        'mã định danh', 'ma_dinh_danh'},
    'name': {'name', 'organname', 'organ_name', 'ten', 'tên',
        'ten co quan', 'tên cơ quan'},
    'parent': {'parent', 'pid', 'parent_code', 'ma cha', 'mã cha',
        'co quan chu quan', 'cơ quan chủ quản'},
    'email': {'email', 'mail', 'thu dien tu', 'thư điện tử'},
    }


class DirectoryError(ValueError):
    def __init__(self, message_id, **params):
        self.message_id = message_id
        self.params = params
        super().__init__(f'{message_id} {params}')


@dataclasses.dataclass(frozen=True)
class Agency:
    code: str
    name: str
    parent: str = ''
    email: str = ''


def _clean(value):
    return unicodedata.normalize('NFC', ' '.join(str(value or '').split()))


def from_axis(items):
    "The agencies of getAgenciesList's items, those with a valid code"
    result = {}
    for item in items:
        code = _clean(item.get('code') or item.get('OrganId')
            or item.get('organId'))
        name = _clean(item.get('name') or item.get('OrganName')
            or item.get('organName'))
        if not valid_organ_id(code) or not name:
            continue
        result[code] = Agency(code, name,
            parent=_clean(item.get('pid') or item.get('parent')),
            email=_clean(item.get('mail') or item.get('email')))
    return list(result.values())


def from_csv(data):
    "The agencies of a CSV file's bytes"
    if len(data) > MAX_SIZE:
        raise DirectoryError(TOO_LARGE, limit=MAX_SIZE)
    try:
        text = bytes(data).decode('utf-8-sig')
    except UnicodeDecodeError as e:
        raise DirectoryError(ENCODING, line=bytes(data)[:e.start].count(
                b'\n') + 1) from None
    sample = text[:4096]
    delimiter = ';' if sample.count(';') > sample.count(',') else ','
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    columns = ['code', 'name', 'parent', 'email']
    result, seen = [], {}
    for number, row in enumerate(rows, 1):
        cells = [_clean(c) for c in row]
        if not any(cells):
            continue
        if number > MAX_ROWS:
            raise DirectoryError(TOO_LARGE, limit=MAX_ROWS)
        if not result and not seen and _header(cells):
            columns = _header(cells)
            continue
        values = dict(zip(columns, cells))
        code, name = values.get('code', ''), values.get('name', '')
        if not valid_organ_id(code):
            raise DirectoryError(CODE, line=number, value=code[:40])
        if not name:
            raise DirectoryError(NAME, line=number, code=code)
        if code in seen:
            raise DirectoryError(REPEATED, line=number, code=code,
                first=seen[code])
        seen[code] = number
        result.append(Agency(code, name, values.get('parent', ''),
                values.get('email', '')))
    if not result:
        raise DirectoryError(EMPTY)
    return result


def _header(cells):
    "The column names of a header line, or None if it is data"
    names = []
    for cell in cells:
        key = cell.casefold()
        for column, spellings in COLUMNS.items():
            if key in spellings:
                names.append(column)
                break
        else:
            names.append(None)
    if 'code' in names and 'name' in names:
        return names
    return None
