"""Archival submission packages, built and verified without a database.

PDF/A renditions are made by the real Ghostscript; the signed original is
signed with the test PKI of mvp_signing and still verifies in the package.
"""
import datetime as dt
import hashlib
import json
import shutil
import subprocess
import sys

import bagit
import pytest
from lxml import etree
from pyhanko.pdf_utils.reader import PdfFileReader

from trytond.modules.mvp_archive import package as p
from trytond.modules.mvp_signing import keys, pades
from trytond.modules.mvp_signing.tests import pki as test_pki
from trytond.modules.mvp_signing.tests import samples

PASSPHRASE = 'bí mật'
CODE = p.FileCode('000.00.01.H31', 2026, '01.TCCB')

needs_gs = pytest.mark.skipif(not shutil.which('gs'),
    reason="Ghostscript is not installed (make deb)")


@pytest.fixture(scope='module')
def pki():
    return test_pki.shared()


@pytest.fixture(scope='module')
def signed(pki):
    "a PDF signed by the leader of the test PKI, and its evidence"
    path = pki.p12('leader', PASSPHRASE.encode())
    data = pades.sign(samples.pdf(pages=2, size=20_000),
        keys.load_pkcs12(path, PASSPHRASE))
    report = pades.verify(data, [pki.cert('root')], fetch=False)
    assert report['status'] == 'valid'
    return data, report


def dossier(signed=None, count=3):
    documents = []
    for n in range(1, count + 1):
        main = signed[0] if signed and n == 1 else samples.pdf(
            pages=n, size=5_000, seed=n)
        documents.append(p.Document(ordinal=n, direction='outgoing',
                type_name="Quyết định", subject=f"Về việc bổ nhiệm {n}",
                code_number=str(n), code_notation='QĐ-SNV',
                issued_date=dt.date(2026, 3, n), organ_name="Sở Nội vụ",
                signers=[p.Signer("Ngô Văn Thành", "Giám đốc")],
                to=[p.Recipient("UBND xã Mễ Sở", '000.00.23.H31')],
                files=[
                    p.File(f"Quyết định {n}.pdf", data=main,
                        evidence=signed[1] if signed and n == 1 else None),
                    p.File("Danh sách.xlsx", data=b'PK\x03\x04 sheet',
                        role='annex')]))
    documents.append(p.Document(ordinal=count + 1, direction='incoming',
            type_name="Công văn", subject="Đề nghị bổ nhiệm",
            code_number='12', code_notation='UBND-VP',
            issued_date=dt.date(2026, 2, 20),
            arrival_date=dt.date(2026, 2, 21),
            arrival_number=45, organ_name="UBND xã Mễ Sở", priority=1,
            files=[p.File("Công văn.pdf", data=samples.pdf(pages=1),
                    evidence=b'<validation status="unsigned"/>')]))
    return p.Dossier(CODE, "Hồ sơ bổ nhiệm cán bộ năm 2026", documents,
        retention=None, organ_name="Sở Nội vụ tỉnh Hưng Yên",
        creator="Trịnh Thị Thu")


@pytest.fixture
def built(tmp_path):
    return p.build(dossier(), tmp_path, convert_pdf=False)


def codes(problems):
    return sorted((problem.code, problem.path) for problem in problems)


def rebag(path):
    "Regenerate the manifests, as someone covering a change would"
    bag = bagit.Bag(str(path))
    bag.save(manifests=True)


def test_intact(built):
    "A package just built is intact and its checksum is its tag manifest's"
    assert p.verify(built.path, built.checksum) == []
    assert built.checksum == hashlib.sha256(
        (built.path / 'tagmanifest-sha256.txt').read_bytes()).hexdigest()
    assert built.path.name == '000.00.01.H31.2026.01.TCCB'
    # 4 documents: their XML, 3 × 2 files and 1, the evidence, the dossier
    assert built.files == 4 + 7 + 1 + 1
    bag = bagit.Bag(str(built.path))
    assert bag.is_valid()
    assert bag.info['External-Identifier'] == str(CODE)


