"""Vietnamese text core: NFC, folding, sorting, legacy encodings, ``mvp text``.

No database: plain functions on the corpus in data/vntext/.
"""
import pathlib
import random
import subprocess
import sys
import unicodedata

import pytest

from trytond.modules.mvp_documents import vntext
from trytond.modules.mvp_documents.tests import legacy
from trytond.modules.mvp_documents.cli import main

DATA = pathlib.Path(__file__).resolve().parent / 'data' / 'vntext'
CORPUS = (DATA / 'corpus.txt').read_text(encoding='utf-8')
LINES = CORPUS.splitlines()
SAMPLES = {
    'tcvn3': DATA / 'corpus.tcvn3.txt',
    'vni': DATA / 'corpus.vni.txt',
    'viqr': DATA / 'corpus.viqr.txt',
    }
LEGACY = list(SAMPLES)


def _generator():
    "The corpus generator, loaded from its file (it is no package module)"
    namespace = {'__file__': str(DATA / 'generate.py'), '__name__': 'gen'}
    exec(compile((DATA / 'generate.py').read_text(encoding='utf-8'),
            str(DATA / 'generate.py'), 'exec'), namespace)
    return namespace['generate']


# --- NFC -------------------------------------------------------------------

def test_nfc_of_decomposed_input():
    title = "Quyết định về việc ban hành Quy chế công tác văn thư"
    decomposed = unicodedata.normalize('NFD', title)
    assert decomposed != title
    assert vntext.nfc(decomposed) == title


def test_nfc_of_every_letter():
    for letter in vntext.LETTERS_134:
        assert vntext.nfc(unicodedata.normalize('NFD', letter)) == letter
        assert len(vntext.nfc(letter)) == 1


def test_nfc_mixed_forms():
    # Windows cp1258 style: precomposed ê followed by a combining acute.
    assert vntext.nfc('Vi\u00ea\u0323t') == 'Việt'
    # Tone typed before the circumflex, horn before/after the dot below.
    assert vntext.nfc('e\u0301\u0302') == 'ế'
    assert vntext.nfc('o\u0323\u031b') == 'ợ'
    assert vntext.nfc('u\u031b\u0300') == 'ừ'
    # Deprecated tone marks U+0340/U+0341 are canonically grave/acute.
    assert vntext.nfc('a\u0341') == 'á'
    assert vntext.nfc(None) is None
    assert vntext.nfc('ASCII only') == 'ASCII only'


# --- folding ---------------------------------------------------------------

def test_fold_search_examples():
    title = "Quyết định số 17/QĐ-UBND về việc ban hành Quy chế"
    assert vntext.fold("Quyết định số 17") == "quyet dinh so 17"
    assert vntext.fold("quyet dinh so 17") in vntext.fold(title)
    assert vntext.fold("QUYẾT ĐỊNH SỐ 17") in vntext.fold(title)
    assert vntext.fold("Quyết Định") in vntext.fold(title)


def test_fold_d_bar_matches_d():
    assert vntext.fold("đ") == vntext.fold("d") == 'd'
    assert vntext.fold("Đà Nẵng") == vntext.fold("da nang") == 'da nang'
    assert vntext.fold("ĐỒNG THÁP") == 'dong thap'
    # Eth, often typed for Đ.
    assert vntext.fold("\u00d0ồng") == 'dong'


def test_fold_normalises_space_and_form():
    decomposed = unicodedata.normalize('NFD', "  Uỷ  ban\tnhân\n dân ")
    assert vntext.fold(decomposed) == 'uy ban nhan dan'
    assert vntext.fold("Ủy ban") == vntext.fold("Uỷ ban")
    assert vntext.fold(None) is None


def test_fold_every_letter_to_ascii():
    for letter in vntext.LETTERS_134:
        folded = vntext.fold(letter)
        assert folded.isascii() and len(folded) == 1, letter
        assert folded in 'adeiouy'


# --- sorting ---------------------------------------------------------------

def test_sort_alphabet_and_tones():
    # Dictionary order: letters a ă â b c d đ e ê ..., tones ngang, huyền,
    # hỏi, ngã, sắc, nặng.
    expected = ("a à ả ã á ạ ăn ằn ẳn ẵn ắn ặn ân ần ẩn ẫn ấn ận b c d đ "
        "e è ẻ ẽ é ẹ ê ề ể ễ ế ệ g h i ì ỉ ĩ í ị k l m n o ò ỏ õ ó ọ "
        "ô ồ ổ ỗ ố ộ ơ ờ ở ỡ ớ ợ p q r s t u ù ủ ũ ú ụ ư ừ ử ữ ứ ự v x "
        "y ỳ ỷ ỹ ý ỵ").split()
    shuffled = expected[:]
    random.Random(17).shuffle(shuffled)
    assert sorted(shuffled, key=vntext.sort_key) == expected


