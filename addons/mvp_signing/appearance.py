"""Visible signatures laid out as Decree 30/2020 (Phụ lục I) asks.

- `Personal`: the competent person's signature image (blue, transparent
  PNG) with their name below, at the signing place of the document;
- `Organisation`: the agency's seal image (red, actual size) covering about
  the left third of the personal signature image, with the number and the
  place and date of issue under it as the clerk writes them ("Hưng Yên,
  ngày 01 tháng 12 năm 2026"); the signing time itself is in the signature;
- `Attachment`: annexes and attached files, at the top right of the first
  page, no image, the agency name, number and symbol and signing time
  (ISO 8601, +07:00) in 10 pt.

Text is set in a TrueType font covering Vietnamese, embedded as a subset.
"""
import dataclasses
import datetime as dt
import functools
import io
import os
import zlib

from pyhanko import stamp
from pyhanko.pdf_utils import generic, images, layout, text
from pyhanko.pdf_utils.font.opentype import (
    GlyphAccumulator, GlyphAccumulatorFactory)
from pyhanko.sign.fields import SigFieldSpec

# appearance text in NFC: decomposed marks would need shaping
from trytond.modules.mvp_documents.vntext import nfc

VN_TZ = dt.timezone(dt.timedelta(hours=7), 'ICT')
ISO_FORMAT = '%Y-%m-%dT%H:%M:%S+07:00'  # only right for times in VN_TZ
MM = 72 / 25.4
FONTS = [
    '/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf',
    '/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf',
]
# Latin, Vietnamese letters (precomposed and combining marks), punctuation.
REPERTOIRE = (set(range(0x20, 0x7f)) | set(range(0xa0, 0x180))
    | set(range(0x1a0, 0x1b1)) | set(range(0x1ea0, 0x1f00))
    | set(range(0x300, 0x324)) | set(range(0x2010, 0x2030))
    | {0x20ab, 0x2116})


def font_path():
    "the appearance font: $MVP_SIGNING_FONT, else the first of FONTS found"
    for path in [os.environ.get('MVP_SIGNING_FONT')] + FONTS:
        if path and os.path.exists(path):
            return path
    raise FileNotFoundError('no font for signature appearances; install '
        'fonts-noto-core or fonts-dejavu-core, or set MVP_SIGNING_FONT')


@functools.lru_cache(maxsize=None)
def _font_program(path):
    """The font cut down to REPERTOIRE, without OpenType layout tables.

    Subsetting a full Noto Serif for every signature costs more than 100 ms,
    mostly parsing its GPOS table; Vietnamese in NFC needs no shaping.
    """
    from fontTools import subset
    from fontTools.ttLib import TTFont
    font = TTFont(path)
    options = subset.Options()
    options.layout_features = []
    options.drop_tables += ['GSUB', 'GPOS', 'GDEF', 'DSIG']
    options.hinting = False
    options.name_IDs = ['*']
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=REPERTOIRE & set(font.getBestCmap()))
    subsetter.subset(font)
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@functools.lru_cache(maxsize=None)
def _metrics(path):
    from fontTools.ttLib import TTFont
    font = TTFont(io.BytesIO(_font_program(path)))
    cmap, hmtx = font.getBestCmap(), font['hmtx']
    widths = {cp: hmtx[name][0] for cp, name in cmap.items()}
    return widths, font['head'].unitsPerEm


def text_width(value, size):
    "width in points of one line of `value` set in the appearance font"
    widths, em = _metrics(font_path())
    default = widths.get(0x20, em // 2)
    return sum(widths.get(ord(c), default)
        for c in nfc(value or '')) * size / em


# (font, glyph ids) -> compressed font program of that subset
_subsets = {}


def _embed_program(cidfont, program, writer):
    stream = generic.StreamObject({
            generic.pdf_name('/Filter'): generic.pdf_name('/FlateDecode')},
        encoded_data=program)
    ref = writer.add_object(stream)
    cidfont._font_descriptor[generic.pdf_name('/FontFile2')] = ref
    return ref


class _Accumulator(GlyphAccumulator):
    """GlyphAccumulator that reuses the font subsets it made before.

    Subsetting and compressing the font program costs a few milliseconds a
    signature, and a signer's name, an agency or the digits of a time need
    the same glyphs again and again. Relies on pyHanko 0.38 internals
    (_extract_subset, _glyphs, cidfont_obj); the appearance tests check the
    embedded font.
    """

    def __init__(self, *args, path, **kwargs):
        super().__init__(*args, **kwargs)
        self.path = path

    def _extract_subset(self, options=None):
        key = (self.path, frozenset(self._glyphs))
        program = _subsets.get(key)
        if program is None:
            super()._extract_subset(options)
            out = io.BytesIO()
            self.tt.save(out)
            if len(_subsets) > 1024:
                _subsets.clear()
            program = _subsets[key] = zlib.compress(out.getvalue())
        self.cidfont_obj.set_font_file = functools.partial(
            _embed_program, self.cidfont_obj, program)


@dataclasses.dataclass(frozen=True)
class Font(GlyphAccumulatorFactory):
    "GlyphAccumulatorFactory over the cached Vietnamese subset"
    font_file: str = ''

    def create_font_engine(self, writer, obj_stream=None):
        if (obj_stream is None and writer.stream_xrefs
                and self.create_objstream_if_needed):
            obj_stream = writer.prepare_object_stream()
        path = self.font_file or font_path()
        return _Accumulator(writer=writer,
            font_handle=io.BytesIO(_font_program(path)), path=path,
            font_size=self.font_size, obj_stream=obj_stream)


def _text_style(size, leading=None):
    # no margins of its own: the boxes are sized from the text width
    return text.TextBoxStyle(font=Font(font_size=size), font_size=size,
        leading=leading, box_layout_rule=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MIN,
            margins=layout.Margins()))