def test_metadata(built):
    "The metadata carries the dossier's and each document's fields"
    ns = {'a': p.NAMESPACE}
    data = built.path / 'data'
    dossier_xml = etree.parse(str(data / 'dossier.xml'))
    assert p.schema().validate(dossier_xml)
    assert dossier_xml.findtext('a:FileCode/a:OrganId', namespaces=ns) \
        == '000.00.01.H31'
    assert dossier_xml.findtext('a:Maintenance', namespaces=ns) \
        == "Vĩnh viễn"
    assert dossier_xml.findtext('a:DocTotal', namespaces=ns) == '4'
    # pages counted from the PDFs: 1 + 2 + 3 + 1
    assert dossier_xml.findtext('a:PageTotal', namespaces=ns) == '7'
    assert dossier_xml.findtext('a:StartDate', namespaces=ns) == '2026-02-20'
    assert dossier_xml.findtext('a:EndDate', namespaces=ns) == '2026-03-03'
    incoming = etree.parse(str(data / 'documents/004/document.xml'))
    assert incoming.getroot().get('direction') == 'incoming'
    assert incoming.findtext('a:ArrivalNumber', namespaces=ns) == '45'
    assert incoming.findtext('a:Files/a:File/a:Evidence', namespaces=ns) \
        is not None
    first = etree.parse(str(data / 'documents/001/document.xml'))
    assert first.findtext('a:SignerInfo/a:FullName', namespaces=ns) \
        == "Ngô Văn Thành"
    annex = first.find('a:Files/a:File[@role="annex"]', namespaces=ns)
    assert annex.get('name') == "Danh sách.xlsx"
    assert annex.get('format') == ('application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet')


def test_tampered_file(built):
    "A changed file is found, even when its size is kept"
    target = built.path / 'data/documents/002/01.pdf'
    data = bytearray(target.read_bytes())
    data[100] ^= 1
    target.write_bytes(bytes(data))
    assert codes(p.verify(built.path)) == [
        ('altered', 'data/documents/002/01.pdf')]


def test_extra_file(built):
    (built.path / 'data/documents/002/03.pdf').write_bytes(b'%PDF-1.4')
    assert codes(p.verify(built.path)) == [
        ('extra', 'data/documents/002/03.pdf')]


def test_missing_file(built):
    (built.path / 'data/documents/003/02.xlsx').unlink()
    assert codes(p.verify(built.path)) == [
        ('missing', 'data/documents/003/02.xlsx')]


def test_altered_metadata(built):
    "Metadata changed is found by its checksum, and by the dossier's when " \
        "the manifest was regenerated to cover it"
    target = built.path / 'data/documents/001/document.xml'
    target.write_text(target.read_text().replace(
            "Về việc bổ nhiệm 1", "Về việc khác"))
    assert codes(p.verify(built.path)) == [
        ('altered', 'data/documents/001/document.xml')]
    rebag(built.path)
    problems = p.verify(built.path, built.checksum)
    assert codes(problems) == [
        ('checksum', 'tagmanifest-sha256.txt'),
        ('mismatch', 'data/documents/001/document.xml')]
    assert "another checksum or size" in str(problems[0])


def test_metadata_counts(built):
    "The dossier's totals are checked against its documents"
    target = built.path / 'data/dossier.xml'
    target.write_text(target.read_text().replace(
            '<DocTotal>4</DocTotal>', '<DocTotal>5</DocTotal>').replace(
            '<PageTotal>7</PageTotal>', '<PageTotal>9</PageTotal>'))
    rebag(built.path)
    assert codes(p.verify(built.path)) == [
        ('doc_total', 'data/dossier.xml'), ('page_total', 'data/dossier.xml')]