def test_sort_names():
    expected = [
        "An", "Ánh", "Ân", "Bắc", "Bình", "Cường", "Dũng", "Đào", "Đức",
        "Giang", "Hà", "Hải", "Hạnh", "Hiếu", "Hùng", "Hưng", "Hương",
        "Khánh", "Lan", "Lân", "Lê", "Lễ", "Lệ", "Minh", "Nga", "Ngân",
        "Oanh", "Ông", "Ơn", "Phúc", "Quân", "Sơn", "Thảo", "Trang",
        "Uyên", "Ưng", "Vân", "Xuân", "Yến",
        ]
    shuffled = expected[:]
    random.Random(3).shuffle(shuffled)
    assert sorted(shuffled, key=vntext.sort_key) == expected


def test_sort_syllable_by_syllable():
    # Letters first, then tones, one syllable at a time from the left; a
    # prefix comes first; lowercase before uppercase.
    expected = ["ma", "ma cà", "ma cà rồng", "mà", "mà ca", "mác", "mạc",
        "mách", "mai", "Mai", "Nguyễn Văn An", "Nguyễn Văn Ánh",
        "Nguyễn Văn Ân", "Nguyễn Vĩnh"]
    shuffled = expected[:]
    random.Random(5).shuffle(shuffled)
    assert sorted(shuffled, key=vntext.sort_key) == expected


def test_sort_numbers_and_forms():
    titles = ["Quyết định số 17", "Quyết định số 2", "Quyết định số 105"]
    assert sorted(titles, key=vntext.sort_key) == [
        "Quyết định số 2", "Quyết định số 17", "Quyết định số 105"]
    name = "Nguyễn Thị Thuỷ"
    assert vntext.sort_key(unicodedata.normalize('NFD', name)) == (
        vntext.sort_key(name))
    # Storable as PostgreSQL text: no NUL.
    assert '\0' not in vntext.sort_key(name)
    assert vntext.sort_key('') < vntext.sort_key('a')


# --- syllables -------------------------------------------------------------

def test_corpus_words_are_syllables():
    import re
    for word in re.findall(r'[^\W\d_]+', CORPUS):
        if not word.isascii():
            assert vntext.is_syllable(word), word


def test_not_syllables():
    # Mojibake read as Unicode, a hỏi tone on a stop final, two tones.
    for word in ('Vieät', 'QuyÕt', 'Þnh', 'cỏc', 'áó', 'ă', 'chaøo'):
        assert not vntext.is_syllable(word), word


# --- legacy tables against independent references --------------------------

# Bytes of each toned lowercase vowel (tones sắc, huyền, hỏi, ngã, nặng) in
# UniKey's VnConv table (vnconv/data.cpp), TCVN3 row.
UNIKEY_TCVN3 = {
    'a': 'B8 B5 B6 B7 B9', 'ă': 'BE BB BC BD C6', 'â': 'CA C7 C8 C9 CB',
    'e': 'D0 CC CE CF D1', 'ê': 'D5 D2 D3 D4 D6', 'i': 'DD D7 D8 DC DE',
    'o': 'E3 DF E1 E2 E4', 'ô': 'E8 E5 E6 E7 E9', 'ơ': 'ED EA EB EC EE',
    'u': 'F3 EF F1 F2 F4', 'ư': 'F8 F5 F6 F7 F9', 'y': 'FD FA FB FC FE',
    }
# Same source, VNI-WIN row: letter bytes, tones none, sắc, huyền, hỏi,
# ngã, nặng.
UNIKEY_VNI = {
    'a': '61 61F9 61F8 61FB 61F5 61EF', 'â': '61E2 61E1 61E0 61E5 61E3 61E4',
    'ă': '61EA 61E9 61E8 61FA 61FC 61EB', 'e': '65 65F9 65F8 65FB 65F5 65EF',
    'ê': '65E2 65E1 65E0 65E5 65E3 65E4', 'i': '69 ED EC E6 F3 F2',
    'o': '6F 6FF9 6FF8 6FFB 6FF5 6FEF', 'ô': '6FE2 6FE1 6FE0 6FE5 6FE3 6FE4',
    'ơ': 'F4 F4F9 F4F8 F4FB F4F5 F4EF', 'u': '75 75F9 75F8 75FB 75F5 75EF',
    'ư': 'F6 F6F9 F6F8 F6FB F6F5 F6EF', 'y': '79 79F9 79F8 79FB 79F5 EE',
    'A': '41 41D9 41D8 41DB 41D5 41CF', 'Ơ': 'D4 D4D9 D4D8 D4DB D4D5 D4CF',
    'I': '49 CD CC C6 D3 D2', 'Y': '59 59D9 59D8 59DB 59D5 CE',
    'Ă': '41CA 41C9 41C8 41DA 41DC 41CB',
    }
