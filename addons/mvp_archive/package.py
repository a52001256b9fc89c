"""Archival submission packages (nộp lưu) of work dossiers.

    package = build(dossier, directory)   # a Package: path, checksum, ...
    problems = verify(path, checksum)     # [] when the package is intact

A package is a BagIt bag (RFC 8493, written and read by the ``bagit``
library) named by the dossier's code:

    000.00.01.H31.2026.01.TCCB/
      bagit.txt, bag-info.txt, manifest-sha256.txt, tagmanifest-sha256.txt
      data/dossier.xml                     the dossier's metadata and its
                                           documents
      data/documents/001/document.xml      a document's metadata and its files
      data/documents/001/01.pdf            a file as it was stored: the bytes
                                           of a signed original never change
      data/documents/001/01.pdfa.pdf       its PDF/A rendition
      data/documents/001/01.evidence.json  the validation of its signatures

The metadata follows ``package.xsd``: the fields of Decree 30/2020,
Appendix VI, Part II, which Circular 02/2019/TT-BNV's metadata table is
taken to match (the circular's own text was not found; see
shared/standards/tt02-metadata.md), and each file with its SHA-256. The
package's own checksum is the SHA-256 of its tagmanifest-sha256.txt, which
fixes the manifest, which fixes every file.

PDF/A: the circular's text on formats was not found either. Built to the
nearest public description, long-term preservation in PDF/A (ISO 19005):
every PDF that does not already claim PDF/A gets a PDF/A-2b rendition made
by Ghostscript beside the original; other formats (office files, images)
are kept as they are, without rendition.

This module is the functional core: plain data in (the dataclasses below,
filled by the models), files out; no ORM. Errors carry a code: their
message is ``MESSAGES[code]`` here and ``mvp_archive.msg_package_<code>``
for the models to translate.

``bagit`` changes the process's working directory while it writes the tag
files: build packages from the command line or a worker, not in a request
thread.
"""
import datetime as dt
import hashlib
import json
import mimetypes
import os
import posixpath
import re
import shutil
import subprocess
import tempfile
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from glob import glob
from pathlib import Path

import bagit
from lxml import etree

NAMESPACE = 'urn:mvp-eoffice:archive:1'
VERSION = '1'
SCHEMA = Path(__file__).with_name('package.xsd')
DOSSIER_XML = 'dossier.xml'
TAGMANIFEST = 'tagmanifest-sha256.txt'
PERMANENT = "Vĩnh viễn"
VIETNAMESE = "Tiếng Việt"
PDFA_PART = 2
# Ghostscript gives up on a file after this long (seconds): a PDF built to
# hang its interpreter must not hold the export for ever.
CONVERSION_TIMEOUT = 300
CHUNK = 1 << 20

MESSAGES = {
    # build
    'build_exists': "The package %(path)s exists already.",
    'build_ordinal': "Two documents of the dossier have the ordinal "
        "%(ordinal)s.",
    'build_no_content': "Document %(ordinal)s: the file %(name)s has no "
        "content.",
    'build_unreadable': "Document %(ordinal)s: the file %(name)s cannot be "
        "read: %(error)s",
    'build_evidence': "Document %(ordinal)s: the signature evidence of "
        "%(name)s is neither JSON nor XML.",
    'build_conversion': "Document %(ordinal)s: %(name)s could not be "
        "converted to PDF/A: %(error)s",
    'build_ghostscript': "Ghostscript is not installed (Debian package "
        "ghostscript): it converts files to PDF/A.",
    'build_dossier': "The metadata of the dossier is not valid: %(error)s",
    'build_document': "The metadata of document %(ordinal)s is not valid: "
        "%(error)s",
    # verify
    'missing': "The file %(path)s listed in the manifest is missing.",
    'extra': "The file %(path)s is not in the manifest.",
    'altered': "The file %(path)s has changed: its checksum is not the one "
        "in the manifest.",
    'manifest': "The manifest of the package cannot be read: %(error)s",
    'invalid_xml': "The metadata %(path)s is not valid: %(error)s",
    'unlisted': "The metadata names %(path)s, which is not in the manifest.",
    'mismatch': "The metadata gives %(path)s another checksum or size than "
        "the manifest.",
    'unreferenced': "The file %(path)s is not described in the metadata.",
    'dossier': "%(path)s names the dossier %(found)s instead of "
        "%(expected)s.",
    'ordinal': "%(path)s is document %(found)s, not %(expected)s.",
    'doc_total': "The dossier counts %(expected)s documents but the package "
        "holds %(found)s.",
    'page_total': "The dossier counts %(expected)s pages but its documents "
        "%(found)s.",
    'evidence': "The signature evidence %(path)s is neither JSON nor XML.",
    'checksum': "The checksum of the package is %(found)s, not "
        "%(expected)s.",
    }


