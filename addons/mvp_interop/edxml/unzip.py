"""Zipped attachments: open them without letting one expand without bound,
and zip a file to send.

Senders often zip a file before base64 (S1 sends a .doc that way, the zip
holding one member). A zip states the sizes of its members, and may lie:
the declared sizes are checked first, then every member is inflated in
chunks with the bytes counted, so a zip bomb stops at the limit, not after.
"""
import dataclasses
import hashlib
import io
import zipfile
import zlib

from . import errors as E
from .errors import PacketError
from .limits import LIMITS
from .model import ZIP, Attachment

CHUNK = 1 << 16


@dataclasses.dataclass(frozen=True)
class Member:
    name: str
    size: int
    sha256: str
    data: bytes | None = dataclasses.field(default=None, repr=False)


def members(attachment, limits=LIMITS, keep=True):
    """The files in a zipped attachment, each with its bytes when keep;
    ``PacketError`` if it is not a zip or would expand past the limits"""
    name = attachment.name

    def bomb(detail):
        return PacketError(E.ZIP_BOMB, name=name, detail=detail)

    with attachment.open() as stream:
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError, ValueError) as e:
            raise PacketError(E.ZIP_INVALID, name=name, detail=str(e)) \
                from None
        with archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            if len(infos) > limits.members:
                raise bomb("%d files, at most %d" % (
                        len(infos), limits.members))
            declared = sum(i.file_size for i in infos)
            if declared > limits.unzipped:
                raise bomb("%d bytes declared, at most %d" % (
                        declared, limits.unzipped))
            packed = max(attachment.size, 1)
            result = []
            total = 0
            for info in infos:
                if info.flag_bits & 0x1:
                    raise PacketError(E.ZIP_INVALID, name=name,
                        detail="%s is encrypted" % info.filename)
                digest = hashlib.sha256()
                kept = io.BytesIO() if keep else None
                size = 0
                try:
                    with archive.open(info) as member:
                        while chunk := member.read(CHUNK):
                            size += len(chunk)
                            total += len(chunk)
                            if total > limits.unzipped:
                                raise bomb("more than %d bytes" %
                                    limits.unzipped)
                            if total > limits.ratio_floor \
                                    and total > limits.ratio * packed:
                                raise bomb("more than %d times its size" %
                                    limits.ratio)
                            digest.update(chunk)
                            if kept is not None:
                                kept.write(chunk)
                except PacketError:
                    raise
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError,
                        NotImplementedError, ValueError) as e:
                    raise PacketError(E.ZIP_INVALID, name=name,
                        detail=f"{info.filename}: {e}") from None
                result.append(Member(info.filename, size, digest.hexdigest(),
                        kept.getvalue() if kept is not None else None))
            return result


def pack(name, data, description='', content_id=''):
    "An attachment carrying data zipped as the single file name"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(name, data)
    return Attachment(name=name, data=buffer.getvalue(), content_type=ZIP,
        description=description, content_id=content_id)
