"""Signature and seal images for tests and the demo: made up, deterministic
for a given name, drawn with Pillow."""
import io
import math

from trytond.modules.mvp_documents.vntext import nfc
from trytond.modules.mvp_signing.appearance import _font_program, font_path

BLUE = (20, 50, 190)
RED = (220, 20, 30)


def signature_image(name, width=600, height=240):
    "A handwritten-looking signature: blue strokes on transparency"
    from PIL import Image, ImageDraw
    img = Image.new('RGBA', (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    seed = sum(map(ord, name)) or 1
    points = []
    for i in range(60):
        t = i / 59
        x = 30 + t * (width - 60)
        y = height / 2 + math.sin(t * (7 + seed % 5) + seed) * height / 4 \
            + math.sin(t * 23) * height / 10
        points.append((x, y))
    draw.line(points, fill=BLUE + (255,), width=7, joint='curve')
    draw.line([(60, height * 0.78), (width - 80, height * 0.70)],
        fill=BLUE + (255,), width=5)
    return img


def stamp_image(agency, size=600):
    "A seal: red rings, a star and the agency's name, transparent"
    from PIL import Image, ImageDraw, ImageFont
    img = Image.new('RGBA', (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    red = RED + (255,)
    c = size / 2
    for radius, width in ((c - 6, 12), (c * 0.72, 6)):
        draw.ellipse([c - radius, c - radius, c + radius, c + radius],
            outline=red, width=width)
    star = []
    for i in range(10):
        r = c * (0.22 if i % 2 == 0 else 0.09)
        a = -math.pi / 2 + i * math.pi / 5
        star.append((c + r * math.cos(a), c + r * math.sin(a)))
    draw.polygon(star, fill=red)
    font = ImageFont.truetype(io.BytesIO(_font_program(font_path())),
        int(size * 0.055))
    # the name around the upper ring, one letter at a time
    label = nfc(agency or '').upper()
    radius = c * 0.86
    span = min(math.pi * 1.4, len(label) * 0.11)
    for i, ch in enumerate(label):
        a = -math.pi / 2 - span / 2 + span * (i + 0.5) / len(label)
        glyph = Image.new('RGBA', (int(size * 0.1),) * 2, (0, 0, 0, 0))
        ImageDraw.Draw(glyph).text((glyph.width / 2, glyph.height / 2), ch,
            font=font, fill=red, anchor='mm')
        glyph = glyph.rotate(-math.degrees(a) - 90, resample=Image.BICUBIC)
        x = c + radius * math.cos(a) - glyph.width / 2
        y = c + radius * math.sin(a) - glyph.height / 2
        img.alpha_composite(glyph, (int(x), int(y)))
    return img


def png(image):
    "PNG bytes of a PIL image"
    out = io.BytesIO()
    image.save(out, format='PNG')
    return out.getvalue()