class Error(Exception):
    "a package cannot be built; `code` names the message, `args` fill it"

    def __init__(self, code, **args):
        super().__init__(MESSAGES[code] % args)
        self.code = code
        self.args_ = args


class NotAPackage(Exception):
    "the path is not an archival package at all"


@dataclass
class FileCode:
    "Mã hồ sơ: the agency's identifier, the year, the dossier's notation"
    organ_id: str
    catalog: int
    notation: str

    def __str__(self):
        return f'{self.organ_id}.{self.catalog}.{self.notation}'


@dataclass
class Signer:
    full_name: str
    position: str | None = None


@dataclass
class Recipient:
    organ_name: str
    organ_id: str | None = None


@dataclass
class File:
    """One file of a document: its bytes (`data`) or where they are
    (`path`); the caller's signature validation evidence (a dict, written as
    JSON, or JSON or XML bytes); a PDF/A rendition already made (`pdfa`,
    e.g. kept from an earlier export), used instead of converting again"""
    name: str
    path: str | Path | None = None
    data: bytes | None = None
    role: str = 'main'  # or 'annex'
    evidence: dict | bytes | None = None
    pdfa: str | Path | None = None


@dataclass
class Document:
    """A document filed in the dossier, with the metadata of Decree 30/2020
    Appendix VI Part II §I (outgoing) and §II (incoming); `internal` is a
    note or a draft. `page_amount` is counted from its PDFs when None."""
    ordinal: int
    direction: str  # 'outgoing', 'incoming' or 'internal'
    type_name: str
    subject: str
    files: list[File] = field(default_factory=list)
    identifier: str | None = None  # mã định danh văn bản (DocCode)
    code_number: str | None = None
    code_notation: str | None = None
    issued_date: dt.date | None = None
    organ_name: str | None = None
    language: str = VIETNAMESE
    page_amount: int | None = None
    description: str | None = None
    arrival_date: dt.date | None = None
    arrival_number: int | None = None
    signers: list[Signer] = field(default_factory=list)
    to: list[Recipient] = field(default_factory=list)
    priority: int | None = None  # 0 normal ... 3 hỏa tốc, as edXML
    to_places: str | None = None
    trace_headers: str | None = None
    issued_amount: int | None = None
    due_date: dt.date | None = None
    keywords: list[str] = field(default_factory=list)
    mode: str | None = None  # chế độ sử dụng
    confidence: str | None = None  # mức độ tin cậy

    @property
    def date(self):
        return self.issued_date or self.arrival_date


@dataclass
class Dossier:
    """A closed work dossier (hồ sơ), Decree 30/2020 Appendix VI Part II
    §III. `retention` is in years, None for permanent; the start and end
    dates default to its documents' first and last."""
    code: FileCode
    title: str
    documents: list[Document]
    retention: int | None = None
    rights: str | None = None
    creator: str | None = None
    organ_name: str | None = None
    language: str = VIETNAMESE
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    description: str | None = None
    keywords: list[str] = field(default_factory=list)

    @property
    def maintenance(self):
        return PERMANENT if self.retention is None \
            else f"{self.retention} năm"


