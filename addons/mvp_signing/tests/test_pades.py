"""Signing and verification, without a database.

The test PKI (tests/pki.py) is generated at run time and serves CRL, OCSP
and timestamps on 127.0.0.1.
"""
import datetime as dt
import io
import json
import os
import re

import pytest
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation import DocumentSecurityStore

from trytond.modules.mvp_documents import numbering
from trytond.modules.mvp_signing import appearance, cli, keys, pades
from trytond.modules.mvp_signing.tests import images
from trytond.modules.mvp_signing.tests import pki as test_pki
from trytond.modules.mvp_signing.tests import samples

PASSPHRASE = 'mật khẩu'
ISO = re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$')


@pytest.fixture(scope='module')
def pki():
    return test_pki.shared()


@pytest.fixture(scope='module')
def roots(pki):
    return [pki.cert('root')]


@pytest.fixture(scope='module')
def pdf():
    return samples.pdf(pages=2, size=20_000)


@pytest.fixture(scope='module')
def p12(pki):
    paths = {}

    def get(label):
        if label not in paths:
            paths[label] = pki.p12(label, PASSPHRASE.encode())
        return paths[label]
    return get


def signer(p12, label):
    return keys.load_pkcs12(p12(label), PASSPHRASE)


def only(report):
    assert len(report['signatures']) == 1
    return report['signatures'][0]


def test_pkcs12_b_b(pdf, p12, roots):
    signed = pades.sign(pdf, signer(p12, 'leader'))
    assert signed.startswith(pdf)  # an incremental update
    report = pades.verify(signed, roots, fetch=False)
    assert report['status'] == 'valid'
    sig = only(report)
    assert sig['signer'] == test_pki.LEADER
    assert sig['intact'] and sig['trusted'] and sig['valid']
    assert not sig['revoked'] and not sig['expired']
    assert sig['coverage'] == 'entire_file'
    assert sig['modified_after'] is False
    assert sig['level'] == 'B-B'
    assert ISO.match(sig['signing_time'])
    # a signature that cannot be evaluated reads the same way
    assert sig.keys() == set(pades.REPORT_KEYS)
    assert pades._broken(None, ValueError()).keys() == sig.keys()


def test_pkcs12_cache(p12):
    path = p12('agency')
    first = keys.load_pkcs12(path, PASSPHRASE)
    assert keys.load_pkcs12(path, PASSPHRASE.encode()) is first
    # a hit needs the passphrase: the cache is no way around it
    with pytest.raises(keys.KeyUnavailable, match='passphrase'):
        keys.load_pkcs12(path, 'wrong')
    # a new version of the file is read again
    st = os.stat(path)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1000))
    again = keys.load_pkcs12(path, PASSPHRASE)
    assert again is not first
    assert again.signing_cert.dump() == first.signing_cert.dump()
    with pytest.raises(keys.KeyUnavailable):
        keys.load_pkcs12(path + '.missing', PASSPHRASE)


def test_pkcs11_softhsm(pki, pdf, roots):
    conf = pki.softhsm('leader', pin='4321')
    assert os.environ['SOFTHSM2_CONF'] == conf
    with keys.open_pkcs11(test_pki.SOFTHSM, token='mvp', pin='4321',
            key='leader') as token_signer:
        signed = pades.sign(pdf, token_signer, field='leader')
    sig = only(pades.verify(signed, roots, fetch=False))
    assert sig['valid'] and sig['signer'] == test_pki.LEADER
    with pytest.raises(keys.KeyUnavailable):
        with keys.open_pkcs11(test_pki.SOFTHSM, token='mvp', pin='0000',
                key='leader'):
            pass
    with pytest.raises(keys.KeyUnavailable):
        with keys.open_pkcs11(test_pki.SOFTHSM, token='mvp', pin='4321',
                key='nobody'):
            pass


@pytest.mark.parametrize('raw', [False, True], ids=['cms', 'raw'])
def test_external_round_trip(pdf, p12, pki, roots, raw):
    leader = signer(p12, 'leader')
    pending = pades.prepare(pdf, leader.signing_cert,
        chain=pki.chain('leader'), field='leader',
        appearance=appearance.Personal(
            images.signature_image(test_pki.LEADER)))
    # the server keeps it as plain data between the two steps
    pending = pades.Prepared.from_json(pending.to_json())
    request = json.loads(json.dumps(pending.request()))
    answer = pades.sign_request(request, leader, raw=raw)
    assert list(answer) == ['signature' if raw else 'cms']
    signed = pades.finish(pending, answer)
    sig = only(pades.verify(signed, roots, fetch=False))
    assert sig['valid'] and sig['signer'] == test_pki.LEADER