TONES = {'sắc': '\u0301', 'huyền': '\u0300', 'hỏi': '\u0309',
    'ngã': '\u0303', 'nặng': '\u0323'}


def _letter(base, mark):
    return unicodedata.normalize('NFC', base + mark)


def test_tcvn3_table_matches_unikey():
    for base, codes in UNIKEY_TCVN3.items():
        for mark, code in zip(TONES.values(), codes.split()):
            letter = _letter(base, mark)
            assert legacy.encode(letter, 'tcvn3') == bytes.fromhex(code)
            assert vntext.to_unicode(bytes.fromhex(code), 'tcvn3') == letter
    for letter, code in zip('ĂÂÊÔƠƯĐăâêôơưđ', range(0xA1, 0xAF)):
        assert legacy.encode(letter, 'tcvn3') == bytes([code])


def test_vni_table_matches_unikey():
    for base, codes in UNIKEY_VNI.items():
        marks = [''] + list(TONES.values())
        for mark, code in zip(marks, codes.split()):
            letter = _letter(base, mark)
            assert legacy.encode(letter, 'vni') == bytes.fromhex(code), letter
    assert legacy.encode('đĐ', 'vni') == b'\xf1\xd1'


def test_published_examples():
    # VIQR examples of the Viet-Std group and RFC 1456.
    assert vntext.to_unicode(
        "To^i ye^u tie^'ng nu+o+'c to^i tu+` khi mo+'i ra ddo+`i\\.") == (
        "Tôi yêu tiếng nước tôi từ khi mới ra đời.")
    assert vntext.to_unicode(
        "O^ng te^n gi`\\? To^i te^n la` Tra^`n Va(n Hie^'u\\.") == (
        "Ông tên gì? Tôi tên là Trần Văn Hiếu.")
    # VNI as the vietnamese-conversion package documents it.
    assert vntext.to_unicode("Xin chaøo caùc baïn") == "Xin chào các bạn"
    # TCVN3 as it shows in old files opened without the ABC fonts.
    assert vntext.to_unicode("Céng hoµ x· héi chñ nghÜa ViÖt Nam") == (
        "Cộng hoà xã hội chủ nghĩa Việt Nam")


# --- round trips -----------------------------------------------------------

def test_corpus_has_every_letter():
    assert set(vntext.LETTERS_134) <= set(CORPUS)


def test_committed_samples_are_generated():
    assert _generator()() == {
        name: path.read_bytes() for name, path in SAMPLES.items()}


@pytest.mark.parametrize('name', LEGACY)
def test_sample_round_trip(name):
    data = SAMPLES[name].read_bytes()
    assert vntext.to_unicode(data) == CORPUS
    assert vntext.to_unicode(data, name) == CORPUS
    assert legacy.encode(CORPUS, name) == data


@pytest.mark.parametrize('name', ['vni', 'viqr'])
def test_every_letter_round_trip(name):
    for letter in vntext.LETTERS_134:
        encoded = legacy.from_unicode(letter, name)
        # VNI's í ì Í Ì are the Latin-1 bytes; all else is recoded.
        assert encoded != letter or (name, letter) in {
            ('vni', c) for c in 'íìÍÌ'}
        assert vntext.to_unicode(encoded, name) == letter


def test_tcvn3_letters_round_trip():
    for letter in vntext.LETTERS_134:
        if letter.islower() or letter in 'ĂÂÊÔƠƯĐ':
            encoded = legacy.from_unicode(letter, 'tcvn3')
            assert len(encoded) == 1
            assert vntext.to_unicode(encoded, 'tcvn3') == letter
        else:
            # Capitals font: only within capitals does it read back.
            word = 'NG' + letter + 'NG'
            assert vntext.to_unicode(
                legacy.from_unicode(word, 'tcvn3'), 'tcvn3') == word
            with pytest.raises(legacy.UnencodableError):
                legacy.from_unicode('Ng' + letter.lower() + ' ' + letter,
                    'tcvn3')


