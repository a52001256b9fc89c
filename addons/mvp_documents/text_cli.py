"""``mvp text``: Vietnamese text in legacy encodings to Unicode.

Messages are in Vietnamese, the language of the administrators.
"""
import errno
import sys

from . import vntext

PROG = 'mvp text'
NAMES = {
    'unicode': 'Unicode', 'ascii': 'ASCII', 'tcvn3': 'TCVN3 (ABC)',
    'vni': 'VNI-Windows', 'viqr': 'VIQR',
    }


def register(subparsers):
    parser = subparsers.add_parser(
        'text', help="văn bản tiếng Việt: nhận biết và chuyển bảng mã cũ",
        description="Nhận biết và chuyển văn bản tiếng Việt bảng mã cũ "
        "(TCVN3, VNI, VIQR) sang Unicode dựng sẵn NFC (TCVN 6909:2001).")
    commands = parser.add_subparsers(dest='text_command', metavar='LỆNH')
    commands.required = True

    convert = commands.add_parser(
        'convert', help="chuyển một tệp sang Unicode NFC, in ra UTF-8",
        description="Chuyển TỆP sang Unicode NFC và in ra đầu ra chuẩn "
        "theo UTF-8. Mã thoát 2 khi không xác định được bảng mã hoặc "
        "văn bản trộn nhiều bảng mã.")
    convert.add_argument(
        'file', metavar='TỆP', help="tệp cần chuyển; '-' là đầu vào chuẩn")
    convert.add_argument(
        '--from', dest='source', default='auto',
        choices=['auto', 'tcvn3', 'vni', 'viqr'],
        help="bảng mã của tệp (mặc định: auto, tự nhận biết)")
    convert.set_defaults(func=convert_file)

    detect = commands.add_parser(
        'detect', help="cho biết bảng mã của một tệp",
        description="In tên bảng mã của TỆP: unicode, ascii, tcvn3, vni "
        "hoặc viqr.")
    detect.add_argument(
        'file', metavar='TỆP', help="tệp cần xem; '-' là đầu vào chuẩn")
    detect.set_defaults(func=detect_file)


def _read(path):
    if path == '-':
        return sys.stdin.buffer.read()
    with open(path, 'rb') as file:
        return file.read()


def _fail(command, path, message):
    name = 'đầu vào chuẩn' if path == '-' else path
    print('%s %s: %s: %s' % (PROG, command, name, message), file=sys.stderr)
    return 2


def _explain(error):
    if isinstance(error, vntext.MixedEncoding):
        message = "văn bản trộn nhiều bảng mã (%s), không chuyển" % ', '.join(
            NAMES.get(e, e) for e in error.encodings)
        if error.samples:
            message += "; ví dụ: %s" % ', '.join(
                '«%s»' % s for s in error.samples)
        return message
    if isinstance(error, vntext.UnknownEncoding):
        return {
            'binary': "tệp nhị phân, không phải văn bản",
            'invalid': "nội dung không đúng bảng mã đã chọn",
            'ambiguous': "không phân biệt được TCVN3 hay VNI; hãy chỉ rõ "
                "bằng --from",
            }.get(error.reason, "không xác định được bảng mã; hãy chỉ rõ "
                "bằng --from tcvn3, vni hoặc viqr")
    return str(error)


OS_ERRORS = {
    errno.ENOENT: "không có tệp này",
    errno.EISDIR: "đây là thư mục",
    errno.EACCES: "không có quyền đọc",
    errno.EPERM: "không có quyền đọc",
    }


def _load(command, args):
    try:
        return _read(args.file), None
    except OSError as error:
        return None, _fail(command, args.file, "không đọc được tệp (%s)"
            % OS_ERRORS.get(error.errno, error.strerror or error))


def convert_file(args):
    data, status = _load('convert', args)
    if status is not None:
        return status
    try:
        text = vntext.to_unicode(data, args.source)
    except vntext.VNTextError as error:
        return _fail('convert', args.file, _explain(error))
    sys.stdout.buffer.write(text.encode('utf-8'))
    sys.stdout.flush()
    return 0


def detect_file(args):
    data, status = _load('detect', args)
    if status is not None:
        return status
    try:
        encoding = vntext.detect(data)
    except vntext.VNTextError as error:
        return _fail('detect', args.file, _explain(error))
    print(encoding)
    return 0