def test_external_rejects(pdf, p12, pki):
    leader = signer(p12, 'leader')
    other = signer(p12, 'agency')
    pending = pades.prepare(pdf, leader.signing_cert)
    with pytest.raises(pades.CannotSign, match='another certificate'):
        pades.sign_request(pending.request(), other)
    # an answer made by another key, for this certificate
    forged = dict(pending.request(), cert=pades._b64(
            other.signing_cert.dump()))
    with pytest.raises(pades.CannotSign, match='does not match'):
        pades.finish(pending, pades.sign_request(forged, other, raw=True))
    with pytest.raises(pades.CannotSign, match='certificate'):
        pades.finish(pending, pades.sign_request(forged, other))
    # a CMS over another document
    other_doc = pades.prepare(samples.pdf(seed=7), leader.signing_cert)
    with pytest.raises(pades.CannotSign, match='another document'):
        pades.finish(pending, pades.sign_request(other_doc.request(), leader))


def test_external_command(pdf, p12, pki, roots, tmp_path, monkeypatch,
        capsys):
    leader = signer(p12, 'leader')
    pending = pades.prepare(pdf, leader.signing_cert,
        chain=pki.chain('leader'), level='B-T', tsa_url=pki.tsa_url)
    request = tmp_path / 'request.json'
    request.write_text(json.dumps(pending.request()))
    answer = tmp_path / 'answer.json'
    monkeypatch.setenv(cli.SECRET_ENV, PASSPHRASE)
    assert cli.main(['sign-external', str(request), '--p12', p12('leader'),
            '-o', str(answer)]) == 0
    signed = pades.finish(pending, json.loads(answer.read_text()))
    sig = only(pades.verify(signed, roots, fetch=False))
    assert sig['valid'] and sig['timestamped'] and sig['level'] == 'B-T'
    monkeypatch.setenv(cli.SECRET_ENV, 'wrong')
    assert cli.main(['sign-external', str(request), '--p12',
            p12('leader')]) == 1
    assert 'passphrase' in capsys.readouterr().err


def test_b_t(pdf, p12, pki, roots):
    signed = pades.sign(pdf, signer(p12, 'agency'), level='B-T',
        tsa_url=pki.tsa_url)
    sig = only(pades.verify(signed, roots, fetch=False))
    assert sig['valid'] and sig['timestamped']
    assert sig['level'] == 'B-T'
    with pytest.raises(pades.CannotSign, match='tsa_url'):
        pades.sign(pdf, signer(p12, 'agency'), level='B-T')
    with pytest.raises(pades.CannotSign, match='timestamp'):
        pades.sign(pdf, signer(p12, 'agency'), level='B-T',
            tsa_url='http://127.0.0.1:9/unreachable')


def test_b_lt(pdf, p12, pki, roots):
    signed = pades.sign(pdf, signer(p12, 'leader'), level='B-LT',
        tsa_url=pki.tsa_url, trust=roots)
    dss = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(signed)))
    assert dss.ocsps or dss.crls
    # offline and demanding revocation data: only the embedded data can
    # make it valid
    sig = only(pades.verify(signed, roots, fetch=False,
            revocation='hard-fail'))
    assert sig['valid'] and sig['level'] == 'B-LT'
    plain = pades.sign(pdf, signer(p12, 'leader'))
    sig = only(pades.verify(plain, roots, fetch=False,
            revocation='hard-fail'))
    assert not sig['trusted'] and not sig['valid']


def test_b_lt_external(pdf, p12, pki, roots):
    leader = signer(p12, 'leader')
    pending = pades.prepare(pdf, leader.signing_cert,
        chain=pki.chain('leader'), level='B-LT', tsa_url=pki.tsa_url)
    signed = pades.finish(pending, pades.sign_request(pending.request(),
            leader), trust=roots)
    sig = only(pades.verify(signed, roots, fetch=False,
            revocation='hard-fail'))
    assert sig['valid'] and sig['level'] == 'B-LT'


def test_tampered(pdf, p12, roots):
    signed = pades.sign(pdf, signer(p12, 'leader'))
    assert signed.count(b'(Page 1)') == 1
    tampered = signed.replace(b'(Page 1)', b'(Page 9)')
    report = pades.verify(tampered, roots, fetch=False)
    sig = only(report)
    assert report['status'] == 'invalid'
    assert not sig['intact'] and not sig['valid']
    assert 'tampered' in sig['reasons']


