"""Vietnamese text: Unicode NFC, search folding, sort keys, legacy encodings.

Plain Python (no trytond import) so that imports, the ``mvp text`` command
and the Tryton models share one tested core.

Legacy encodings handled:

``tcvn3``
    TCVN 5712:1993 "VN3", the ABC fonts (.VnTime...): one byte per letter,
    lowercase toned vowels only; capitals of toned vowels were typed with
    the same codes in a capitals-only font (.VnTimeH).
``vni``
    VNI-Windows fonts (VNI-Times...): base letter followed by a modifier
    byte for the marks.
``viqr``
    RFC 1456 / Viet-Std 1992 "quoted-readable": ASCII marks after the
    letter (``Vie^.t Nam``), ``dd`` for đ, ``\\`` escapes a mark.

The 8-bit encodings arrive either as raw bytes or, more often, as text
already decoded as cp1252/latin-1 ("QuyÕt ®Þnh" for "Quyết định"); both
forms are accepted.  Detection decodes each whitespace-separated chunk
under every hypothesis and checks the result against Vietnamese syllable
structure; input whose chunks are only valid under different encodings is
refused rather than converted.
"""
import codecs
import collections
import functools
import re
import unicodedata

__all__ = [
    'VNTextError', 'UnknownEncoding', 'MixedEncoding', 'ENCODINGS', 'nfc',
    'fold', 'sort_key', 'detect', 'to_unicode', 'is_syllable', 'LETTERS_134']

ENCODINGS = ('unicode', 'tcvn3', 'vni', 'viqr', 'ascii')


class VNTextError(ValueError):
    pass


class UnknownEncoding(VNTextError):
    "The encoding of the input cannot be told."

    def __init__(self, message, reason='unknown'):
        super().__init__(message)
        # 'binary', 'ambiguous', 'unknown' or 'invalid' (forced source that
        # does not fit); lets callers word their own translated message.
        self.reason = reason


class MixedEncoding(VNTextError):
    "The input mixes text in several encodings."

    def __init__(self, message, encodings, samples=()):
        super().__init__(message)
        self.encodings = tuple(encodings)
        self.samples = tuple(samples)


# --- letters ---------------------------------------------------------------

# Tone marks as combining characters, indexed by tone number in the order
# of Vietnamese dictionaries: ngang (none), huyền, hỏi, ngã, sắc, nặng.
_TONE_MARKS = ('', '\u0300', '\u0309', '\u0303', '\u0301', '\u0323')
_TONE_OF = {m: i for i, m in enumerate(_TONE_MARKS) if m}
# Marks that make a different letter (ă â ê ô ơ ư), not a tone.
_QUALITY = {'\u0306', '\u0302', '\u031b'}
_VOWELS = 'aăâeêioôơuưy'
_CONSONANTS = 'bcdđghklmnpqrstvx'


def _compose(base, tone):
    return unicodedata.normalize('NFC', base + _TONE_MARKS[tone])


# char -> (lowercase letter without tone, tone) for every Vietnamese letter
_LETTER = {}
for _v in _VOWELS:
    for _t in range(6):
        _LETTER[_compose(_v, _t)] = (_v, _t)
        _LETTER[_compose(_v.upper(), _t)] = (_v, _t)
for _c in _CONSONANTS + 'fjwz':
    _LETTER[_c] = (_c, 0)
    _LETTER[_c.upper()] = (_c, 0)
_TONED = {c: lt for c, lt in _LETTER.items() if lt[0] in _VOWELS}
#: the 134 letters with diacritics (67 lowercase, 67 uppercase)
LETTERS_134 = ''.join(sorted(
    c for c, (b, t) in _LETTER.items() if not c.isascii()))
assert len(LETTERS_134) == 134


# --- NFC -------------------------------------------------------------------

_COMBINING_RUN = re.compile('[\u0300-\u036f]{2,}')


def _quality_first(match):
    marks = match.group()
    return (''.join(m for m in marks if m in _QUALITY)
        + ''.join(m for m in marks if m not in _QUALITY))