@dataclass
class Package:
    """A package built: `renditions` gives the path of each PDF/A rendition
    converted for it, by (ordinal, file number from 1), for the caller to
    keep rather than convert again"""
    path: Path
    checksum: str
    files: int
    size: int
    renditions: dict = field(default_factory=dict)


@dataclass(frozen=True, order=True)
class Problem:
    "what is wrong with a package: `code` names the message"
    path: str
    code: str
    found: str = ''
    expected: str = ''
    error: str = ''

    def __str__(self):
        return MESSAGES[self.code] % {
            'path': self.path, 'found': self.found,
            'expected': self.expected, 'error': self.error}


# -- reading files -----------------------------------------------------------

def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.file_digest(f, 'sha256').hexdigest()


def checksum(path):
    "The package's own checksum"
    return sha256(Path(path, TAGMANIFEST))


def _copy(source, target):
    "Copy source to target; return the SHA-256 and size of the bytes"
    digest = hashlib.sha256()
    size = 0
    # one buffer, unbuffered files: each byte read once, hashed, written
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with open(source, 'rb', buffering=0) as src, \
            open(target, 'wb', buffering=0) as dst:
        while read := src.readinto(buffer):
            digest.update(view[:read])
            written = 0
            while written < read:
                written += dst.write(view[written:read])
            size += read
    return digest.hexdigest(), size


def _write(data, target):
    with open(target, 'wb') as f:
        f.write(data)
    return hashlib.sha256(data).hexdigest(), len(data)


def is_pdf(path):
    # the header may follow some junk, within the first 1024 bytes
    with open(path, 'rb') as f:
        return b'%PDF-' in f.read(1024)


PDFAID = '{http://www.aiim.org/pdfa/ns/id/}'


def inspect(path):
    """The number of pages of a PDF and the PDF/A part and conformance it
    claims in its XMP metadata (e.g. '2B'), each None when unknown"""
    from pyhanko.pdf_utils.reader import PdfFileReader

    # whatever pyHanko raises on a damaged file means "unknown" here
    with open(path, 'rb') as f:
        try:
            reader = PdfFileReader(f, strict=False)
        except Exception:
            return None, None
        try:
            count = int(reader.root['/Pages']['/Count'])
        except Exception:
            count = None
        try:
            root = etree.fromstring(reader.root['/Metadata'].data, _parser())
        except Exception:
            return count, None
    for node in root.iter():
        part = node.get(PDFAID + 'part') or node.findtext(PDFAID + 'part')
        if part:
            conformance = node.get(PDFAID + 'conformance') \
                or node.findtext(PDFAID + 'conformance') or ''
            return count, part.strip() + conformance.strip().upper()
    return count, None


def pdfa(path):
    return inspect(path)[1]


def pages(path):
    return inspect(path)[0]


@cache
def _parser():
    # Metadata and evidence come from outside: no entities, no network.
    return etree.XMLParser(resolve_entities=False, no_network=True)


@cache
def schema():
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


# -- PDF/A -------------------------------------------------------------------

# Ghostscript's lib/PDFA_def.ps without its placeholder title: the output
# intent (sRGB) that PDF/A asks for. ICCProfile comes from -sICCProfile=.
PDFA_PROLOGUE = '''
[/_objdef {icc_PDFA} /type /stream /OBJ pdfmark
[{icc_PDFA} << /N 3 >> /PUT pdfmark
[{icc_PDFA} ICCProfile (r) file /PUT pdfmark
[/_objdef {OutputIntent_PDFA} /type /dict /OBJ pdfmark
[{OutputIntent_PDFA} << /Type /OutputIntent /S /GTS_PDFA1
  /DestOutputProfile {icc_PDFA} /OutputConditionIdentifier (sRGB) >>
  /PUT pdfmark
[{Catalog} << /OutputIntents [ {OutputIntent_PDFA} ] >> /PUT pdfmark
'''