@functools.lru_cache(maxsize=16)
def _png_bytes(data):
    from PIL import Image
    return Image.open(io.BytesIO(data)).convert('RGBA')


def _png(image):
    """RGBA image of `image`: PIL image, PNG bytes or path. Bytes, as the
    server passes stored images, are decoded once."""
    from PIL import Image
    if isinstance(image, (bytes, bytearray, memoryview)):
        return _png_bytes(bytes(image))
    elif isinstance(image, (str, os.PathLike)):
        image = Image.open(image)
    return image.convert('RGBA')


def _fit(margins=None, x=layout.AxisAlignment.ALIGN_MID,
        y=layout.AxisAlignment.ALIGN_MID,
        scaling=layout.InnerScaling.STRETCH_TO_FIT):
    return layout.SimpleBoxLayoutRule(x_align=x, y_align=y,
        margins=margins or layout.Margins(), inner_content_scaling=scaling)


def _page(reader, page):
    count = int(reader.root['/Pages']['/Count'])
    index = page + count if page < 0 else page
    if not 0 <= index < count:
        raise ValueError('page %d out of range (document has %d)'
            % (page, count))
    return index


def _page_obj(reader, index):
    return reader.find_page_for_modification(index)[0].get_object()


def _media_box(reader, index):
    node = _page_obj(reader, index)
    # /MediaBox may be inherited from the page tree
    while '/MediaBox' not in node:
        node = node['/Parent']
    return [float(v) for v in node['/MediaBox']]


def field_rect(reader, name):
    "(page index, (x1, y1, x2, y2)) of the signature field `name`"
    from pyhanko.sign.fields import enumerate_sig_fields
    for fq_name, _value, ref in enumerate_sig_fields(reader):
        if fq_name != name:
            continue
        field = ref.get_object()
        widget_ref = field.raw_get('/Kids')[0] if '/Kids' in field else ref
        widget = widget_ref.get_object()
        rect = [float(v) for v in widget['/Rect']]
        x1, x2 = sorted(rect[0::2])
        y1, y2 = sorted(rect[1::2])
        for index in range(int(reader.root['/Pages']['/Count'])):
            annots = _page_obj(reader, index).get('/Annots')
            if annots and any(
                    getattr(a, 'reference', None) == widget_ref.reference
                    for a in annots.iterate()):
                return index, (x1, y1, x2, y2)
        raise KeyError('signature field %r is on no page' % name)
    raise KeyError('no signature field named %r' % name)


@dataclasses.dataclass(frozen=True, eq=False)
class Personal:
    """The competent person's signature at the signing place.

    `box` is (x1, y1, x2, y2) in PDF points on `page` (negative counts from
    the end); `name` defaults to the certificate's common name, '' leaves
    it out (when the document prints the name below the signing place).
    """
    image: object
    box: tuple = None
    page: int = -1
    name: str = None
    font_size: int = 11

    def place(self, reader):
        index = _page(reader, self.page)
        box = self.box
        if box is None:
            x1, y1, x2, y2 = _media_box(reader, index)
            box = (x2 - 72 - 200, y1 + 120, x2 - 72, y1 + 210)
        return index, box

    def style(self):
        if self.name == '':
            return stamp.StaticStampStyle(border_width=0,
                background=images.PdfImage(_png(self.image)),
                background_opacity=1.0, background_layout=_fit())
        line = self.font_size * 1.5
        return stamp.TextStampStyle(border_width=0,
            background=images.PdfImage(_png(self.image)),
            background_opacity=1.0,
            background_layout=_fit(layout.Margins(bottom=line),
                y=layout.AxisAlignment.ALIGN_MAX),
            stamp_text='%(signer)s',
            text_box_style=_text_style(self.font_size),
            # room under the baseline for descenders (g, y, ạ)
            inner_content_layout=_fit(layout.Margins(
                    bottom=self.font_size * 0.3),
                x=layout.AxisAlignment.ALIGN_MID,
                y=layout.AxisAlignment.ALIGN_MIN,
                scaling=layout.InnerScaling.SHRINK_TO_FIT))

    def text_params(self, signer_name):
        return {'signer': nfc(self.name or signer_name or '')}