def test_invalid_xml(built):
    "Metadata that is not XML, or not of the schema, is reported"
    target = built.path / 'data/documents/002/document.xml'
    target.write_text(target.read_text().replace('</Document>', ''))
    other = built.path / 'data/documents/003/document.xml'
    other.write_text(other.read_text().replace(
            '<Subject>', '<Unknown>x</Unknown><Subject>'))
    rebag(built.path)
    found = codes(p.verify(built.path))
    assert ('invalid_xml', 'data/documents/002/document.xml') in found
    assert ('invalid_xml', 'data/documents/003/document.xml') in found


def test_unreferenced(built):
    "A file added with its manifest regenerated is not in the metadata"
    (built.path / 'data/documents/002/03.pdf').write_bytes(b'%PDF-1.4')
    rebag(built.path)
    assert codes(p.verify(built.path)) == [
        ('unreferenced', 'data/documents/002/03.pdf')]


def test_bad_evidence(built):
    target = built.path / 'data/documents/004/01.evidence.xml'
    target.write_text('<validation')
    rebag(built.path)
    found = codes(p.verify(built.path))
    assert ('evidence', 'data/documents/004/01.evidence.xml') in found
    assert ('mismatch', 'data/documents/004/01.evidence.xml') in found


def test_not_a_package(tmp_path):
    with pytest.raises(p.NotAPackage):
        p.verify(tmp_path)
    (tmp_path / 'bagit.txt').write_text('x')
    with pytest.raises(p.NotAPackage):
        p.verify(tmp_path)


def test_failed_build_leaves_nothing(tmp_path):
    "A build that fails writes nothing: a too long subject, bad evidence"
    long = dossier()
    long.documents[1].subject = 'x' * 501
    with pytest.raises(p.Error) as error:
        p.build(long, tmp_path, convert_pdf=False)
    assert error.value.code == 'build_document'
    assert "document 2" in str(error.value)
    bad = dossier()
    bad.documents[0].files[0].evidence = b'neither'
    with pytest.raises(p.Error) as error:
        p.build(bad, tmp_path, convert_pdf=False)
    assert error.value.code == 'build_evidence'
    twice = dossier()
    twice.documents[1].ordinal = 1
    with pytest.raises(p.Error) as error:
        p.build(twice, tmp_path, convert_pdf=False)
    assert error.value.code == 'build_ordinal'
    assert list(tmp_path.iterdir()) == []
    p.build(dossier(), tmp_path, convert_pdf=False)
    with pytest.raises(p.Error) as error:
        p.build(dossier(), tmp_path, convert_pdf=False)
    assert error.value.code == 'build_exists'
    assert len(list(tmp_path.iterdir())) == 1


def xmp_claim(path):
    "The PDF/A part and conformance of the XMP, read apart from package.py"
    with open(path, 'rb') as f:
        reader = PdfFileReader(f, strict=False)
        root = reader.root
        intents = [i.get_object()['/S']
            for i in root.get('/OutputIntents', [])]
        if '/Metadata' not in root:
            return None, None, intents
        xmp = etree.fromstring(root['/Metadata'].data)
    ns = {'pdfaid': 'http://www.aiim.org/pdfa/ns/id/'}
    part = xmp.xpath('//@pdfaid:part | //pdfaid:part/text()', namespaces=ns)
    conformance = xmp.xpath(
        '//@pdfaid:conformance | //pdfaid:conformance/text()', namespaces=ns)
    return (part[0] if part else None,
        conformance[0] if conformance else None, intents)


