"""Packets as JSON: what ``mvp edxml parse`` prints and ``mvp edxml build``
reads.

The keys are the fields of ``model`` and ``status`` (``sender``,
``recipients``, ``document_id``...), ``kind`` telling ``document`` from
``status``; dates are ISO (``2024-03-05``, ``2024-03-05T09:15:00``), codes
their numbers (``"priority": 1``, ``"code": "03"``). An attachment to build
gives ``name`` and either ``file`` (relative to the JSON file) or
``data_base64``, with ``content_type``, ``description``, ``content_id`` and
``"zip": true`` to send it zipped; a parsed one shows ``size`` and
``sha256`` instead of its bytes.
"""
import base64
import binascii
import dataclasses
import datetime as dt
import enum
import os
import types
import typing

from . import errors as E
from .errors import PacketError
from .model import Attachment, Document
from .status import Status
from .unzip import pack

KINDS = {'document': Document, 'status': Status}


def dump(packet):
    "packet as a JSON-ready dict, attachments described, not carried"
    result = {'kind': 'status' if isinstance(packet, Status) else 'document'}
    result.update(_dump(packet))
    return result


def _dump(value):
    if isinstance(value, Attachment):
        return {
            'name': value.name, 'content_type': value.content_type,
            'description': value.description,
            'content_id': value.content_id, 'size': value.size,
            'sha256': value.sha256}
    if dataclasses.is_dataclass(value):
        return {f.name: _dump(getattr(value, f.name))
            for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, tuple):
        return [_dump(v) for v in value]
    return value


def load(data, base='.'):
    "The packet data describes; files of attachments are relative to base"
    if not isinstance(data, dict):
        raise PacketError(E.JSON, '$', detail="not an object")
    data = dict(data)
    kind = data.pop('kind', 'document')
    if kind not in KINDS:
        raise PacketError(E.JSON, '$.kind', detail="document or status")
    return _load(KINDS[kind], data, '$', base)


def _fail(path, detail):
    return PacketError(E.JSON, path, detail=detail)


def _load(kind, value, path, base):
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        (kind,) = [a for a in typing.get_args(kind) if a is not type(None)]
        return _load(kind, value, path, base)
    if origin is tuple:
        if not isinstance(value, list):
            raise _fail(path, "a list is expected")
        (item, _) = typing.get_args(kind)
        return tuple(_load(item, v, f'{path}[{i}]', base)
            for i, v in enumerate(value))
    if kind is Attachment:
        return _attachment(value, path, base)
    if dataclasses.is_dataclass(kind):
        if not isinstance(value, dict):
            raise _fail(path, "an object is expected")
        hints = typing.get_type_hints(kind)
        fields = {f.name: f for f in dataclasses.fields(kind)}
        unknown = set(value) - set(fields)
        if unknown:
            raise _fail(path, "unknown keys: " + ', '.join(sorted(unknown)))
        arguments = {}
        for name, field in fields.items():
            if name in value:
                arguments[name] = _load(
                    hints[name], value[name], f'{path}.{name}', base)
            elif field.default is dataclasses.MISSING \
                    and field.default_factory is dataclasses.MISSING:
                raise _fail(f'{path}.{name}', "missing")
        return kind(**arguments)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        try:
            return kind(value)
        except ValueError:
            if isinstance(value, str) and value.upper() in kind.__members__:
                return kind[value.upper()]
            raise _fail(path, "one of " + ', '.join(
                    repr(m.value) for m in kind)) from None
    if kind is dt.datetime or kind is dt.date:
        if not isinstance(value, str):
            raise _fail(path, "an ISO date is expected")
        try:
            result = dt.datetime.fromisoformat(value.replace('/', '-'))
        except ValueError:
            raise _fail(path, "an ISO date is expected") from None
        return result if kind is dt.datetime else result.date()
    if kind is bool:
        if not isinstance(value, bool):
            raise _fail(path, "true or false is expected")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise _fail(path, "a whole number is expected")
        return value
    if kind is str:
        if not isinstance(value, str):
            raise _fail(path, "a string is expected")
        return value
    raise _fail(path, f"cannot read {kind}")


def _attachment(value, path, base):
    if not isinstance(value, dict):
        raise _fail(path, "an object is expected")
    known = {'name', 'file', 'data_base64', 'content_type', 'description',
        'content_id', 'zip'}
    unknown = set(value) - known
    if unknown:
        raise _fail(path, "unknown keys: " + ', '.join(sorted(unknown)))
    text = {}
    for key in ('name', 'content_type', 'description', 'content_id'):
        if key in value:
            text[key] = _load(str, value[key], f'{path}.{key}', base)
    if not text.get('name'):
        raise _fail(f'{path}.name', "missing")
    if ('file' in value) == ('data_base64' in value):
        raise _fail(path, "give either file or data_base64")
    if 'file' in value:
        name = os.path.join(base, _load(str, value['file'], path, base))
        try:
            with open(name, 'rb') as f:
                data = f.read()
        except OSError as e:
            raise _fail(f'{path}.file', e.strerror or str(e)) from None
    else:
        try:
            data = base64.b64decode(
                _load(str, value['data_base64'], path, base), validate=True)
        except binascii.Error:
            raise _fail(f'{path}.data_base64', "not base64") from None
    if _load(bool, value.get('zip', False), f'{path}.zip', base):
        return pack(text['name'], data, text.get('description', ''),
            text.get('content_id', ''))
    return Attachment(data=data, **text)