def test_tcvn3_capitals_font():
    assert vntext.to_unicode("CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM") == (
        "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    # Abbreviations are no sign of the capitals font.
    assert vntext.to_unicode("Sè: 17/Q§-UBND", 'tcvn3') == "Số: 17/QĐ-UBND"
    assert vntext.to_unicode("Hµ Néi, ngµy 05", 'tcvn3') == (
        "Hà Nội, ngày 05")


def test_unencodable():
    with pytest.raises(legacy.UnencodableError) as info:
        legacy.from_unicode("Ý kiến của Sở Nội vụ", 'tcvn3')
    assert info.value.char == 'Ý' and info.value.position == 0
    # Latin-1 signs that are TCVN3 letter codes would read back as letters.
    with pytest.raises(legacy.UnencodableError):
        legacy.from_unicode("© 2024", 'tcvn3')
    with pytest.raises(legacy.UnencodableError):
        legacy.from_unicode("Hà Nội 河内", 'viqr')
    with pytest.raises(ValueError):
        legacy.from_unicode("Hà Nội", 'cp1258')


def test_viqr_escapes():
    text = "Anh đi đâu? Tôi đi học. Địa chỉ: 'dd' \\ ddd, e.g."
    encoded = legacy.from_unicode(text, 'viqr')
    assert encoded.isascii()
    assert vntext.to_unicode(encoded, 'viqr') == text


# --- detection -------------------------------------------------------------

@pytest.mark.parametrize('name', LEGACY)
def test_detect_samples(name):
    data = SAMPLES[name].read_bytes()
    assert vntext.detect(data) == name
    # As mojibake text, and as that text saved in UTF-8.
    text = data.decode('cp1252')
    assert vntext.detect(text) == name
    assert vntext.detect(text.encode('utf-8')) == name
    assert vntext.to_unicode(text.encode('utf-8')) == CORPUS


@pytest.mark.parametrize('name', LEGACY)
def test_detect_each_line(name):
    for line in LINES:
        encoded = legacy.from_unicode(line, name)
        assert vntext.detect(encoded) == name, encoded
        assert vntext.to_unicode(encoded) == line


def test_detect_unicode_and_ascii():
    assert vntext.detect(CORPUS) == 'unicode'
    assert vntext.detect(CORPUS.encode('utf-8')) == 'unicode'
    assert vntext.detect(unicodedata.normalize('NFD', CORPUS)) == 'unicode'
    assert vntext.detect(b'\xef\xbb\xbf' + CORPUS.encode('utf-8')) == (
        'unicode')
    assert vntext.detect(CORPUS.encode('utf-16')) == 'unicode'
    for line in LINES:
        assert vntext.detect(line) == 'unicode'
    assert vntext.detect("Quy che UBND tinh") == 'ascii'


def test_foreign_text_is_left_alone():
    # Unicode in other languages is not taken for legacy Vietnamese.
    for text in (
            "Le président a déclaré à Paris que l'économie était en crise.",
            "Die Straße in München ist schön; Jürgen geht zur Universität.",
            "Ống dẫn 20 µm, nhiệt độ 25 °C, © 2024 Sở Tư pháp, tỷ lệ ½.",
            "Nguyễn Văn An, José Martínez, François Müller"):
        assert vntext.detect(text) == 'unicode'
        assert vntext.to_unicode(text) == text
    english = "Do you want to go? I'd say so. It's 5 o'clock, isn't it?"
    assert vntext.detect(english) == 'ascii'
    assert vntext.to_unicode(english) == english


def test_unknown_encoding():
    french = "Le président a déclaré à Paris que l'économie était en crise."
    with pytest.raises(vntext.UnknownEncoding):
        vntext.to_unicode(french.encode('cp1252'))
    with pytest.raises(vntext.UnknownEncoding) as info:
        vntext.detect(b'%PDF-1.7\n\x00\x01\x02\xff')
    assert info.value.reason == 'binary'
    # A forced encoding that does not fit is refused too.
    with pytest.raises(vntext.UnknownEncoding):
        vntext.to_unicode(SAMPLES['tcvn3'].read_bytes(), 'vni')
    with pytest.raises(vntext.UnknownEncoding):
        vntext.to_unicode(SAMPLES['vni'].read_bytes(), 'unicode')


def test_windows_1258_is_refused():
    # Not one of our encodings: refused, not read as TCVN3 or VNI.
    decomposed = unicodedata.normalize('NFD', CORPUS)
    # cp1258 has ă â ê ô ơ ư đ precomposed, and the five tones combining.
    for base, mark in (('a', '\u0306'), ('a', '\u0302'), ('e', '\u0302'),
            ('o', '\u0302'), ('o', '\u031b'), ('u', '\u031b')):
        for case in (str.lower, str.upper):
            decomposed = decomposed.replace(
                case(base) + '\u0323' + mark, case(_letter(base, mark))
                + '\u0323').replace(case(base) + mark, case(
                    _letter(base, mark)))
    data = decomposed.encode('cp1258')
    with pytest.raises(vntext.VNTextError):
        vntext.to_unicode(data)


@pytest.mark.parametrize('first,second', [
        ('unicode', 'tcvn3'), ('unicode', 'vni'), ('unicode', 'viqr'),
        ('tcvn3', 'vni'), ('tcvn3', 'unicode'), ('vni', 'tcvn3')])
def test_mixed_encodings_raise(first, second):
    def text(name, line):
        return line if name == 'unicode' else legacy.from_unicode(line, name)
    mixed = '\n'.join(
        [text(first, line) for line in LINES[6:12]]
        + [text(second, line) for line in LINES[12:14]])
    with pytest.raises(vntext.MixedEncoding) as info:
        vntext.to_unicode(mixed)
    assert set(info.value.encodings) == {first, second}
    if {first, second} <= {'tcvn3', 'vni'}:
        with pytest.raises(vntext.MixedEncoding):
            vntext.to_unicode(mixed.encode('cp1252'))


def test_one_unicode_word_in_legacy_text_raises():
    # Converting would turn "các" into "cỏc": refuse.
    text = legacy.from_unicode(LINES[6], 'tcvn3') + " các"
    with pytest.raises(vntext.MixedEncoding):
        vntext.to_unicode(text)
    with pytest.raises(vntext.MixedEncoding):
        vntext.to_unicode("Quyết định", 'tcvn3')


# --- mvp text --------------------------------------------------------------

def test_cli_convert(tmp_path, capfdbinary):
    for name, path in SAMPLES.items():
        assert main(['text', 'convert', str(path)]) == 0
        out, err = capfdbinary.readouterr()
        assert out.decode('utf-8') == CORPUS and not err
        assert main(['text', 'convert', '--from', name, str(path)]) == 0
        assert capfdbinary.readouterr().out.decode('utf-8') == CORPUS
    nfd = tmp_path / 'nfd.txt'
    nfd.write_text(unicodedata.normalize('NFD', CORPUS), encoding='utf-8')
    assert main(['text', 'convert', str(nfd)]) == 0
    assert capfdbinary.readouterr().out == CORPUS.encode('utf-8')


def test_cli_detect(capfd):
    for name, path in SAMPLES.items():
        assert main(['text', 'detect', str(path)]) == 0
        assert capfd.readouterr().out == name + '\n'


def _one_line_error(err):
    lines = err.decode('utf-8').splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith('mvp text convert: ')
    return lines[0]


def test_cli_errors(tmp_path, capfdbinary):
    mixed = tmp_path / 'mixed.txt'
    mixed.write_bytes(
        SAMPLES['tcvn3'].read_bytes() + SAMPLES['vni'].read_bytes())
    assert main(['text', 'convert', str(mixed)]) == 2
    out, err = capfdbinary.readouterr()
    assert not out
    assert 'trộn nhiều bảng mã' in _one_line_error(err)

    french = tmp_path / 'french.txt'
    french.write_bytes("Le président a déclaré à l'école".encode('cp1252'))
    assert main(['text', 'convert', str(french)]) == 2
    out, err = capfdbinary.readouterr()
    assert not out
    assert 'không xác định được bảng mã' in _one_line_error(err)

    assert main(['text', 'convert', str(tmp_path / 'missing.txt')]) == 2
    out, err = capfdbinary.readouterr()
    assert 'không đọc được tệp' in _one_line_error(err)
    assert main(['text', 'convert', str(tmp_path)]) == 2
    assert 'không đọc được tệp' in _one_line_error(
        capfdbinary.readouterr().err)

    assert main(['text', 'convert', '--from', 'vni',
            str(SAMPLES['tcvn3'])]) == 2
    assert _one_line_error(capfdbinary.readouterr().err)


def test_cli_stdin_subprocess():
    "The command as administrators run it, reading standard input"
    command = [sys.executable, '-m', 'trytond.modules.mvp_documents.cli',
        'text', 'convert', '-']
    done = subprocess.run(command, input=SAMPLES['vni'].read_bytes(),
        capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.decode('utf-8') == CORPUS
    mixed = SAMPLES['vni'].read_bytes() + CORPUS.encode('utf-8')
    done = subprocess.run(command, input=mixed, capture_output=True,
        timeout=120)
    assert done.returncode == 2 and not done.stdout
    assert done.stderr.decode('utf-8').count('\n') == 1
    assert 'đầu vào chuẩn' in done.stderr.decode('utf-8')
