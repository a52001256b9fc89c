"""What an edXML document packet says (QCVN 102:2016), as plain values.

The QCVN text itself was not found; the fields follow the public SDK samples
named in shared/standards/edxml.md (S1: all4u1089/truclienthong-example,
the VNPT SDK's element names; S2: tungsfer512/edxml-convert's JSON
descriptions), element by element:

- ``Organ`` is From / To: OrganId, OrganizationInCharge, OrganName,
  OrganAdd, Email, Telephone, Fax, Website;
- ``Document`` is MessageHeader (DocumentId, Code, PromulgationInfo,
  DocumentType, Subject, Content, SignerInfo, DueDate, ToPlaces, OtherInfo,
  ResponseFor, SteeringType), TraceHeaderList (TraceHeader, Bussiness), the
  XMLDSig Signature kept as received, and the attachments.

Text is kept as sent (stripped of surrounding white space); normalising it
(NFC, legacy encodings) is the model layer's business.
"""
import dataclasses
import datetime as dt
import enum
import hashlib
import io

NAMESPACE = 'http://www.mic.gov.vn/TBT/QCVN_102_2016'
ZIP = 'application/zip'


class Priority(enum.IntEnum):
    "OtherInfo/Priority (độ khẩn) [S2]"
    NORMAL = 0          # thường
    URGENT = 1          # khẩn
    VERY_URGENT = 2     # thượng khẩn
    FLASH = 3           # hỏa tốc
    FLASH_TIMED = 4     # hỏa tốc hẹn giờ


class Steering(enum.IntEnum):
    "SteeringType [S2]; 0 is seen in samples with no meaning given"
    UNSPECIFIED = 0
    NONE = 1            # không phải chỉ đạo
    STEERING = 2        # chỉ đạo
    REPORT = 3          # báo cáo chỉ đạo


class BusinessType(enum.IntEnum):
    "Bussiness/BussinessDocType [S1, S2]"
    NEW = 0             # văn bản mới
    REVOKE = 1          # thu hồi
    UPDATE = 2          # cập nhật
    REPLACE = 3         # thay thế


@dataclasses.dataclass(frozen=True)
class Organ:
    "An agency on the axis, by its identifier code (mã định danh)"
    id: str
    in_charge: str = ''         # OrganizationInCharge (cơ quan chủ quản)
    name: str = ''
    address: str = ''
    email: str = ''
    telephone: str = ''
    fax: str = ''
    website: str = ''


@dataclasses.dataclass(frozen=True)
class Signer:
    competence: str = ''        # "KT. CHỦ TỊCH", "TL. BỘ TRƯỞNG"...
    position: str = ''
    full_name: str = ''


@dataclasses.dataclass(frozen=True)
class ResponseFor:
    """The document a packet answers: the agency that issued it, its number
    and notation, its date and its document id (what links a status to the
    document)"""
    organ_id: str
    document_id: str
    code: str = ''
    promulgation_date: dt.date | None = None

    @classmethod
    def of(cls, document):
        "What answers to document name it by: its code is number/notation"
        code = '/'.join(p for p in (
                document.code_number, document.code_notation) if p)
        return cls(organ_id=document.sender.id,
            document_id=document.document_id, code=code,
            promulgation_date=document.promulgation_date)


@dataclasses.dataclass(frozen=True)
class Trace:
    "One hop (TraceHeader): the agency and when, local time"
    organ_id: str
    timestamp: dt.datetime


@dataclasses.dataclass(frozen=True)
class Staff:
    "StaffInfo: who at the sender handles the packet"
    department: str = ''
    staff: str = ''
    mobile: str = ''
    email: str = ''


@dataclasses.dataclass(frozen=True)
class Receiver:
    """ReceiverList/Receiver of an update: a recipient added (ReceiverType 1)
    or removed (0) [S1, S2]"""
    organ_id: str
    added: bool


@dataclasses.dataclass(frozen=True)
class Replacement:
    "ReplacementInfo: the document replaced, for these agencies"
    document_id: str
    organ_ids: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Business:
    """Bussiness (sic, as on the wire): new, revoked, updated or replaced.

    ``document_id`` is the document revoked or updated; ``document_info``
    and ``document_receiver`` are BussinessDocumentInfo's flags ("1" in S1's
    update, no meaning published: taken as "the information, the list of
    recipients changed") with ``receivers`` its ReceiverList;
    ``replacements`` is ReplacementInfoList.
    """
    type: BusinessType = BusinessType.NEW
    reason: str = ''
    document_id: str = ''
    paper: str = ''             # "0" in every sample; meaning unpublished
    staff: tuple[Staff, ...] = ()
    document_info: str = ''
    document_receiver: str = ''
    receivers: tuple[Receiver, ...] = ()
    replacements: tuple[Replacement, ...] = ()


@dataclasses.dataclass(frozen=True)
class OtherInfo:
    priority: Priority = Priority.NORMAL
    sphere: str = ''            # SphereOfPromulgation (phạm vi lưu hành)
    typer_notation: str = ''    # TyperNotation (người đánh máy / soạn thảo)
    promulgation_amount: int | None = None     # số bản
    page_amount: int | None = None             # số trang
    direction: bool | None = None              # meaning unpublished [S1]
    appendixes: tuple[str, ...] = ()           # names of the annexes


@dataclasses.dataclass(frozen=True)
class Attachment:
    """One attached file, as carried: a zipped one stays zipped (see
    ``unzip.members``). Its bytes are in ``data`` or, when the parser stored
    them, in the file ``path``; ``size`` and ``sha256`` describe them."""
    name: str
    data: bytes | None = dataclasses.field(default=None, repr=False)
    content_type: str = 'application/octet-stream'
    description: str = ''
    content_id: str = ''
    path: str | None = None
    size: int = -1
    sha256: str = ''

    def __post_init__(self):
        if self.data is not None and self.size < 0:
            object.__setattr__(self, 'size', len(self.data))
            object.__setattr__(
                self, 'sha256', hashlib.sha256(self.data).hexdigest())

    def open(self):
        "A binary stream of the bytes"
        if self.data is not None:
            return io.BytesIO(self.data)
        return open(self.path, 'rb')

    def read(self):
        with self.open() as f:
            return f.read()

    @property
    def zipped(self):
        return self.content_type == ZIP


@dataclasses.dataclass(frozen=True)
class Document:
    "A document packet (gói tin văn bản)"
    sender: Organ
    recipients: tuple[Organ, ...]
    document_id: str
    code_number: str = ''       # số
    code_notation: str = ''     # ký hiệu
    place: str = ''             # địa danh
    promulgation_date: dt.date | None = None
    type: int | None = None     # no public code table: kept as a number
    type_detail: int | None = None
    type_name: str = ''
    subject: str = ''           # trích yếu
    content: str = ''
    signer: Signer = Signer()
    due_date: dt.date | None = None
    to_places: tuple[str, ...] = ()     # nơi nhận besides the recipients
    other: OtherInfo = OtherInfo()
    responses: tuple[ResponseFor, ...] = ()
    steering: Steering | None = None
    traces: tuple[Trace, ...] = ()
    business: Business | None = None
    signature: str | None = None        # the XMLDSig element, as received
    attachments: tuple[Attachment, ...] = ()


def valid_organ_id(value):
    """Tell whether value can be an agency identifier code on the axis.

    Only the form is checked: samples carry codes that do not follow the
    usual ``000.00.00.H41`` shape (``28.22.H17``, ``01.02.G22``), so the
    directory of peers, not the codec, tells which codes exist.
    """
    return bool(value) and len(value) <= 35 and value.isprintable() \
        and not any(c.isspace() for c in value)