class ConversionError(Exception):
    pass


@cache
def ghostscript():
    "Ghostscript's command, version and sRGB profile; Error if missing"
    command = shutil.which('gs')
    profiles = sorted(glob('/usr/share/ghostscript/*/iccprofiles/srgb.icc'))
    if not command or not profiles:
        raise Error('build_ghostscript')
    version = subprocess.run([command, '--version'], capture_output=True,
        text=True, check=True).stdout.strip()
    return command, version, profiles[-1]


def tool():
    return 'Ghostscript %s' % ghostscript()[1]


def convert(source, target, part=PDFA_PART):
    """Write a PDF/A-<part>b rendition of the PDF source to target; raise
    ConversionError when Ghostscript fails or its output claims no PDF/A"""
    command, _, profile = ghostscript()
    # Ghostscript reads % in the output name as a page number format
    output = str(target).replace('%', '%%')
    try:
        result = subprocess.run([command, '-q', '-dBATCH', '-dNOPAUSE',
                '-dSAFER', f'-dPDFA={part}', '-dPDFACompatibilityPolicy=1',
                '-sColorConversionStrategy=RGB', '-sDEVICE=pdfwrite',
                f'--permit-file-read={profile}', f'-sICCProfile={profile}',
                f'-sOutputFile={output}', '-c', PDFA_PROLOGUE,
                '-f', str(source)],
            capture_output=True, text=True, errors='replace',
            timeout=CONVERSION_TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        raise ConversionError(
            'Ghostscript took more than %d s' % CONVERSION_TIMEOUT)
    errors = [line.strip(' *') for line in
        (result.stderr + result.stdout).splitlines() if 'Error' in line]
    if result.returncode:
        raise ConversionError(errors[0] if errors else
            'Ghostscript exited with status %d' % result.returncode)
    # Ghostscript makes a blank page of what it cannot read, with status 0:
    # the rendition must have the original's pages, which must be known.
    expected, found = pages(source), pages(target)
    if not expected or found != expected:
        raise ConversionError('%s (%s pages made of %s)' % (
                errors[0] if errors else 'pages lost', found or 0,
                expected or '?'))


# -- building ----------------------------------------------------------------

def _element(parent, tag, value=None):
    node = etree.SubElement(parent, f'{{{NAMESPACE}}}{tag}')
    if value is not None:
        node.text = value.isoformat() if isinstance(value, dt.date) \
            else str(value)
    return node


def _optional(parent, tag, value):
    if value is not None and value != '':
        _element(parent, tag, value)


def _file_code(parent, code):
    node = _element(parent, 'FileCode')
    _element(node, 'OrganId', code.organ_id)
    _element(node, 'FileCatalog', code.catalog)
    _element(node, 'FileNotation', code.notation)


def _stored(node, stored):
    path, digest, size = stored
    node.set('path', path)
    node.set('sha256', digest)
    node.set('size', str(size))
    return node


def _evidence(value):
    "The evidence as (bytes, format); None when it is neither JSON nor XML"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, indent=1,
            sort_keys=True, default=str).encode() + b'\n', 'json'
    try:
        json.loads(value)
        return bytes(value), 'json'
    except ValueError:
        pass
    try:
        etree.fromstring(value, _parser())
        return bytes(value), 'xml'
    except etree.XMLSyntaxError:
        return None


def _extension(name):
    ext = os.path.splitext(name)[1].lower()
    return ext if re.fullmatch(r'\.[a-z0-9]{1,8}', ext) else '.bin'


@dataclass
class _Done:
    "what packing one file made: (path, sha256, size) of each part"
    original: tuple
    format: str
    pages: int | None
    rendition: tuple | None = None
    rendition_format: str | None = None
    tool: str | None = None
    evidence: tuple | None = None
    evidence_format: str | None = None


