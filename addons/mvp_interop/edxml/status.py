"""Status packets (gói tin trạng thái): how a recipient's handling of a
document goes, sent back to its sender.

No status packet in the QCVN 102 envelope was found in public samples: the
VNPT SDK builds one as a header whose message header is a ``MessageStatus``
(ResponseFor, From, StatusCode, Description, Timestamp, StaffInfo) [S1
EdXMLBuild.create_status], and a C# gateway writes those elements in an
``edXML:Status`` element [S3]. ``build`` writes ``edXML:Status`` in the
``edXMLHeader`` of the usual envelope; ``parse`` reads either form, and S3's
SOAP wrapping too.
"""
import dataclasses
import datetime as dt
import enum

from .model import Organ, ResponseFor, Staff


class StatusCode(str, enum.Enum):
    "StatusCode [S2 status.json; S3]"
    RECEIVED = '01'     # đã đến: the software has it, the clerk not yet
    REJECTED = '02'     # từ chối tiếp nhận
    ACCEPTED = '03'     # đã tiếp nhận (registered)
    ASSIGNED = '04'     # the leader assigns it (phân công xử lý)
    PROCESSING = '05'   # đã phân công, đang xử lý
    DONE = '06'         # đã xử lý xong
    RECALLED = '13'     # the sender recalls it (thu hồi / lấy lại)
    AGREED = '15'       # đồng ý thu hồi / cập nhật
    REFUSED = '16'      # từ chối thu hồi / cập nhật


# "agree" is 15 in S2 and in S3's file names, 14 in another S3 text: read 14
# as agreement too, always write 15.
ALIASES = {'14': StatusCode.AGREED}


@dataclasses.dataclass(frozen=True)
class Status:
    response_for: ResponseFor
    sender: Organ
    code: StatusCode
    timestamp: dt.datetime
    description: str = ''
    staff: Staff | None = None

    def answers(self, document):
        "Tell whether this status is about document (by its document id)"
        return self.response_for.document_id == document.document_id \
            and self.response_for.organ_id in ('', document.sender.id)