def nfc(text):
    """Return text in Unicode NFC as TCVN 6909:2001 requires.

    Decomposed input, precomposed letters followed by a combining tone
    (Windows cp1258 style) and a tone typed before the circumflex, breve or
    horn all give the precomposed letter.
    """
    if text is None or text.isascii():
        return text
    decomposed = unicodedata.normalize('NFD', text)
    # NFD keeps "e + acute + circumflex" in typing order (same combining
    # class); composition then stops at "é" and leaves a stray circumflex.
    decomposed = _COMBINING_RUN.sub(_quality_first, decomposed)
    return unicodedata.normalize('NFC', decomposed)


# --- folding ---------------------------------------------------------------

# Ð/ð (eth) are often typed for Đ/đ and do not decompose either.
_FOLD_D = str.maketrans({'đ': 'd', 'Đ': 'd', 'ð': 'd', 'Ð': 'd'})


def fold(text):
    """Return the search key of text: no marks, đ as d, casefolded, single
    spaces.  "Quyết  định số 17" -> "quyet dinh so 17"."""
    if text is None:
        return None
    text = unicodedata.normalize('NFD', nfc(text).casefold())
    text = ''.join(c for c in text if not unicodedata.combining(c))
    return ' '.join(text.translate(_FOLD_D).split())


# --- sorting ---------------------------------------------------------------

# Alphabet and tone order of Vietnamese dictionaries: Vũ Xuân Lương,
# "Quy tắc sắp xếp ABC" (Vietnam Lexicography Centre, used for Hoàng Phê's
# Từ điển tiếng Việt): letters a ă â b c d đ e ê f g h i j k l m n o ô ơ p q
# r s t u ư v w x y z; tones ngang, huyền, hỏi, ngã, sắc, nặng; letters
# first, tones only between syllables with the same letters; compared
# syllable by syllable from the left; lowercase before uppercase; a prefix
# before the longer block.  The CLDR "vi" collation orders tones the same.
_ALPHABET = 'aăâbcdđeêfghijklmnoôơpqrstuưvwxyz'
_PRIMARY = {c: chr(0x41 + i) for i, c in enumerate(_ALPHABET)}
# Key layout (compare as code points: Python str, COLLATE "C", SQLite):
# syllable = letters \x03 tones; syllables joined by \x02; \x01 then case.
_END, _NEXT, _TONES = '\x01', '\x02', '\x03'
_FOREIGN = '\x7f'
_TOKEN = re.compile(r'\d+|[^\W\d_]+')


@functools.lru_cache(maxsize=4096)
def _collation(char):
    "Return (primary weight, tone, is upper) of one letter."
    if char in _LETTER:
        letter, tone = _LETTER[char]
        return _PRIMARY[letter], tone, char != char.lower()
    lower = char.lower()
    if lower in ('đ', 'ð'):
        return _PRIMARY['đ'], 0, char != lower
    decomposed = unicodedata.normalize('NFD', lower)
    base = decomposed[0]
    if base in _PRIMARY:
        # Latin letters with other marks (ç, ü, ñ) sort with their base.
        return _PRIMARY[base], 0, char != lower
    return _FOREIGN + lower, 0, char != lower


def sort_key(text):
    """Return a string whose code point order is the Vietnamese
    alphabetical order of texts (numbers in numeric order, punctuation
    ignored).  Store it and sort with a binary collation."""
    if text is None:
        return None
    syllables, case = [], []
    for token in _TOKEN.findall(nfc(text)):
        if token[0].isdigit():
            digits = str(int(token))
            syllables.append(chr(0x20 + min(len(digits), 32)) + digits)
            continue
        letters, tones = [], []
        for char in token:
            weight, tone, upper = _collation(char)
            letters.append(weight)
            if tone:
                tones.append(chr(0x30 + tone))
            case.append('B' if upper else 'A')
        syllables.append(''.join(letters) + _TONES + ''.join(tones))
    return _NEXT.join(syllables) + _END + ''.join(case)


# --- syllable check --------------------------------------------------------

_ONSETS = ('ngh', 'ng', 'nh', 'ch', 'gh', 'gi', 'kh', 'ph', 'qu', 'th', 'tr',
    'b', 'c', 'd', 'đ', 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't',
    'v', 'x', '')
