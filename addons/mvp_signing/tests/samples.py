"Sample PDFs for tests and benchmarks, built in memory"
import io
import random

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import PageObject, PdfFileWriter

A4 = (0, 0, 595, 842)


def pdf(pages=1, size=0, seed=0, encrypt=None, script=None):
    """A PDF of `pages` A4 pages, about `size` bytes in all.

    Each page carries a line of text and, to reach the size, an
    incompressible grey image, as a scanned annex would. `script`: some
    JavaScript to run when the document opens.
    """
    rnd = random.Random(seed)
    w = PdfFileWriter(stream_xrefs=False)
    font = w.add_object(generic.DictionaryObject({
        pdf_name('/Type'): pdf_name('/Font'),
        pdf_name('/Subtype'): pdf_name('/Type1'),
        pdf_name('/BaseFont'): pdf_name('/Times-Roman'),
    }))
    side = int((max(size, 1) / pages) ** 0.5)
    for n in range(pages):
        resources = generic.DictionaryObject({
            pdf_name('/Font'): generic.DictionaryObject({
                pdf_name('/F1'): font}),
        })
        ops = b'BT /F1 14 Tf 72 770 Td (Page %d) Tj ET' % (n + 1)
        if size:
            image = generic.StreamObject({
                pdf_name('/Type'): pdf_name('/XObject'),
                pdf_name('/Subtype'): pdf_name('/Image'),
                pdf_name('/Width'): generic.NumberObject(side),
                pdf_name('/Height'): generic.NumberObject(side),
                pdf_name('/ColorSpace'): pdf_name('/DeviceGray'),
                pdf_name('/BitsPerComponent'): generic.NumberObject(8),
            }, stream_data=rnd.randbytes(side * side))
            resources[pdf_name('/XObject')] = generic.DictionaryObject({
                pdf_name('/Im1'): w.add_object(image)})
            ops += b' q 451 0 0 451 72 250 cm /Im1 Do Q'
        contents = w.add_object(generic.StreamObject(stream_data=ops))
        w.insert_page(PageObject(contents, A4, resources))
    if script:
        w.root[pdf_name('/OpenAction')] = generic.DictionaryObject({
            pdf_name('/S'): pdf_name('/JavaScript'),
            pdf_name('/JS'): generic.TextStringObject(script)})
    if encrypt:
        w.encrypt(encrypt, encrypt)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()