def test_modified_after_signing(pdf, p12, roots):
    signed = pades.sign(pdf, signer(p12, 'leader'))
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    page_ref, _ = writer.find_page_for_modification(0)
    page = page_ref.get_object()
    from pyhanko.pdf_utils import generic
    page['/Contents'] = writer.add_object(
        generic.StreamObject(stream_data=b'BT /F1 14 Tf 72 700 Td '
            b'(Forged) Tj ET'))
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    sig = only(pades.verify(out.getvalue(), roots, fetch=False))
    assert sig['intact']  # the signed revision itself is untouched
    assert sig['modified_after'] and sig['coverage'] == 'entire_revision'
    assert not sig['valid'] and 'modified' in sig['reasons']


def test_revoked(pdf, p12, roots):
    signed = pades.sign(pdf, signer(p12, 'revoked'))
    sig = only(pades.verify(signed, roots))  # OCSP on loopback
    assert sig['revoked'] and sig['revoked_at']
    assert not sig['valid'] and 'revoked' in sig['reasons']
    # with trust roots given, signing checks the certificate first
    with pytest.raises(pades.CannotSign):
        pades.sign(pdf, signer(p12, 'revoked'), trust=roots)


def test_expired(pdf, p12, roots):
    signed = pades.sign(pdf, signer(p12, 'expired'))
    sig = only(pades.verify(signed, roots, fetch=False))
    assert sig['expired'] and not sig['valid']
    assert 'expired' in sig['reasons']


def test_untrusted(pdf, p12, pki):
    signed = pades.sign(pdf, signer(p12, 'leader'))
    report = pades.verify(signed, [pki.cert('stranger')], fetch=False)
    sig = only(report)
    assert sig['intact'] and not sig['trusted']
    assert report['status'] == 'invalid' and sig['reasons'] == ['untrusted']
    assert only(pades.verify(signed, [], fetch=False))['trusted'] is False


def test_unsigned(pdf):
    assert pades.verify(pdf, []) == {'status': 'unsigned', 'signatures': [],
        'javascript': False}


def test_javascript(pdf, p12, roots):
    scripted = samples.pdf(script='app.alert("hi")')
    with pytest.raises(pades.CannotSign, match='JavaScript'):
        pades.sign(scripted, signer(p12, 'leader'))
    signed = pades.sign(pdf, signer(p12, 'leader'))
    assert pades.verify(signed, roots, fetch=False)['javascript'] is False
    # a script added after signing is reported, and the signature with it
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    from pyhanko.pdf_utils import generic
    writer.root['/OpenAction'] = generic.DictionaryObject({
        generic.pdf_name('/S'): generic.pdf_name('/JavaScript'),
        generic.pdf_name('/JS'): generic.TextStringObject('app.alert(1)')})
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    report = pades.verify(out.getvalue(), roots, fetch=False)
    assert report['javascript'] is True
    assert not only(report)['valid']


