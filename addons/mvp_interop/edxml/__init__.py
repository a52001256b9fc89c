"""edXML (QCVN 102:2016) packets: build, parse and validate them.

Plain Python over lxml, no ORM: ``parse(source) -> Document | Status``,
``build(packet, out=None)``; what is refused raises ``PacketError`` naming
the element at fault. See shared/standards/edxml.md for what is known of
the format and from where.
"""
from .build import build
from .errors import PacketError
from .limits import LIMITS, Limits
from .model import (
    NAMESPACE, Attachment, Business, BusinessType, Document, Organ,
    OtherInfo, Priority, Receiver, Replacement, ResponseFor, Signer, Staff,
    Steering, Trace, valid_organ_id)
from .parse import parse
from .status import Status, StatusCode

__all__ = [
    'build', 'parse', 'PacketError', 'LIMITS', 'Limits', 'NAMESPACE',
    'Attachment', 'Business', 'BusinessType', 'Document', 'Organ',
    'OtherInfo', 'Priority', 'Receiver', 'Replacement', 'ResponseFor',
    'Signer', 'Staff', 'Steering', 'Trace', 'Status', 'StatusCode',
    'valid_organ_id']
