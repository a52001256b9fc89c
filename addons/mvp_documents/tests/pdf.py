"""A small real PDF file for tests and the demo, made without a PDF library."""
import unicodedata


def pdf(*lines):
    "Return a one-page PDF showing lines, without their diacritics"
    def ascii(line):
        line = line.replace('Đ', 'D').replace('đ', 'd')
        return unicodedata.normalize('NFKD', line).encode('ascii', 'ignore')
    text = b' '.join(b'(%s) Tj 0 -20 Td' % ascii(line) for line in lines)
    content = b'BT /F1 13 Tf 72 770 Td ' + text + b' ET'
    objects = [
        b'<< /Type /Catalog /Pages 2 0 R >>',
        b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
        b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] '
        b'/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
        b'<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>',
        b'<< /Length %d >>\nstream\n' % len(content) + content
        + b'\nendstream',
        ]
    out = b'%PDF-1.4\n'
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b'%d 0 obj\n' % i + obj + b'\nendobj\n'
    xref = len(out)
    out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objects) + 1)
    out += b''.join(b'%010d 00000 n \n' % o for o in offsets)
    out += (b'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n'
        % (len(objects) + 1, xref))
    return out