@dataclasses.dataclass(frozen=True, eq=False)
class Organisation:
    """The agency's seal, red and actual size.

    With `over` naming the personal signature field, the seal is centred
    vertically on it with its right edge a third of the way into it (where
    the personal signature would be when the document has none); otherwise
    `box` places it.

    `number`: the document's number and symbol, set under the seal with
    `dated`, the place and date of issue (numbering.dated), or the signing
    time in ISO 8601 without it. The number is given at issue, after the
    competent person has signed: as the clerk writes it on paper before
    stamping, the organisation signature carries it, covered by that
    signature.
    """
    image: object
    over: str = None
    box: tuple = None
    page: int = -1
    diameter: float = round(36 * MM)
    number: str = None
    dated: str = None
    font_size: int = 10

    @property
    def _leading(self):
        return round(self.font_size * 1.25)

    @property
    def _text_height(self):
        return 2 * self._leading + 4 if self.number else 0

    def place(self, reader):
        d = self.diameter
        if self.over:
            try:
                index, (x1, y1, x2, y2) = field_rect(reader, self.over)
            except KeyError:
                index, (x1, y1, x2, y2) = Personal(None).place(reader)
            right = x1 + (x2 - x1) / 3
            middle = (y1 + y2) / 2
            width = d
            if self.number:
                width = max(d, 4 + max(text_width(line, self.font_size)
                        for line in (self.number,
                            self.dated or '0000-00-00T00:00:00+07:00')))
            return index, (right - width, middle - d / 2 - self._text_height,
                right, middle + d / 2)
        index = _page(reader, self.page)
        if self.box is None:
            raise ValueError('an organisation signature needs a box or the '
                'personal signature it goes over')
        return index, self.box

    def style(self):
        if not self.number:
            return stamp.StaticStampStyle(border_width=0,
                background=images.PdfImage(_png(self.image)),
                background_opacity=1.0,
                background_layout=_fit(layout.Margins.uniform(0.5)))
        # the seal keeps its right edge; the text goes under it
        return stamp.TextStampStyle(border_width=0,
            background=images.PdfImage(_png(self.image)),
            background_opacity=1.0,
            background_layout=_fit(layout.Margins(
                    bottom=self._text_height),
                x=layout.AxisAlignment.ALIGN_MAX,
                y=layout.AxisAlignment.ALIGN_MAX),
            stamp_text='%(number)s\n' + (
                '%(dated)s' if self.dated else '%(ts)s'),
            timestamp_format=ISO_FORMAT,
            text_box_style=_text_style(self.font_size, self._leading),
            inner_content_layout=_fit(layout.Margins(
                    bottom=self.font_size * 0.3),
                x=layout.AxisAlignment.ALIGN_MAX,
                y=layout.AxisAlignment.ALIGN_MIN,
                scaling=layout.InnerScaling.SHRINK_TO_FIT))

    def text_params(self, signer_name):
        params = {'number': nfc(self.number)} if self.number else {}
        if self.dated:
            params['dated'] = nfc(self.dated)
        return params


@dataclasses.dataclass(frozen=True, eq=False)
class Attachment:
    """Organisation signature on an annex or attached file.

    Three lines at the top right of the first page: agency, number and
    symbol, signing time.
    """
    agency: str
    number: str
    page: int = 0
    font_size: int = 10
    margin: int = 20

    @property
    def _leading(self):
        return round(self.font_size * 1.25)

    def place(self, reader):
        index = _page(reader, self.page)
        x1, y1, x2, y2 = _media_box(reader, index)
        height = 3 * self._leading + self.font_size // 2 + 2
        # wide enough for the longest line: the time, or a long agency name
        width = 4 + max(text_width(line, self.font_size) for line in (
                self.agency, self.number, '0000-00-00T00:00:00+07:00'))
        right, top = x2 - self.margin, y2 - self.margin
        return index, (right - width, top - height, right, top)

    def style(self):
        return stamp.TextStampStyle(border_width=0,
            stamp_text='%(agency)s\n%(number)s\n%(ts)s',
            timestamp_format=ISO_FORMAT,
            text_box_style=_text_style(self.font_size, self._leading),
            inner_content_layout=_fit(layout.Margins(left=2, top=2),
                x=layout.AxisAlignment.ALIGN_MIN,
                y=layout.AxisAlignment.ALIGN_MAX,
                scaling=layout.InnerScaling.SHRINK_TO_FIT))

    def text_params(self, signer_name):
        return {'agency': nfc(self.agency or ''),
            'number': nfc(self.number or '')}


def field_spec(appearance, reader, name):
    "SigFieldSpec placing a new field for `appearance`"
    index, box = appearance.place(reader)
    return SigFieldSpec(sig_field_name=name, on_page=index,
        box=tuple(round(v, 2) for v in box))