_CODAS = ('ch', 'ng', 'nh', 'c', 'm', 'n', 'p', 't', '')
_STOPS = {'c', 'ch', 'p', 't'}
# Vowel groups by what may follow them.
_OPEN = set(('ai ao au ay âu ây eo êu ia iu oi ôi ơi ua ui ưa ưi ưu uơ oai '
        'oao oay oeo uây uôi uya uyu ươi ươu iêu yêu').split())
_EITHER = set('a e ê i o ô ơ u ư y oa oe uê uy'.split())
_CLOSED = set('ă â iê yê uô ươ oă uâ uyê oo'.split())


@functools.lru_cache(maxsize=65536)
def is_syllable(word):
    """Tell whether word is a well-formed Vietnamese syllable (or a run of
    consonants such as the abbreviation "QĐ")."""
    letters, tone = [], 0
    for char in word:
        if char not in _LETTER:
            return False
        letter, t = _LETTER[char]
        if t:
            if tone:
                return False
            tone = t
        letters.append(letter)
    plain = ''.join(letters)
    if all(c in _CONSONANTS for c in plain):
        return True
    for onset in _ONSETS:
        if not plain.startswith(onset):
            continue
        rest = plain[len(onset):]
        for coda in _CODAS:
            if coda and not rest.endswith(coda):
                continue
            nucleus = rest[:len(rest) - len(coda)]
            if coda:
                ok = nucleus in _EITHER or nucleus in _CLOSED
            else:
                ok = nucleus in _EITHER or nucleus in _OPEN
            # A stop final (c ch p t) takes only sắc or nặng.
            if ok and (coda not in _STOPS or tone in (4, 5)):
                return True
    return False


# --- TCVN3 -----------------------------------------------------------------

# TCVN 5712:1993 VN3 ("ABC") byte -> letter.  Source: the standard's VN3
# table as implemented by UniKey's VnConv (vnconv/data.cpp, TCVN3 row),
# cross-checked in tests by round-tripping all letters.  VN3 has codes only
# for lowercase toned vowels and for Ă Â Ê Ô Ơ Ư Đ.
_TCVN3 = {
    0xA1: 'Ă', 0xA2: 'Â', 0xA3: 'Ê', 0xA4: 'Ô', 0xA5: 'Ơ', 0xA6: 'Ư',
    0xA7: 'Đ', 0xA8: 'ă', 0xA9: 'â', 0xAA: 'ê', 0xAB: 'ô', 0xAC: 'ơ',
    0xAD: 'ư', 0xAE: 'đ',
    0xB5: 'à', 0xB6: 'ả', 0xB7: 'ã', 0xB8: 'á', 0xB9: 'ạ',
    0xBB: 'ằ', 0xBC: 'ẳ', 0xBD: 'ẵ', 0xBE: 'ắ', 0xC6: 'ặ',
    0xC7: 'ầ', 0xC8: 'ẩ', 0xC9: 'ẫ', 0xCA: 'ấ', 0xCB: 'ậ',
    0xCC: 'è', 0xCE: 'ẻ', 0xCF: 'ẽ', 0xD0: 'é', 0xD1: 'ẹ',
    0xD2: 'ề', 0xD3: 'ể', 0xD4: 'ễ', 0xD5: 'ế', 0xD6: 'ệ',
    0xD7: 'ì', 0xD8: 'ỉ', 0xDC: 'ĩ', 0xDD: 'í', 0xDE: 'ị',
    0xDF: 'ò', 0xE1: 'ỏ', 0xE2: 'õ', 0xE3: 'ó', 0xE4: 'ọ',
    0xE5: 'ồ', 0xE6: 'ổ', 0xE7: 'ỗ', 0xE8: 'ố', 0xE9: 'ộ',
    0xEA: 'ờ', 0xEB: 'ở', 0xEC: 'ỡ', 0xED: 'ớ', 0xEE: 'ợ',
    0xEF: 'ù', 0xF1: 'ủ', 0xF2: 'ũ', 0xF3: 'ú', 0xF4: 'ụ',
    0xF5: 'ừ', 0xF6: 'ử', 0xF7: 'ữ', 0xF8: 'ứ', 0xF9: 'ự',
    0xFA: 'ỳ', 0xFB: 'ỷ', 0xFC: 'ỹ', 0xFD: 'ý', 0xFE: 'ỵ',
    }
