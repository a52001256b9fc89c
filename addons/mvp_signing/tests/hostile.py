"""Hostile PDF files, written byte by byte: what an uploader could send to
make the server parse for ever or run out of memory.

Each function returns the bytes of one file; `FILES` names them, with the
reason code `pades.verify` must refuse them with under `LIMITS` (limits
lowered from the defaults so that the files stay small and quick to make).
"""
import os
import zlib

from trytond.modules.mvp_signing import pades

LIMITS = pades.Limits(pages=500, objects=2000, signatures=20,
    inflated=64 * 2 ** 20)


def build(objects, root=1):
    "A PDF of objects {number: body bytes} with its xref table and trailer"
    out = bytearray(b'%PDF-1.7\n%\xe2\xe3\xcf\xd3\n')
    offsets = {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += b'%d 0 obj\n%s\nendobj\n' % (number, objects[number])
    xref = len(out)
    size = max(objects) + 1
    out += b'xref\n0 %d\n0000000000 65535 f \n' % size
    for number in range(1, size):
        if number in offsets:
            out += b'%010d 00000 n \n' % offsets[number]
        else:
            out += b'0000000000 00001 f \n'
    out += (b'trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n'
        % (size, root, xref))
    return bytes(out)


def stream(data, entries=b''):
    return (b'<< /Length %d %s>>\nstream\n' % (len(data), entries) + data
        + b'\nendstream')


CATALOG = b'<< /Type /Catalog /Pages 2 0 R >>'
PAGE = b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>'


def pages(count):
    "an honest file of count blank pages"
    objects = {1: CATALOG, 2: b'<< /Type /Pages /Kids [%s] /Count %d >>'
        % (b' '.join(b'%d 0 R' % (3 + n) for n in range(count)), count)}
    objects.update({3 + n: PAGE for n in range(count)})
    return build(objects)


def huge_page_count():
    "a page tree that claims a billion pages"
    return build({1: CATALOG,
            2: b'<< /Type /Pages /Kids [3 0 R] /Count 1000000000 >>',
            3: PAGE})


def wide_page_tree(kids=20_000):
    """one page listed twenty thousand times, the count saying one (parsing
    the list takes pyHanko about 1 s: a file of 50 MB of it, some 400 s,
    is stopped by the sandbox's time limit)"""
    return build({1: CATALOG,
            2: b'<< /Type /Pages /Kids [%s] /Count 1 >>'
            % b' '.join([b'3 0 R'] * kids),
            3: PAGE})


def cyclic_page_tree():
    "a page tree node that is its own child: walked naively, for ever"
    return build({1: CATALOG,
            2: b'<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 1 >>',
            3: PAGE})


def deep_nesting(depth=100_000):
    "arrays nested a hundred thousand deep, in the catalog"
    return build({
            1: b'<< /Type /Catalog /Pages 2 0 R /Nest %s%s >>'
            % (b'[' * depth, b']' * depth),
            2: b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
            3: PAGE})


def many_objects(count=5000):
    "thousands of objects that nothing uses"
    objects = {1: CATALOG,
        2: b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>', 3: PAGE}
    objects.update({n: b'(filler %d)' % n for n in range(4, count + 4)})
    return build(objects)


def many_signatures(count=60):
    "signature fields, each filled with a signature dictionary"
    objects = {
        1: b'<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [%s] >> >>'
        % b' '.join(b'%d 0 R' % (10 + n) for n in range(count)),
        2: b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>', 3: PAGE}
    for n in range(count):
        objects[10 + n] = (b'<< /FT /Sig /T (Signature%d) /V << /Type /Sig '
            b'/Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached '
            b'/ByteRange [0 10 20 10] /Contents <3000> >> >>' % n)
    return build(objects)


def bomb(size=256 * 2 ** 20):
    "a page whose content stream inflates to size bytes (1 KiB a MiB)"
    compressor = zlib.compressobj(9)
    chunk = bytes(2 ** 20)
    data = b''.join(compressor.compress(chunk) for _ in range(size // 2 ** 20))
    data += compressor.flush()
    return build({1: CATALOG,
            2: b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
            3: b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] '
            b'/Contents 4 0 R >>',
            4: stream(data, b'/Filter /FlateDecode ')})


def big_string(size=8 * 2 ** 20):
    """a hexadecimal string of size bytes in the catalog, read with it:
    pyHanko takes about a minute over it, and a lot of memory"""
    return build({
            1: b'<< /Type /Catalog /Pages 2 0 R /Big <%s> >>'
            % (b'41' * size),
            2: b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
            3: PAGE})


def garbage(size=100_000):
    "random bytes after a PDF header"
    return b'%PDF-1.7\n' + os.urandom(size)


def truncated(pdf):
    "the first half of a real PDF"
    return pdf[:len(pdf) // 2]


FILES = {
    'huge_page_count': (huge_page_count, 'too_many_pages'),
    'wide_page_tree': (wide_page_tree, 'too_many_pages'),
    'cyclic_page_tree': (cyclic_page_tree, 'too_many_pages'),
    'deep_nesting': (deep_nesting, 'damaged'),
    'many_objects': (many_objects, 'too_many_objects'),
    'many_signatures': (many_signatures, 'too_many_signatures'),
    'bomb': (bomb, 'too_inflated'),
    'garbage': (garbage, 'damaged'),
    }