@needs_gs
def test_pdfa(tmp_path, signed):
    """Every PDF gets a PDF/A-2b rendition beside its original, whose bytes
    do not change: the signed original still verifies in the package"""
    pki = test_pki.shared()
    package = p.build(dossier(signed), tmp_path)
    assert p.verify(package.path, package.checksum) == []
    data = package.path / 'data/documents/001'
    assert (data / '01.pdf').read_bytes() == signed[0]
    report = pades.verify((data / '01.pdf').read_bytes(),
        [pki.cert('root')], fetch=False)
    assert report['status'] == 'valid'
    assert json.loads((data / '01.evidence.json').read_text())['status'] \
        == 'valid'
    assert xmp_claim(data / '01.pdf')[0] is None
    part, conformance, intents = xmp_claim(data / '01.pdfa.pdf')
    assert (part, conformance) == ('2', 'B')
    assert intents == ['/GTS_PDFA1']
    assert p.pages(data / '01.pdfa.pdf') == p.pages(data / '01.pdf') == 2
    # not for other formats
    assert not (data / '02.pdfa.pdf').exists()
    ns = {'a': p.NAMESPACE}
    rendition = etree.parse(str(data / 'document.xml')).find(
        'a:Files/a:File/a:Rendition', namespaces=ns)
    assert rendition.get('format') == 'PDF/A-2B'
    assert rendition.get('tool').startswith('Ghostscript ')


@needs_gs
def test_already_pdfa(tmp_path):
    "A file that claims PDF/A already, or whose rendition is given, is " \
        "not converted"
    source = tmp_path / 'source.pdf'
    source.write_bytes(samples.pdf(pages=2))
    made = tmp_path / 'made.pdf'
    p.convert(source, made)
    assert p.pdfa(made) == '2B'
    one = dossier(count=2)
    one.documents[0].files[0] = p.File("Đã PDF-A.pdf", path=made)
    one.documents[1].files[0] = p.File("Nguồn.pdf", path=source, pdfa=made)
    package = p.build(one, tmp_path / 'out', convert_pdf=False)
    assert p.verify(package.path) == []
    data = package.path / 'data/documents'
    assert not (data / '001/01.pdfa.pdf').exists()
    assert (data / '002/01.pdfa.pdf').read_bytes() == made.read_bytes()
    ns = {'a': p.NAMESPACE}
    first = etree.parse(str(data / '001/document.xml')).find(
        'a:Files/a:File', namespaces=ns)
    assert first.get('format') == 'PDF/A-2B'


@needs_gs
def test_conversion_failure(tmp_path):
    "A PDF Ghostscript cannot read stops the build, naming the document"
    broken = dossier(count=1)
    broken.documents[0].files[0] = p.File("Hỏng.pdf",
        data=b'%PDF-1.7\n' + b'\x00garbage' * 100)
    with pytest.raises(p.Error) as error:
        p.build(broken, tmp_path)
    assert error.value.code == 'build_conversion'
    assert "Hỏng.pdf" in str(error.value)
    assert list(tmp_path.iterdir()) == []


def mvp(*args):
    return subprocess.run([sys.executable, '-m',
            'trytond.modules.mvp_documents.cli', *map(str, args)],
        capture_output=True, text=True)


def test_cli_exit_codes(built, tmp_path):
    "mvp archive verify: 0 intact, 1 not, 2 not a package"
    result = mvp('archive', 'verify', built.path, '--checksum',
        built.checksum)
    assert result.returncode == 0, result.stderr
    assert built.checksum in result.stdout
    result = mvp('archive', 'verify', built.path, '--checksum', '0' * 64)
    assert result.returncode == 1
    assert 'checksum of the package' in result.stdout
    (built.path / 'data/documents/001/01.pdf').write_bytes(b'changed')
    result = mvp('archive', 'verify', built.path)
    assert result.returncode == 1
    assert 'data/documents/001/01.pdf has changed' in result.stdout
    result = mvp('archive', 'verify', tmp_path / 'nothing')
    assert result.returncode == 2
    assert 'not an archival package' in result.stderr


def test_messages():
    "The models' messages (message.xml) say what the core's say"
    records = {r.get('id'): r.findtext('field') for r in etree.parse(
            str(p.SCHEMA.with_name('message.xml'))).iter('record')}
    for code, text in p.MESSAGES.items():
        assert records.get(f'msg_package_{code}') == text, code