def test_bad_input(pdf, p12, tmp_path):
    with pytest.raises(pades.Unreadable, match='not a PDF'):
        pades.verify(b'hello, world', [])
    with pytest.raises(pades.Unreadable, match='damaged'):
        pades.verify(pdf[:len(pdf) // 2] + b'garbage', [])
    with pytest.raises(pades.Unreadable, match='encrypted'):
        pades.verify(samples.pdf(encrypt='secret'), [])
    huge = tmp_path / 'huge.pdf'
    with open(huge, 'wb') as f:
        f.truncate(100 * 2 ** 20)
    with pytest.raises(pades.Unreadable, match='too large'):
        pades.verify(str(huge), [])
    with pytest.raises(pades.Unreadable):
        pades.sign(b'%PDF-1.7 nonsense', signer(p12, 'leader'))
    with pytest.raises(pades.Error, match='encrypted'):
        pades.sign(samples.pdf(encrypt='secret'), signer(p12, 'leader'))
    with pytest.raises(pades.CannotSign, match='level'):
        pades.sign(pdf, signer(p12, 'leader'), level='B-LTA')


def _tounicode(font):
    "glyph code -> text, from a font's /ToUnicode CMap"
    cmap = font['/ToUnicode'].data.decode('latin-1')
    table = {}
    for block in re.findall(r'beginbfchar(.*?)endbfchar', cmap, re.S):
        for src, dst in re.findall(r'<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>',
                block):
            table[int(src, 16)] = bytes.fromhex(dst).decode('utf-16-be')
    for block in re.findall(r'beginbfrange(.*?)endbfrange', cmap, re.S):
        for lo, hi, dst in re.findall(
                r'<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*'
                r'(<[0-9A-Fa-f]+>|\[[^\]]*\])', block):
            codes = range(int(lo, 16), int(hi, 16) + 1)
            if dst.startswith('['):
                for code, value in zip(codes,
                        re.findall(r'<([0-9A-Fa-f]+)>', dst)):
                    table[code] = bytes.fromhex(value).decode('utf-16-be')
            else:
                for i, code in enumerate(codes):
                    table[code] = chr(int(dst[1:-1], 16) + i)
    return table


def appearance_text(signed, field):
    """The text drawn in a signature's appearance, decoded through the
    embedded font's ToUnicode map as a PDF reader would"""
    reader = PdfFileReader(io.BytesIO(signed))
    for name, _value, ref in enumerate_sig_fields(reader):
        if name == field:
            stream = ref.get_object()['/AP']['/N']
            break
    else:
        raise AssertionError('no field %s' % field)
    fonts = stream['/Resources'].get('/Font', {})
    lines = []
    for font_name, ops in re.findall(rb'/(\w+) [\d.]+ Tf(.*?)ET',
            stream.data, re.S):
        font = fonts['/' + font_name.decode()]
        assert '/FontFile2' in font['/DescendantFonts'][0]['/FontDescriptor']
        table = _tounicode(font)
        for array in re.findall(rb'\[(.*?)\] TJ', ops, re.S):
            codes = b''.join(re.findall(rb'<([0-9A-Fa-f]+)>', array))
            glyphs = bytes.fromhex(codes.decode())
            lines.append(''.join(table[int.from_bytes(glyphs[i:i + 2], 'big')]
                    for i in range(0, len(glyphs), 2)))
    return lines


def test_decree30_personal_and_organisation(pdf, p12, roots):
    leader, agency = signer(p12, 'leader'), signer(p12, 'agency')
    box = (330, 150, 530, 240)
    signed = pades.sign(pdf, leader, field='leader',
        appearance=appearance.Personal(
            images.signature_image(test_pki.LEADER), box=box))
    assert appearance_text(signed, 'leader') == [test_pki.LEADER]
    image_only = pades.sign(pdf, leader, field='leader',
        appearance=appearance.Personal(
            images.signature_image(test_pki.LEADER), box=box, name=''))
    assert appearance_text(image_only, 'leader') == []
    stamped = pades.sign(signed, agency, field='agency',
        appearance=appearance.Organisation(
            images.stamp_image(test_pki.AGENCY), over='leader'))
    reader = PdfFileReader(io.BytesIO(stamped))
    page, personal = appearance.field_rect(reader, 'leader')
    seal_page, seal = appearance.field_rect(reader, 'agency')
    assert page == seal_page == 1  # the last page, the signing place
    assert personal == box
    # the seal covers the left third of the personal signature
    assert seal[2] == pytest.approx(box[0] + (box[2] - box[0]) / 3, abs=0.01)
    assert seal[0] < box[0]
    assert (seal[1] + seal[3]) / 2 == pytest.approx((box[1] + box[3]) / 2)
    assert seal[2] - seal[0] == pytest.approx(36 / 25.4 * 72, abs=0.5)
    report = pades.verify(stamped, roots, fetch=False)
    assert report['status'] == 'valid'
    first, second = report['signatures']
    assert first['signer'] == test_pki.LEADER
    assert first['modifications'] == 'form_filling'  # just the second one
    assert second['signer'] == test_pki.AGENCY
    assert second['coverage'] == 'entire_file'


def test_decree30_organisation_number_and_date(pdf, p12, roots):
    "under the seal, the number and the date as written; the time signed"
    leader, agency = signer(p12, 'leader'), signer(p12, 'agency')
    signed = pades.sign(pdf, leader, field='leader',
        appearance=appearance.Personal(
            images.signature_image(test_pki.LEADER),
            box=(330, 150, 530, 240)))
    dated = numbering.dated(dt.date(2026, 12, 1), 'Hưng Yên')
    stamped = pades.sign(signed, agency, field='agency',
        appearance=appearance.Organisation(
            images.stamp_image(test_pki.AGENCY), over='leader',
            number='05/QĐ-UBND', dated=dated))
    assert appearance_text(stamped, 'agency') == [
        '05/QĐ-UBND', 'Hưng Yên, ngày 01 tháng 12 năm 2026']
    _, (x1, _y1, x2, _y2) = appearance.field_rect(
        PdfFileReader(io.BytesIO(stamped)), 'agency')
    assert x2 - x1 >= appearance.text_width(dated, 10)
    report = pades.verify(stamped, roots, fetch=False)
    assert report['status'] == 'valid'
    assert ISO.match(report['signatures'][1]['signing_time'])


def test_decree30_attachment(pdf, p12, roots):
    number = '12/UBND-VX'
    signed = pades.sign(pdf, signer(p12, 'agency'), field='agency',
        appearance=appearance.Attachment(test_pki.AGENCY, number))
    agency, symbol, when = appearance_text(signed, 'agency')
    assert (agency, symbol) == (test_pki.AGENCY, number)
    sig = only(pades.verify(signed, roots, fetch=False))
    assert ISO.match(when) and when == sig['signing_time']
    reader = PdfFileReader(io.BytesIO(signed))
    page, (x1, y1, x2, y2) = appearance.field_rect(reader, 'agency')
    assert page == 0
    assert x2 > 595 - 40 and y2 > 842 - 40  # top right of A4
    assert b'/F1 10 Tf' in reader.get_object(
        next(r for n, v, r in enumerate_sig_fields(reader)).reference
        )['/AP']['/N'].data


def test_vietnamese_repertoire():
    "every Vietnamese letter has a glyph in the embedded font"
    letters = 'aăâbcdđeêghiklmnoôơpqrstuưvxy'
    tones = ['', '\u0300', '\u0301', '\u0309', '\u0303', '\u0323']
    import unicodedata
    widths, _em = appearance._metrics(appearance.font_path())
    for base in letters + letters.upper():
        for tone in tones if base.lower() in 'aăâeêioôơuưy' else ['']:
            char = unicodedata.normalize('NFC', base + tone)
            assert len(char) == 1 and ord(char) in widths, repr(char)


def run_cli(capsys, *args):
    status = cli.main(['verify-pdf', *args])
    out = capsys.readouterr()
    return status, out.out, out.err


def test_cli_exit_codes(pdf, p12, pki, tmp_path, capsys):
    signed = tmp_path / 'signed.pdf'
    signed.write_bytes(pades.sign(pdf, signer(p12, 'leader')))
    trust = pki.trust_dir('root')
    status, out, err = run_cli(capsys, str(signed), '--trust', trust,
        '--offline')
    assert status == 0, err
    (line,) = out.splitlines()
    result = json.loads(line)
    assert result['signer'] == test_pki.LEADER and result['valid']
    for key in ('signer', 'intact', 'trusted', 'revoked', 'expired',
            'signing_time', 'coverage', 'level'):
        assert key in result
    status, out, _ = run_cli(capsys, str(signed), '--trust',
        pki.trust_dir('stranger'), '--offline')
    assert status == 1 and json.loads(out)['trusted'] is False
    unsigned = tmp_path / 'unsigned.pdf'
    unsigned.write_bytes(pdf)
    assert run_cli(capsys, str(unsigned), '--trust', trust)[0] == 3
    corrupt = tmp_path / 'corrupt.pdf'
    corrupt.write_bytes(b'%PDF-1.7\n' + os.urandom(2000))
    status, out, err = run_cli(capsys, str(corrupt), '--trust', trust)
    assert status == 2 and out == '' and 'damaged' in err
    encrypted = tmp_path / 'encrypted.pdf'
    encrypted.write_bytes(samples.pdf(encrypt='secret'))
    status, _, err = run_cli(capsys, str(encrypted), '--trust', trust)
    assert status == 2 and 'encrypted' in err
    huge = tmp_path / 'huge.pdf'
    with open(huge, 'wb') as f:
        f.truncate(100 * 2 ** 20)
    status, _, err = run_cli(capsys, str(huge), '--trust', trust)
    assert status == 2 and 'too large' in err
    status, _, err = run_cli(capsys, str(tmp_path / 'missing.pdf'))
    assert status == 2 and 'no such file' in err


@pytest.mark.parametrize('label', ['expired', 'revoked'])
def test_timestamp_proves_signing_time(pdf, p12, pki, roots, label):
    "a signature timestamped while the certificate was good stays valid"
    signed = pades.sign(pdf, signer(p12, label), level='B-T',
        tsa_url=pki.past_tsa_url)
    sig = only(pades.verify(signed, roots))
    assert sig['valid'] and sig['reasons'] == []
    assert sig['timestamped'] and sig['validated_at'] == sig['signing_time']
    assert sig[label]  # still reported: expired, or revoked since
    # timestamped now, after the fact: no rescue
    late = pades.sign(pdf, signer(p12, label), level='B-T',
        tsa_url=pki.tsa_url)
    sig = only(pades.verify(late, roots))
    assert not sig['valid'] and label in sig['reasons']