_TCVN3_DECODE = {chr(b): c for b, c in _TCVN3.items()}
_TCVN3_ENCODE = {c: chr(b) for b, c in _TCVN3.items()}
# Capitals of toned vowels share the lowercase code (capitals font).
for _c, (_b, _t) in _TONED.items():
    if _c not in _TCVN3_ENCODE and _c.lower() in _TCVN3_ENCODE:
        _TCVN3_ENCODE[_c] = _TCVN3_ENCODE[_c.lower()]
_TCVN3_CAPS_ONLY = set(_TCVN3_DECODE) - {chr(b) for b in range(0xA1, 0xAF)}
_TCVN3_TABLE = str.maketrans(_TCVN3_DECODE)
_TCVN3_UPPER_TABLE = str.maketrans(
    {k: v.upper() for k, v in _TCVN3_DECODE.items()})
_LINE = re.compile(r'[^\n]+')
_WORD = re.compile(r'[^\W\d_]+')
_TCVN3_WORD = re.compile(
    '(?:[^\\W\\d_]|[%s])+' % ''.join(sorted(_TCVN3_DECODE)))


def _case(word):
    """Return the case of a TCVN3 word: 'upper' for two capitals or more
    and no small letter, 'lower' for any small letter, else None.

    Only letters that have case in VN3 count: ASCII and Ă Â Ê Ô Ơ Ư Đ.
    """
    upper = 0
    for char in word:
        if char in _TCVN3_CAPS_ONLY:
            continue
        char = _TCVN3_DECODE.get(char, char)
        if char.islower():
            return 'lower'
        if char.isupper():
            upper += 1
    return 'upper' if upper >= 2 else None


def _decode_tcvn3(text):
    """Decode TCVN3 text, restoring the capitals that a capitals-only font
    (.VnTimeH) showed for lowercase codes: in words written in capitals,
    and in short words such as "X·" on a line with no small letter."""
    def line(match):
        source = match.group()
        words = [(m, _case(m.group()))
            for m in _TCVN3_WORD.finditer(source)]
        # Abbreviations (UBND) are capitals in any font: only words with
        # a toned vowel tell.
        capitals = not any(case == 'lower' for m, case in words) and any(
            case == 'upper' and _TCVN3_CAPS_ONLY.intersection(m.group())
            for m, case in words)
        out, last = [], 0
        for m, case in words:
            out.append(source[last:m.start()].translate(_TCVN3_TABLE))
            word = m.group()
            if case == 'upper' or (case is None and capitals):
                out.append(word.translate(_TCVN3_UPPER_TABLE))
            else:
                out.append(word.translate(_TCVN3_TABLE))
            last = m.end()
        out.append(source[last:].translate(_TCVN3_TABLE))
        return ''.join(out)
    return _LINE.sub(line, text)


# --- VNI -------------------------------------------------------------------

# VNI-Windows, as implemented by UniKey's VnConv (vnconv/data.cpp, VNI-WIN
# row, which also serves VNI fonts' own documentation): letter + one
# modifier byte; i/y with some tones, ơ, ư and đ are single bytes.
_VNI_TONE = ('', 'ø', 'û', 'õ', 'ù', 'ï')
_VNI_CIRCUMFLEX = ('â', 'à', 'å', 'ã', 'á', 'ä')
_VNI_BREVE = ('ê', 'è', 'ú', 'ü', 'é', 'ë')
_VNI_I = ('i', 'ì', 'æ', 'ó', 'í', 'ò')
_VNI_ENCODE = {'đ': 'ñ', 'Đ': 'Ñ'}
for _c, (_b, _t) in _TONED.items():
    _up = _c.isupper()
    if _b in 'aeouy':
        _v = _b + _VNI_TONE[_t]
        if _b == 'y' and _t == 5:
            _v = 'î'
    elif _b in 'âêô':
        _v = 'aeo'['âêô'.index(_b)] + _VNI_CIRCUMFLEX[_t]
    elif _b == 'ă':
        _v = 'a' + _VNI_BREVE[_t]
    elif _b in 'ơư':
        _v = 'ôö'['ơư'.index(_b)] + _VNI_TONE[_t]
    else:
        _v = _VNI_I[_t]
    _VNI_ENCODE[_c] = _v.upper() if _up else _v
