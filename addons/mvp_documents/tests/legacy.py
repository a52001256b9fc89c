"""Vietnamese text written in the legacy encodings, as old editors saved it.

Only the tests write legacy text (the server reads it, see vntext): each
encoder here reads its result back with vntext's decoder.
"""
from trytond.modules.mvp_documents.vntext import (
    _TCVN3_ENCODE, _TONED, _VIQR_D, _VIQR_MARKS, _VIQR_QUALITY, _VIQR_TONES,
    _VNI_ENCODE, VNTextError, _decode, _viqr_combine, nfc)


class UnencodableError(VNTextError):
    "Text cannot be written in the target legacy encoding without loss."

    def __init__(self, message, position, char):
        super().__init__(message)
        self.position = position
        self.char = char


def _encode_tcvn3(text):
    return ''.join(_TCVN3_ENCODE.get(c, c) for c in text)


def _encode_vni(text):
    return ''.join(_VNI_ENCODE.get(c, c) for c in text)


_VIQR_ENCODE = {'đ': 'dd', 'Đ': 'DD'}
for _c, (_b, _t) in _TONED.items():
    if not _c.isascii():
        _v = next((b + m for (b, m), v in _VIQR_QUALITY.items() if v == _b),
            _b)
        _v += next((m for m, t in _VIQR_TONES.items() if t == _t), '')
        _VIQR_ENCODE[_c] = _v.upper() if _c.isupper() else _v


def _encode_viqr(text):
    out = []
    prev = ''
    for char in text:
        if char == '\\' or (
                char in _VIQR_MARKS and _viqr_combine(prev, char)):
            # Would be read as a mark: keep it literal.
            encoded = '\\' + char
        else:
            encoded = _VIQR_ENCODE.get(char, char)
        if out and out[-1] in ('d', 'D') and out[-1] + encoded[0] in _VIQR_D:
            out[-1] = '\\' + out[-1]
        out.append(encoded)
        prev = char
    return ''.join(out)


_ENCODERS = {
    'tcvn3': _encode_tcvn3,
    'vni': _encode_vni,
    'viqr': _encode_viqr,
    }


def from_unicode(text, target):
    """Return text written in the legacy target ('tcvn3', 'vni', 'viqr').

    TCVN3 and VNI come back as the text their bytes give read as cp1252
    (see encode() for bytes).  Raise UnencodableError when the result
    would not read back as text.
    """
    if target not in _ENCODERS:
        raise ValueError("Unknown target encoding %r" % target)
    text = nfc(text)
    result = _ENCODERS[target](text)
    try:
        result.encode('ascii' if target == 'viqr' else 'cp1252')
    except UnicodeEncodeError as error:
        char = result[error.start]
        raise UnencodableError(
            "%r cannot be written in %s" % (char, target),
            text.find(char), char)
    back = _decode(result, target)
    if back != text:
        position = next(
            (i for i, (a, b) in enumerate(zip(back, text)) if a != b),
            min(len(back), len(text)))
        char = text[position:position + 1]
        raise UnencodableError(
            "%r at %d does not survive %s" % (char, position, target),
            position, char)
    return result


def encode(text, target):
    "Return text in the legacy target as bytes."
    result = from_unicode(text, target)
    return result.encode('ascii' if target == 'viqr' else 'cp1252')