def _pack_file(document, file, folder, stem, convert_pdf, part):
    base = f'documents/{document.ordinal:03d}/{stem}'
    original = base + _extension(file.name)
    target = folder / original
    if file.data is not None:
        done = _Done(_write(file.data, target), '', None)
    elif file.path is not None:
        try:
            done = _Done(_copy(file.path, target), '', None)
        except OSError as e:
            raise Error('build_unreadable', ordinal=document.ordinal,
                name=file.name, error=e.strerror or str(e))
    else:
        raise Error('build_no_content', ordinal=document.ordinal,
            name=file.name)
    done.original = (original,) + done.original
    if is_pdf(target):
        done.pages, claim = inspect(target)
        done.format = f'PDF/A-{claim}' if claim else 'application/pdf'
        if not claim and (file.pdfa or convert_pdf):
            rendition = base + '.pdfa.pdf'
            try:
                if file.pdfa:
                    stored = _copy(file.pdfa, folder / rendition)
                else:
                    convert(target, folder / rendition, part)
                    done.tool = tool()
                    stored = (sha256(folder / rendition),
                        (folder / rendition).stat().st_size)
            except (OSError, ConversionError) as e:
                raise Error('build_conversion', ordinal=document.ordinal,
                    name=file.name, error=getattr(e, 'strerror', None)
                    or str(e))
            done.rendition_format = pdfa(folder / rendition)
            if not done.rendition_format:
                raise Error('build_conversion', ordinal=document.ordinal,
                    name=file.name, error='the result does not claim PDF/A')
            done.rendition = (rendition,) + stored
    else:
        done.format = mimetypes.guess_type(file.name)[0] \
            or 'application/octet-stream'
    if file.evidence is not None:
        evidence = _evidence(file.evidence)
        if evidence is None:
            raise Error('build_evidence', ordinal=document.ordinal,
                name=file.name)
        data, done.evidence_format = evidence
        path = f'{base}.evidence.{done.evidence_format}'
        done.evidence = (path,) + _write(data, folder / path)
    return done


def _document_xml(dossier, document, done):
    root = etree.Element(f'{{{NAMESPACE}}}Document', nsmap={None: NAMESPACE})
    root.set('direction', document.direction)
    _file_code(root, dossier.code)
    _element(root, 'DocOrdinal', document.ordinal)
    _optional(root, 'DocCode', document.identifier)
    _element(root, 'TypeName', document.type_name)
    _optional(root, 'CodeNumber', document.code_number)
    _optional(root, 'CodeNotation', document.code_notation)
    _optional(root, 'IssuedDate', document.issued_date)
    _optional(root, 'OrganName', document.organ_name)
    _element(root, 'Subject', document.subject)
    _element(root, 'Language', document.language)
    _element(root, 'PageAmount', _page_amount(document, done))
    _optional(root, 'Description', document.description)
    _optional(root, 'ArrivalDate', document.arrival_date)
    _optional(root, 'ArrivalNumber', document.arrival_number)
    for signer in document.signers:
        node = _element(root, 'SignerInfo')
        _optional(node, 'Position', signer.position)
        _element(node, 'FullName', signer.full_name)
    for recipient in document.to:
        node = _element(root, 'To')
        _optional(node, 'OrganId', recipient.organ_id)
        _element(node, 'OrganName', recipient.organ_name)
    _optional(root, 'Priority', document.priority)
    _optional(root, 'ToPlaces', document.to_places)
    _optional(root, 'TraceHeaderList', document.trace_headers)
    _optional(root, 'IssuedAmount', document.issued_amount)
    _optional(root, 'DueDate', document.due_date)
    for keyword in document.keywords:
        _element(root, 'Keyword', keyword)
    _optional(root, 'Mode', document.mode)
    _optional(root, 'ConfidenceLevel', document.confidence)
    files = _element(root, 'Files')
    for file, result in zip(document.files, done):
        node = _element(files, 'File')
        node.set('name', unicodedata.normalize('NFC', file.name))
        node.set('role', file.role)
        node.set('format', result.format)
        _stored(_element(node, 'Original'), result.original)
        if result.rendition:
            rendition = _stored(_element(node, 'Rendition'), result.rendition)
            rendition.set('format', f'PDF/A-{result.rendition_format}')
            if result.tool:
                rendition.set('tool', result.tool)
        if result.evidence:
            _stored(_element(node, 'Evidence'), result.evidence).set(
                'format', result.evidence_format)
    return root