_VNI_DECODE = {}
for _c, _v in _VNI_ENCODE.items():
    if len(_v) == 1:
        _VNI_DECODE[_v] = _c
    else:
        # Modifiers typed in the other case are still read.
        for _m in {_v[1], _v[1].upper(), _v[1].lower()}:
            _VNI_DECODE[_v[0] + _m] = _c
_VNI_SINGLE = ''.join(sorted(k for k in _VNI_DECODE if len(k) == 1))
_VNI_MODIFIERS = ''.join(sorted({k[1] for k in _VNI_DECODE if len(k) == 2}))
# One pass: a decoded pair must not be read again as a single byte.
_VNI_CODE = re.compile(
    '[aeouyôöAEOUYÔÖ][%s]|[%s]' % (_VNI_MODIFIERS, _VNI_SINGLE))


def _vni_code(match):
    code = match.group()
    if code in _VNI_DECODE:
        return _VNI_DECODE[code]
    return ''.join(_VNI_DECODE.get(c, c) for c in code)


def _decode_vni(text):
    return _VNI_CODE.sub(_vni_code, text)


# --- VIQR ------------------------------------------------------------------

# RFC 1456 (Viet-Std 1992): a mark applies if and only if it combines with
# the letter before it into a Vietnamese letter; "\" before a mark keeps
# it literal; DD, Dd and dd stand for Đ and đ.
_VIQR_TONES = {'`': 1, '?': 2, '~': 3, "'": 4, '.': 5}
_VIQR_QUALITY = {('a', '('): 'ă', ('a', '^'): 'â', ('e', '^'): 'ê',
    ('o', '^'): 'ô', ('o', '+'): 'ơ', ('u', '+'): 'ư'}
_VIQR_MARKS = set(_VIQR_TONES) | {'(', '^', '+'}
_VIQR_D = ('dd', 'DD', 'Dd')
_VIQR_STRONG = {'(', '^', '+', '`', '~'}


def _viqr_combine(char, mark):
    "Return char with mark applied, or None if they do not combine."
    if char not in _LETTER or _LETTER[char][0] not in _VOWELS:
        return None
    letter, tone = _LETTER[char]
    upper = char.isupper()
    if mark in _VIQR_TONES:
        if tone:
            return None
        tone = _VIQR_TONES[mark]
    else:
        letter = _VIQR_QUALITY.get((letter, mark))
        if letter is None:
            return None
    result = _compose(letter, tone)
    return result.upper() if upper else result


def _decode_viqr(text):
    out = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == '\\' and i + 1 < n and (
                text[i + 1] in _VIQR_MARKS or text[i + 1] in '\\dD'):
            out.append(text[i + 1])
            i += 2
            continue
        if text[i:i + 2] in _VIQR_D:
            out.append('đ' if char == 'd' else 'Đ')
            i += 2
            continue
        if char in _VIQR_MARKS and out:
            combined = _viqr_combine(out[-1], char)
            if combined is not None:
                out[-1] = combined
                i += 1
                continue
        out.append(char)
        i += 1
    return ''.join(out)


# --- detection -------------------------------------------------------------

_LEGACY = ('tcvn3', 'vni')
_DECODERS = {
    'tcvn3': lambda t: t.translate(_TCVN3_TABLE),
    'vni': _decode_vni,
    'viqr': _decode_viqr,
    }
# What is left of text once the codes of each 8-bit encoding are taken out.
_TCVN3_DROP = str.maketrans(dict.fromkeys(_TCVN3_DECODE))
_LEFTOVER = {
    'tcvn3': lambda t: t.translate(_TCVN3_DROP),
    'vni': lambda t: _VNI_CODE.sub('', t),
    }
