"""What makes two packets the same packet, whatever the axis did with them.

The axis gives every ``sendEdoc`` an id of its own, so a packet sent again
after a crash or a lost answer arrives under a second id; its recipient
must know it for the same. A packet is built once, stored, and always sent
as those same bytes, so what identifies it is in its header:

- a new document: its sender and its document id (QCVN 102's DocumentId,
  ``OrganId,yyyy/MM/dd,Number/Notation``): one agency issues a document
  once, however many times it is sent;
- a recall, an update or a replacement: its sender, its document id, the
  business type, the document it is about and the time of its first hop
  (TraceHeader), which the sender writes when building it;
- a status: its sender, the document it answers, the code, the time and
  the description.

Plain Python, no ORM.
"""
import hashlib

from .edxml import BusinessType, Document, Status


def key(packet):
    "A short stable string naming packet (a Document or a Status)"
    if isinstance(packet, Status):
        parts = ('status', packet.sender.id,
            packet.response_for.organ_id, packet.response_for.document_id,
            packet.code.value, packet.timestamp.isoformat(),
            packet.description)
    elif isinstance(packet, Document):
        business = packet.business
        kind = business.type if business else BusinessType.NEW
        parts = ('document', packet.sender.id, packet.document_id,
            str(int(kind)))
        if kind != BusinessType.NEW:
            first = packet.traces[0].timestamp.isoformat() \
                if packet.traces else ''
            parts += (business.document_id, first, business.reason)
    else:
        raise TypeError(f"not a packet: {packet!r}")
    return hashlib.sha256('\x1f'.join(parts).encode('utf-8')).hexdigest()