def _page_amount(document, done):
    if document.page_amount is not None:
        return document.page_amount
    return sum(d.pages or 0 for d in done)


def _dossier_xml(dossier, documents, page_total):
    root = etree.Element(f'{{{NAMESPACE}}}Dossier', nsmap={None: NAMESPACE})
    root.set('version', VERSION)
    _file_code(root, dossier.code)
    _element(root, 'Title', dossier.title)
    _element(root, 'Maintenance', dossier.maintenance)
    _optional(root, 'Rights', dossier.rights)
    _optional(root, 'Creator', dossier.creator)
    _element(root, 'Language', dossier.language)
    dates = [d.date for d in dossier.documents if d.date]
    _optional(root, 'StartDate',
        dossier.start_date or (min(dates) if dates else None))
    _optional(root, 'EndDate',
        dossier.end_date or (max(dates) if dates else None))
    _element(root, 'DocTotal', len(documents))
    _element(root, 'PageTotal', page_total)
    _optional(root, 'Description', dossier.description)
    for keyword in dossier.keywords:
        _element(root, 'Keyword', keyword)
    node = _element(root, 'Documents')
    for ordinal, stored in documents:
        _stored(_element(node, 'Document'), stored).set(
            'ordinal', str(ordinal))
    return root


def _serialise(root, code, **args):
    "The XML's bytes, once it follows the schema; Error(code) otherwise"
    if not schema().validate(root):
        raise Error(code, error=str(schema().error_log.last_error.message),
            **args)
    return etree.tostring(root, xml_declaration=True, encoding='UTF-8',
        pretty_print=True)


def name(code):
    "The package's directory name for a dossier code"
    return re.sub(r'[/\\\x00-\x1f]', '-', str(code))


def build(dossier, directory, *, convert_pdf=True, part=PDFA_PART,
        workers=None):
    """Write the package of dossier into directory; return a Package.

    The package is written beside its final place and moved there once
    complete: a failed build leaves nothing behind. `workers` files are
    packed at once (one per core by default): converting is the long part.
    """
    directory = Path(directory)
    final = directory / name(dossier.code)
    if final.exists():
        raise Error('build_exists', path=str(final))
    ordinals = set()
    for document in dossier.documents:
        if document.ordinal in ordinals:
            raise Error('build_ordinal', ordinal=document.ordinal)
        ordinals.add(document.ordinal)
    if convert_pdf:
        ghostscript()
    directory.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f'.{final.name}.',
            dir=directory))
    data = folder / 'data'
    try:
        documents = sorted(dossier.documents, key=lambda d: d.ordinal)
        for document in documents:
            (data / 'documents' / f'{document.ordinal:03d}').mkdir(
                parents=True)
        with ThreadPoolExecutor(workers or os.cpu_count()) as pool:
            futures = [[pool.submit(_pack_file, document, file, data,
                        f'{n:02d}', convert_pdf, part)
                    for n, file in enumerate(document.files, 1)]
                for document in documents]
            done = [[f.result() for f in fs] for fs in futures]
        listed, page_total = [], 0
        for document, results in zip(documents, done):
            xml = _serialise(_document_xml(dossier, document, results),
                'build_document', ordinal=document.ordinal)
            path = f'documents/{document.ordinal:03d}/document.xml'
            listed.append((document.ordinal, (path,) + _write(xml,
                        data / path)))
            page_total += _page_amount(document, results)
        dossier_xml = (DOSSIER_XML,) + _write(_serialise(_dossier_xml(
                    dossier, listed, page_total), 'build_dossier'),
            data / DOSSIER_XML)
        stored = [d for results in done for r in results
            for d in (r.original, r.rendition, r.evidence) if d]
        stored += [d for _, d in listed] + [dossier_xml]
        _bag(folder, dossier, stored)
        if final.exists():
            raise Error('build_exists', path=str(final))
        folder.rename(final)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    renditions = {(document.ordinal, n): final / 'data' / result.rendition[0]
        for document, results in zip(documents, done)
        for n, result in enumerate(results, 1)
        if result.rendition and result.tool}
    return Package(final, checksum(final), len(stored),
        sum(size for _, _, size in stored), renditions)