# Letters that only Unicode text can hold (outside Latin-1).
_UNICODE_ONLY = {c for c in _LETTER if ord(c) > 0xFF}
_CP1252_FIX = {i: bytes([i]).decode('cp1252', 'ignore') or chr(i)
    for i in range(0x80, 0xA0)}


def _words_status(text):
    """Return 1 if every word with a non-ASCII letter is a syllable, -1 if
    one is not, 0 if there is none."""
    status = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        if not is_syllable(word):
            return -1
        status = 1
    return status


@functools.lru_cache(maxsize=65536)
def _judge(chunk):
    """Return the status of one whitespace-free chunk under each hypothesis
    as a dict: 1 valid, 0 says nothing, -1 invalid; for 'viqr' 2 means
    valid with marks that plain text seldom has."""
    result = {}
    ascii_ = chunk.isascii()
    foreign = any(c in _UNICODE_ONLY for c in chunk)
    result['unicode'] = _words_status(chunk)
    for name in _LEGACY:
        if ascii_:
            result[name] = 0
        elif foreign or any(
                not c.isascii() and c.isalpha() for c in _LEFTOVER[name](
                    chunk)):
            # Letters these 8-bit encodings cannot have produced.
            result[name] = -1
        else:
            result[name] = _words_status(_DECODERS[name](chunk))
    if ascii_:
        status = _words_status(_decode_viqr(chunk))
        if status > 0 and _viqr_strong(chunk):
            status = 2
        result['viqr'] = status
    else:
        result['viqr'] = -1 if foreign else 0
    return result


def _viqr_strong(chunk):
    "Tell whether chunk holds marks that ordinary ASCII text seldom has."
    prev = ''
    for i, char in enumerate(chunk):
        if char in _VIQR_MARKS and prev and prev.lower() in 'aeiouy':
            if char in _VIQR_STRONG:
                return True
            if chunk[i + 1:i + 2].isalpha():
                return True
        prev = char
    return bool(re.match(r'(?:dd|DD|Dd)[aeiouyAEIOUY]', chunk))


def _as_text(data):
    """Return (text, legacy_bytes): legacy_bytes is True when data was not
    Unicode and was read byte by byte."""
    if isinstance(data, str):
        return data, False
    data = bytes(data)
    for bom, codec in ((codecs.BOM_UTF8, 'utf-8'),
            (codecs.BOM_UTF16_LE, 'utf-16'), (codecs.BOM_UTF16_BE, 'utf-16')):
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                raise UnknownEncoding(
                    "Input starts with a %s mark but is not %s"
                    % (codec.upper(), codec.upper()), 'invalid')
            return text.lstrip('\ufeff'), False
    if b'\0' in data:
        raise UnknownEncoding("Input is binary data, not text", 'binary')
    try:
        return data.decode('utf-8'), False
    except UnicodeDecodeError:
        return data.decode('latin-1').translate(_CP1252_FIX), True


def _tally(text, legacy_bytes):
    hypotheses = ['tcvn3', 'vni'] if legacy_bytes else [
        'unicode', 'tcvn3', 'vni', 'viqr']
    valid = dict.fromkeys(hypotheses, 0)
    invalid = dict.fromkeys(hypotheses, 0)
    exclusive = dict.fromkeys(hypotheses, 0)
    samples = {h: [] for h in hypotheses}
    for chunk, count in collections.Counter(text.split()).items():
        judged = _judge(chunk)
        good = [h for h in hypotheses if judged[h] > 0]
        for h in hypotheses:
            if judged[h] > 0:
                valid[h] += count
            elif judged[h] < 0:
                invalid[h] += count
        # Weak VIQR (a final "." or "?" after a vowel) proves nothing, nor
        # does a lone character: most read as a letter in some encoding.
        strong = [h for h in good if h != 'viqr' or judged[h] == 2]
        if len(good) == 1 and strong and len(chunk) > 1:
            exclusive[good[0]] += count
            if len(samples[good[0]]) < 3:
                samples[good[0]].append(chunk)
    return hypotheses, valid, invalid, exclusive, samples