def _bag(folder, dossier, stored):
    """Make folder a bag of the files stored, (path in data/, SHA-256,
    size).

    The payload manifest is written from the checksums taken while the files
    were written (bagit's make_bag would read them all again; the names are
    ours, plain ASCII, which BagIt writes as they are); bagit writes the tag
    files and their manifest.
    """
    (folder / 'bagit.txt').write_text(
        'BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n')
    with open(folder / 'manifest-sha256.txt', 'w') as f:
        for path, digest, _ in sorted(stored):
            f.write(f'{digest}  data/{path}\n')
    bag = bagit.Bag(str(folder))
    bag.info.update({
            'Bagging-Date': dt.date.today().isoformat(),
            'Bag-Software-Agent': 'mvp-eoffice archive package %s '
                '(bagit.py %s)' % (VERSION, bagit.VERSION),
            'External-Identifier': str(dossier.code),
            'External-Description': ' '.join(dossier.title.split()),
            'Payload-Oxum': '%d.%d' % (
                sum(size for _, _, size in stored), len(stored)),
            })
    if dossier.organ_name:
        bag.info['Source-Organization'] = dossier.organ_name
    bag.save()


# -- verifying ---------------------------------------------------------------

def verify(path, checksum=None, workers=None):
    """What is wrong with the package at path, as sorted Problems: none
    when it is intact. Raise NotAPackage when path is no package at all.
    `checksum`: the package's checksum as recorded when it was built."""
    path = Path(path)
    if not (path / 'bagit.txt').is_file():
        raise NotAPackage(f'{path}: no bagit.txt')
    if not (path / 'data' / DOSSIER_XML).is_file() \
            and not (path / 'manifest-sha256.txt').is_file():
        raise NotAPackage(f'{path}: no {DOSSIER_XML} nor manifest')
    try:
        bag = bagit.Bag(str(path))
    except bagit.BagError as e:
        return [Problem('manifest-sha256.txt', 'manifest', error=str(e))]
    problems = []
    manifest = {p: h.get('sha256') for p, h in bag.entries.items()}
    missing, extra = bag.compare_manifests_with_fs()
    problems += [Problem(p, 'missing') for p in missing]
    problems += [Problem(p, 'extra') for p in extra]
    present = [p for p, h in manifest.items()
        if h and (path / p).is_file()]
    with ThreadPoolExecutor(workers or os.cpu_count()) as pool:
        found = dict(zip(present, pool.map(
                    lambda p: sha256(path / p), present)))
    altered = {p for p, h in found.items() if h != manifest[p].lower()}
    problems += [Problem(p, 'altered') for p in altered]
    problems += _verify_metadata(path, bag, manifest, altered)
    if checksum is not None and (path / TAGMANIFEST).is_file():
        found = sha256(path / TAGMANIFEST)
        if found != checksum.lower():
            problems.append(Problem(TAGMANIFEST, 'checksum', found=found,
                    expected=checksum))
    return sorted(set(problems))


def _parse(path, relative, problems):
    "The valid XML at path, or None with the problem added"
    try:
        tree = etree.parse(str(path), _parser())
    except (OSError, etree.XMLSyntaxError) as e:
        if (path).is_file():
            problems.append(Problem(relative, 'invalid_xml', error=str(e)))
        return None
    if not schema().validate(tree):
        problems.append(Problem(relative, 'invalid_xml',
                error=str(schema().error_log.last_error.message)))
        return None
    return tree.getroot()


def _code(root):
    node = root.find(f'{{{NAMESPACE}}}FileCode')
    return '.'.join(node.findtext(f'{{{NAMESPACE}}}{tag}')
        for tag in ('OrganId', 'FileCatalog', 'FileNotation'))


def _verify_metadata(path, bag, manifest, altered):
    problems = []
    data = path / 'data'
    dossier = _parse(data / DOSSIER_XML, 'data/' + DOSSIER_XML, problems)
    if dossier is None:
        return problems
    referenced = {'data/' + DOSSIER_XML}

    def check(node):
        "the stored file node describes, if the manifest agrees"
        relative = posixpath.normpath(node.get('path'))
        key = 'data/' + relative
        if relative.startswith('..') or key not in manifest:
            problems.append(Problem(key, 'unlisted'))
            return None
        referenced.add(key)
        file = data / relative
        # the size of a file that is not what the manifest says is moot
        if node.get('sha256') != manifest[key].lower() or (
                key not in altered and file.is_file()
                and file.stat().st_size != int(node.get('size'))):
            problems.append(Problem(key, 'mismatch'))
        return file

    code = _code(dossier)
    identifier = bag.info.get('External-Identifier')
    if identifier != code:
        problems.append(Problem('bag-info.txt', 'dossier',
                found=str(identifier), expected=code))
    ns = f'{{{NAMESPACE}}}'
    refs = dossier.findall(f'{ns}Documents/{ns}Document')
    page_total = 0
    for ref in refs:
        file = check(ref)
        if file is None:
            page_total = None
            continue
        relative = 'data/' + posixpath.normpath(ref.get('path'))
        document = _parse(file, relative, problems)
        if document is None:
            page_total = None
            continue
        if _code(document) != code:
            problems.append(Problem(relative, 'dossier',
                    found=_code(document), expected=code))
        ordinal = document.findtext(f'{ns}DocOrdinal')
        if ordinal != ref.get('ordinal'):
            problems.append(Problem(relative, 'ordinal', found=ordinal,
                    expected=ref.get('ordinal')))
        if page_total is not None:
            page_total += int(document.findtext(f'{ns}PageAmount'))
        for node in document.iterfind(f'{ns}Files/{ns}File/*'):
            file = check(node)
            if node.tag == f'{ns}Evidence' and file is not None \
                    and file.is_file() and not _readable_evidence(
                        file, node.get('format')):
                problems.append(Problem('data/' + posixpath.normpath(
                            node.get('path')), 'evidence'))
    doc_total = dossier.findtext(f'{ns}DocTotal')
    if int(doc_total) != len(refs):
        problems.append(Problem('data/' + DOSSIER_XML, 'doc_total',
                found=str(len(refs)), expected=doc_total))
    stated = int(dossier.findtext(f'{ns}PageTotal'))
    if page_total is not None and stated != page_total:
        problems.append(Problem('data/' + DOSSIER_XML, 'page_total',
                found=str(page_total), expected=str(stated)))
    problems += [Problem(p, 'unreferenced') for p in manifest
        if p.startswith('data/') and p not in referenced]
    return problems


def _readable_evidence(path, format):
    try:
        if format == 'json':
            with open(path, 'rb') as f:
                json.load(f)
        else:
            etree.parse(str(path), _parser())
    except (OSError, ValueError, etree.XMLSyntaxError):
        return False
    return True