def _detect(text, legacy_bytes):
    text = nfc(text) if not legacy_bytes else text
    if text.isascii() and not legacy_bytes:
        return _detect_ascii(text)
    hypotheses, valid, invalid, exclusive, samples = _tally(
        text, legacy_bytes)
    ranked = sorted(hypotheses, key=lambda h: exclusive[h], reverse=True)
    first = ranked[0]
    mixed = [h for h in ranked[1:] if exclusive[h] and not (
            # One odd word (a unit such as "µm" reads as TCVN3) is let
            # pass where nothing is converted or where it would be
            # converted like the rest; a Unicode word in legacy text
            # would be mangled.
            exclusive[h] == 1 and h != 'unicode' and (
                first == 'unicode' or exclusive[first] >= 10))]
    if mixed:
        found = [first] + mixed
        raise MixedEncoding(
            "Input mixes %s text" % ' and '.join(found), found,
            [s for h in found for s in samples[h][:1]])
    if not exclusive[first]:
        if not legacy_bytes:
            return 'unicode'
        raise UnknownEncoding(
            "Cannot tell the encoding of this 8-bit text: it reads as "
            "neither TCVN3 nor VNI Vietnamese", 'ambiguous'
            if valid['tcvn3'] and valid['vni'] else 'unknown')
    if first == 'unicode':
        return first
    if valid[first] < 2 * invalid[first]:
        raise UnknownEncoding(
            "Text looks like %s but too many words do not read as "
            "Vietnamese" % first, 'unknown')
    if first in _LEGACY and any(c in _UNICODE_ONLY for c in text):
        raise MixedEncoding(
            "Input mixes %s and Unicode text" % first, [first, 'unicode'])
    return first


def _detect_ascii(text):
    hypotheses, valid, invalid, exclusive, samples = _tally(text, False)
    letters = sum(1 for chunk in text.split()
        if any(c.isalpha() for c in chunk))
    if (exclusive['viqr'] and valid['viqr'] * 4 >= letters
            and valid['viqr'] > invalid['viqr']):
        return 'viqr'
    return 'ascii'


def detect(data):
    """Return the encoding of data (bytes or str): 'unicode', 'tcvn3',
    'vni', 'viqr' or 'ascii'.

    Raise UnknownEncoding when it cannot be told and MixedEncoding when
    parts of the input are in different encodings.
    """
    text, legacy_bytes = _as_text(data)
    return _detect(text, legacy_bytes)


def _check_source(text, source):
    if source in _LEGACY and any(c in _UNICODE_ONLY for c in text):
        raise MixedEncoding(
            "Input said to be %s holds Unicode Vietnamese letters" % source,
            [source, 'unicode'])
    if source == 'viqr' and not text.isascii():
        if any(c in _UNICODE_ONLY or c in _TONED for c in text):
            raise MixedEncoding(
                "Input said to be VIQR holds Unicode Vietnamese letters",
                ['viqr', 'unicode'])


def to_unicode(data, source='auto'):
    """Return data (bytes or str) as NFC text.

    source is 'auto' (detect), 'unicode', 'tcvn3', 'vni' or 'viqr'.
    """
    if source not in ('auto', 'unicode', 'ascii', 'tcvn3', 'vni', 'viqr'):
        raise ValueError("Unknown source encoding %r" % source)
    text, legacy_bytes = _as_text(data)
    if source == 'auto':
        source = _detect(text, legacy_bytes)
    elif source in ('unicode', 'ascii') and legacy_bytes:
        raise UnknownEncoding("Input is not UTF-8 text", 'invalid')
    else:
        _check_source(text, source)
        if source in _DECODERS:
            hypotheses, valid, invalid, exclusive, samples = _tally(
                text, legacy_bytes)
            # Refused only when another encoding clearly reads better: a
            # word or two may read in several.
            if valid.get(source, 0) < invalid.get(source, 0) and max(
                    exclusive.values()) > exclusive.get(source, 0) + 2:
                raise UnknownEncoding(
                    "Most words do not read as Vietnamese in %s" % source,
                    'invalid')
    return _decode(text, source)


def _decode(text, source):
    if source == 'tcvn3':
        text = _decode_tcvn3(text)
    elif source in ('vni', 'viqr'):
        text = _DECODERS[source](text)
    return nfc(text)
