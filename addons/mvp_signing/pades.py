"""PAdES signing and verification, on pyHanko.

One module for the three APIs: they share reading the PDF (size, header,
encryption, scripts), the levels and the validation context, which is most
of its length.

`sign` signs with a key we hold (PKCS#12 file or PKCS#11 token, see `keys`);
`prepare` and `finish` sign with a key held elsewhere (a user's USB token
through a local tool, a remote signing service); `verify` checks every
signature of a received PDF.
"""
import asyncio
import base64
import contextlib
import dataclasses
import datetime as dt
import hashlib
import io
import json
import os
import re
import zlib

from asn1crypto import cms, x509
from pyhanko.pdf_utils import misc
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.signers.pdf_signer import PdfTBSDocument
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation import (
    DocumentSecurityStore, SignatureCoverageLevel,
    async_validate_pdf_signature)
from pyhanko.sign.validation.dss import async_add_validation_info
from pyhanko.sign.validation.errors import NoDSSFoundError
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import (
    AIOHttpFetcherBackend)
from pyhanko_certvalidator.errors import (
    CRLFetchError, OCSPFetchError, PathBuildingError)
from pyhanko_certvalidator.fetchers.api import (
    CertificateFetcher, CRLFetcher, FetcherBackend, Fetchers, FetchLimits,
    OCSPFetcher, OwnedFetcherBackend)
from pyhanko_certvalidator.registry import SimpleCertificateStore

from . import appearance as _appearance
from .appearance import VN_TZ

__all__ = ['LEVELS', 'MAX_SIZE', 'LIMITS', 'Limits', 'Error', 'CannotSign',
    'Unreadable', 'sign', 'prepare', 'finish', 'Prepared', 'sign_request',
    'verify', 'load_certs']

LEVELS = ('B-B', 'B-T', 'B-LT')
MAX_SIZE = 50 * 2 ** 20


@dataclasses.dataclass(frozen=True)
class Limits:
    """What a PDF may hold for it to be read: a file past one is refused
    before the work it would cause. The defaults are far above what the
    documents of an office hold (a 500-page scan has some 2,000 objects).
    `time` and `memory` bound a verification run in a sandbox (seconds,
    bytes of address space), see `signature.check`."""
    pages: int = 5000
    objects: int = 500_000
    signatures: int = 50
    inflated: int = 2 ** 30
    time: int = 30
    memory: int = 2 ** 31


LIMITS = Limits()
MD = 'sha256'
# Signers in Vietnam use digitalSignature, nonRepudiation or both.
KEY_USAGE = KeyUsageConstraints(
    key_usage={'digital_signature', 'non_repudiation'},
    match_all_key_usages=False)
ACCEPTED = {ModificationLevel.NONE, ModificationLevel.LTA_UPDATES,
    ModificationLevel.FORM_FILLING}
COVERAGE = {
    SignatureCoverageLevel.ENTIRE_FILE: 'entire_file',
    SignatureCoverageLevel.ENTIRE_REVISION: 'entire_revision',
}


class Error(Exception):
    "signing or verification failed; the message says why, for a person"


class CannotSign(Error):
    """signing cannot be done; `reason` says why, as a code: 'configuration'
    (level, timestamp server or trust roots missing), 'encrypted',
    'javascript', 'external' (the external signer's answer does not fit)
    or 'failed'"""

    def __init__(self, message, reason='failed'):
        super().__init__(message)
        self.reason = reason


class Unreadable(Error):
    """the input is not a PDF we can read; `reason` says why, as a code:
    'too_large', 'not_pdf', 'encrypted', 'damaged', or a limit passed
    (see `Limits`): 'too_many_pages', 'too_many_objects',
    'too_many_signatures', 'too_inflated'"""

    def __init__(self, message, reason='damaged'):
        super().__init__(message)
        self.reason = reason


@contextlib.contextmanager
def _wrapped(what):
    "pyHanko's and the parser's errors as our CannotSign, saying what failed"
    try:
        yield
    except Error:
        raise
    except (PyHankoSigningError, misc.PdfError, OSError, ValueError) as e:
        raise CannotSign('%s failed: %s'
            % (what, str(e) or type(e).__name__)) from e


def _run(coro):
    """asyncio.run, keeping the result out of the task.

    On exit Python 3.11's runner formats the repr of the finished main task,
    result included: for a signed PDF that is megabytes of repr per call.
    """
    box = []

    async def main():
        box.append(await coro)
    asyncio.run(main())
    return box[0]


def _now():
    # second precision: the appearance shows seconds, /M and the CMS agree
    return dt.datetime.now(VN_TZ).replace(microsecond=0)


def _iso(moment):
    return moment.astimezone(VN_TZ).isoformat(timespec='seconds') \
        if moment else None


def _check_size(size, max_size):
    if size > max_size:
        raise Unreadable('file too large: %.1f MB, the limit is %.0f MB'
            % (size / 2 ** 20, max_size / 2 ** 20), 'too_large')
    if size < 8:
        raise Unreadable('not a PDF: the file is empty or truncated',
            'not_pdf')


def _stream(pdf, max_size):
    """A seekable binary stream over `pdf` (bytes, path or binary file),
    its size checked before anything is read; the caller closes streams
    it gets for a path."""
    if isinstance(pdf, (bytes, bytearray, memoryview)):
        _check_size(len(pdf), max_size)
        return io.BytesIO(pdf)
    if isinstance(pdf, (str, os.PathLike)):
        try:
            _check_size(os.stat(pdf).st_size, max_size)
            return open(pdf, 'rb')
        except OSError as e:
            raise Unreadable('cannot read %s: %s' % (pdf, e.strerror))
    pdf.seek(0, os.SEEK_END)
    _check_size(pdf.tell(), max_size)
    pdf.seek(0)
    return pdf


# where a stream's data starts (not after "end": that is endstream), what
# pyHanko would decode; the "end" is looked at apart, a look-behind in the
# pattern scans 30 times slower
_STREAM = re.compile(rb'stream(?:\r\n|\n|\r)')


def _check_inflated(data, limit):
    """Unreadable when the Flate streams of data would decode to more than
    limit bytes in all: a compression bomb, refused before a parser
    decodes it. Read from the raw bytes, object and cross-reference
    streams included, each decoded in chunks and dropped."""
    total = 0
    for match in _STREAM.finditer(data):
        if data[match.start() - 3:match.start()] == b'end':
            continue
        offset = match.end()
        if data[offset:offset + 1] != b'\x78':
            continue  # no zlib header: not Flate data (an image, text)
        inflater = zlib.decompressobj()
        pending = b''
        try:
            while not inflater.eof:
                if not pending:
                    pending = data[offset:offset + 2 ** 16]
                    offset += len(pending)
                    if not pending:
                        break
                total += len(inflater.decompress(pending, 2 ** 20))
                if total > limit:
                    raise Unreadable('the streams inflate to more than '
                        '%d bytes' % limit, 'too_inflated')
                pending = inflater.unconsumed_tail
        except zlib.error:
            continue


def _page_tree(reader, limit):
    """The page objects, in order, walked once (pyHanko's page lookup walks
    the tree from its root for each page); Unreadable past limit pages or
    nodes, shared or cyclic nodes counted each time"""
    pages, nodes = [], 0
    stack = [reader.root['/Pages']]
    while stack:
        node = stack.pop().get_object()
        nodes += 1
        if nodes > 2 * limit or len(pages) > limit:
            raise Unreadable('more than %d pages' % limit, 'too_many_pages')
        if '/Kids' in node:
            stack.extend(reversed(list(node['/Kids'])))
        else:
            pages.append(node)
    return pages


def _check_structure(reader, limits):
    "Unreadable when reader's PDF holds more than limits allow"
    xrefs = reader.xrefs
    objects = sum(len(xrefs.explicit_refs_in_revision(r))
        for r in range(xrefs.total_revisions))
    if objects > limits.objects:
        raise Unreadable('%d objects, the limit is %d'
            % (objects, limits.objects), 'too_many_objects')
    count = reader.root['/Pages']['/Count']
    if not isinstance(count, int) or count > limits.pages:
        raise Unreadable('%s pages, the limit is %d'
            % (count, limits.pages), 'too_many_pages')
    _page_tree(reader, limits.pages)
    signatures = 0
    for _ in fields.enumerate_sig_fields(reader, filled_status=True):
        signatures += 1
        if signatures > limits.signatures:
            raise Unreadable('more than %d signatures' % limits.signatures,
                'too_many_signatures')


def _reader(stream, make=PdfFileReader, limits=LIMITS):
    """`make(stream)`, a PDF reader or a writer over one, checked readable
    and within limits; Unreadable otherwise."""
    head = stream.read(1024)
    stream.seek(0)
    if b'%PDF-' not in head:
        raise Unreadable('not a PDF: no PDF header', 'not_pdf')
    if isinstance(stream, io.BytesIO):
        with stream.getbuffer() as view:
            _check_inflated(view, limits.inflated)
    else:
        _check_inflated(stream.read(), limits.inflated)
        stream.seek(0)
    try:
        made = make(stream, strict=False)
        reader = getattr(made, 'prev', made)
        if reader.encrypted:
            # "protected" PDFs that open without a password are common
            try:
                ok = reader.decrypt(b'').status.name != 'FAILED'
            except Exception:
                ok = False
            if not ok:
                raise Unreadable('the PDF is encrypted with a password',
                    'encrypted')
        _check_structure(reader, limits)
    except (Unreadable, MemoryError):
        # out of memory is no damage: the sandbox tells it
        raise
    except Exception as e:
        # malformed input can fail anywhere in the parser
        raise Unreadable('damaged PDF: %s' % (str(e) or type(e).__name__))
    return made


def _get(obj, key, default):
    # DictionaryObject.get does not dereference, [] does
    return obj[key] if key in obj else default


def _is_script(action):
    try:
        return action.get_object()['/S'] == '/JavaScript'
    except Exception:
        return False


def scripts(reader, limits=LIMITS):
    """Whether the PDF carries JavaScript where a viewer would run it:
    document name tree, open action, document, page, annotation and field
    actions."""
    root = reader.root
    try:
        if '/JavaScript' in _get(root, '/Names', {}):
            return True
        actions = [_get(root, '/OpenAction', {})]
        triggers = [_get(root, '/AA', {})]
        for page in _page_tree(reader, limits.pages):
            triggers.append(_get(page, '/AA', {}))
            for annot in _get(page, '/Annots', ()):
                annot = annot.get_object()
                triggers.append(_get(annot, '/AA', {}))
                actions.append(_get(annot, '/A', {}))
        for field in _get(_get(root, '/AcroForm', {}), '/Fields', ()):
            triggers.append(_get(field.get_object(), '/AA', {}))
        actions += [trigger[key] for trigger in triggers for key in trigger]
        return any(map(_is_script, actions))
    except (misc.PdfError, KeyError, TypeError, ValueError, AttributeError,
            Unreadable):
        return True  # cannot tell: assume the worst


_timestampers = {}


def _timestamper(url):
    "one client per TSA: it caches the token size used to size containers"
    if not url:
        raise CannotSign('levels B-T and B-LT need a timestamp server '
            '(tsa_url)', 'configuration')
    ts = _timestampers.get(url)
    if ts is None:
        ts = _timestampers[url] = HTTPTimeStamper(url, timeout=10)
    return ts


def _past(moment):
    # validating as of a proven signing time: revocation data issued since
    # then still tells whether the certificate was good at that time
    return {'moment': moment, 'retroactive_revinfo': True} if moment else {}


class _AnchoredBackend(FetcherBackend):
    """Revocation data (OCSP, CRL) fetched only for certificates whose
    chain ends at a trust root of the validation context, each request
    bounded by `timeout` seconds; issuers are never fetched (AIA): a
    received document's certificates must not make the server fetch URLs of
    their choosing. Chains are built from the trust roots, the configured
    intermediates and what the signature embeds."""

    def __init__(self, timeout):
        self.inner = AIOHttpFetcherBackend(per_request_timeout=timeout,
            limits=FetchLimits(max_requests=100, max_cert_requests=0))
        self.context = None  # the validation context, once made

    def get_fetchers(self):
        inner = self.inner.get_fetchers()
        return Fetchers(ocsp_fetcher=_AnchoredOCSP(inner.ocsp_fetcher, self),
            crl_fetcher=_AnchoredCRL(inner.crl_fetcher, self),
            cert_fetcher=_NoIssuers())

    async def close(self):
        await self.inner.close()

    async def anchored(self, cert):
        if self.context is None or not isinstance(cert, x509.Certificate):
            return False
        try:
            return bool(await self.context.path_builder.async_build_paths(
                    cert))
        except PathBuildingError:
            return False


class _AnchoredOCSP(OCSPFetcher):

    def __init__(self, inner, backend):
        self.inner, self.backend = inner, backend

    async def fetch(self, cert, authority):
        if not await self.backend.anchored(cert):
            raise OCSPFetchError('not fetched: the chain does not end at a '
                'trust root')
        return await self.inner.fetch(cert, authority)

    def fetched_responses(self):
        return self.inner.fetched_responses()

    def fetched_responses_for_cert(self, cert):
        return self.inner.fetched_responses_for_cert(cert)


class _AnchoredCRL(CRLFetcher):

    def __init__(self, inner, backend):
        self.inner, self.backend = inner, backend

    async def fetch(self, cert, *, use_deltas=None):
        if not await self.backend.anchored(cert):
            raise CRLFetchError('not fetched: the chain does not end at a '
                'trust root')
        return await self.inner.fetch(cert, use_deltas=use_deltas)

    def fetched_crls(self):
        return self.inner.fetched_crls()

    def fetched_crls_for_cert(self, cert):
        return self.inner.fetched_crls_for_cert(cert)


async def _no_certificates():
    return
    yield


class _NoIssuers(CertificateFetcher):

    def fetch_cert_issuers(self, cert):
        return _no_certificates()

    def fetch_crl_issuers(self, certificate_list):
        return _no_certificates()

    def fetched_certs(self):
        return ()


def _with_backend(make, kwargs, fetch, timeout):
    "make(kwargs), a validation context, fetching through _AnchoredBackend"
    backend = None
    if fetch:
        backend = _AnchoredBackend(timeout)
        # owned: the context closes its HTTP session in aclose()
        kwargs['fetcher_backend'] = OwnedFetcherBackend(backend)
    context = make(kwargs)
    if backend is not None:
        backend.context = context
    return context


def _context(trust, fetch=True, timeout=5, revocation='soft-fail',
        moment=None, others=(), dss=None):
    """The validation context: trust roots, fetching, revocation mode, as of
    `moment`; with `dss`, seeded with the file's embedded validation data"""
    kwargs = {'trust_roots': list(load_certs(trust)), 'allow_fetching': fetch,
        'revocation_mode': revocation, **_past(moment)}
    if others:
        kwargs['other_certs'] = list(others)
    if dss is not None:
        try:
            return _with_backend(dss.as_validation_context, kwargs, fetch,
                timeout)
        except Exception:
            pass  # a damaged DSS only loses the embedded validation data
    # empty revocation data rather than None: offline 'hard-fail' then
    # judges certificates as unchecked instead of refusing to start
    return _with_backend(lambda kwargs: ValidationContext(
            crls=[], ocsps=[], **kwargs), kwargs, fetch, timeout)


async def _reserve(session, validation_info, signer, tsa):
    """Bytes to reserve for the signature container.

    pyHanko sizes it by building a throw-away signature on every call; the
    size depends only on the signer and the TSA, so it is worked out once.
    """
    cache = signer.__dict__.setdefault('_mvp_reserved', {})
    size = cache.get(tsa)
    if size is None:
        size = await session.estimate_signature_container_size(
            validation_info, tight=tsa is None)
        # a margin for signatures and tokens whose length varies a little
        size = cache[tsa] = size + 512
    return size


def _check_level(level):
    if level not in LEVELS:
        raise CannotSign('unknown level %r, expected one of %s'
            % (level, ', '.join(LEVELS)), 'configuration')


def _meta(field, level, trust, reason, location, name):
    # With trust roots, pyHanko checks the signer's certificate (expiry,
    # revocation) before signing; B-LT must find its revocation data.
    vc = _context(trust, revocation='hard-fail'
        if level == 'B-LT' else 'soft-fail') if trust else None
    return signers.PdfSignatureMetadata(field_name=field, md_algorithm=MD,
        subfilter=fields.SigSeedSubFilter.PADES, reason=reason,
        location=location, name=name,
        embed_validation_info=level == 'B-LT', validation_context=vc)


def _writer(pdf, max_size):
    stream = _stream(pdf, max_size)
    if isinstance(pdf, (str, os.PathLike)):
        # the output is built in memory anyway
        with stream:
            stream = io.BytesIO(stream.read())
    writer = _reader(stream, IncrementalPdfFileWriter)
    if writer.prev.encrypted:
        raise CannotSign('encrypted PDFs are not signed; remove the '
            'protection first', 'encrypted')
    if scripts(writer.prev):
        raise CannotSign(
            'the PDF contains JavaScript; it is not signed', 'javascript')
    return writer


def _existing_field(writer, field):
    return any(name == field
        for name, _v, _r in fields.enumerate_sig_fields(writer.prev))


def _pdf_signer(writer, signer, field, appearance, level, tsa_url, trust,
        reason, location, name, timestamper=None):
    _check_level(level)
    if level != 'B-B' and timestamper is None:
        timestamper = _timestamper(tsa_url)
    if level == 'B-LT' and not trust:
        raise CannotSign('level B-LT needs the trust roots to collect '
            'revocation data against', 'configuration')
    spec = None
    style = None
    if appearance is not None:
        style = appearance.style()
        if not _existing_field(writer, field):
            spec = _appearance.field_spec(appearance, writer.prev, field)
    elif not _existing_field(writer, field):
        spec = fields.SigFieldSpec(sig_field_name=field)
    return signers.PdfSigner(_meta(field, level, trust, reason, location,
            name), signer, timestamper=timestamper, stamp_style=style,
        new_field_spec=spec)


def _text_params(appearance, signer_cert, name):
    if appearance is None:
        return None
    cn = name or (signer_cert.subject.native.get('common_name')
        if signer_cert is not None else '')
    return appearance.text_params(cn)


def sign(pdf, signer, *, field='Signature', appearance=None, level='B-B',
        tsa_url=None, trust=(), reason=None, location=None, name=None,
        max_size=MAX_SIZE):
    """Sign `pdf` (bytes, path or binary file) and return the signed bytes.

    `signer` is a pyHanko Signer, e.g. from `keys.load_pkcs12` or
    `keys.open_pkcs11`. `appearance` is one of the `appearance` classes or
    None for an invisible signature; an existing empty field named `field`
    is filled, otherwise one is made. B-T adds an RFC 3161 timestamp from
    `tsa_url`; B-LT also embeds the CRLs and OCSP responses of the chains
    leading to the roots in `trust` (certificates, or a directory of them).
    Given `trust`, the signer's certificate is checked first (chain,
    expiry, revocation) and signing fails if it does not pass.
    """
    writer = _writer(pdf, max_size)
    pdf_signer = _pdf_signer(writer, signer, field, appearance, level,
        tsa_url, trust, reason, location, name)
    with _wrapped('signing'):
        return _run(_sign(pdf_signer, writer, _text_params(
                    appearance, signer.signing_cert, name)))


async def _sign(pdf_signer, writer, text_params):
    vc = pdf_signer.signature_meta.validation_context
    try:
        session = pdf_signer.init_signing_session(writer)
        session.system_time = _now()
        validation_info = await session.perform_presign_validation(writer)
        reserved = await _reserve(session, validation_info,
            pdf_signer.signer, getattr(session.timestamper, 'url', None))
        tbs = session.prepare_tbs_document(validation_info, reserved,
            appearance_text_params=text_params)
        digest, output = tbs.digest_tbs_document(output=io.BytesIO())
        post = await tbs.perform_signature(digest.document_digest,
            PdfCMSSignedAttributes(signing_time=session.system_time))
        await post.post_signature_processing(output)
        return output.getvalue()
    finally:
        if vc is not None:
            await vc.aclose()


def _b64(value):
    return base64.b64encode(value).decode('ascii')


@dataclasses.dataclass
class Prepared:
    """A document prepared for a signature made elsewhere.

    `request()` is what the external signer needs; `finish` takes its
    answer. Everything is plain data (`to_json`/`from_json`) so the server
    can keep it between the two steps.
    """
    pdf: bytes
    digest: bytes
    start: int
    end: int
    signed_attrs: bytes
    cert: bytes
    chain: list
    level: str
    tsa_url: str = None
    field: str = 'Signature'

    def request(self):
        """What to send to the external signer.

        `digest` is the document digest, for signers that build the CMS
        themselves; `signed_attrs` is the DER the signer signs with its raw
        key (PKCS#1 v1.5, SHA-256) when the server builds the CMS.
        """
        return {'md': MD, 'digest': _b64(self.digest),
            'signed_attrs': _b64(self.signed_attrs),
            'cert': _b64(self.cert)}

    def to_json(self):
        data = dataclasses.asdict(self)
        for key in ('pdf', 'digest', 'signed_attrs', 'cert'):
            data[key] = _b64(data[key])
        data['chain'] = [_b64(c) for c in self.chain]
        return json.dumps(data)

    @classmethod
    def from_json(cls, text):
        data = json.loads(text)
        for key in ('pdf', 'digest', 'signed_attrs', 'cert'):
            data[key] = base64.b64decode(data[key])
        data['chain'] = [base64.b64decode(c) for c in data['chain']]
        return cls(**data)


def prepare(pdf, cert, *, chain=(), field='Signature', appearance=None,
        level='B-B', tsa_url=None, reason=None, location=None, name=None,
        reserve=None, max_size=MAX_SIZE):
    """Prepare `pdf` for a signature by the holder of `cert`'s key.

    `cert` and `chain` are asn1crypto certificates or DER bytes. Returns a
    `Prepared`; the signature container gets `reserve` bytes (room for a
    CMS with a few certificates and a timestamp by default).
    """
    _check_level(level)
    cert = _cert(cert)
    chain = [_cert(c) for c in chain]
    writer = _writer(pdf, max_size)
    external = signers.ExternalSigner(cert,
        SimpleCertificateStore.from_certs(chain), signature_value=512)
    # the timestamp is added in finish, over the external signature
    pdf_signer = _pdf_signer(writer, external, field, appearance, 'B-B',
        None, (), reason, location, name)
    if reserve is None:
        certs = sum(len(c.dump()) for c in [cert] + chain)
        reserve = 2 * (certs + 4096 + (12288 if level != 'B-B' else 0))
    with _wrapped('preparing'):
        return _run(_prepare(pdf_signer, writer, external,
                _text_params(appearance, cert, name), reserve, level,
                tsa_url, field, cert, chain))


async def _prepare(pdf_signer, writer, external, text_params, reserve,
        level, tsa_url, field, cert, chain):
    session = pdf_signer.init_signing_session(writer)
    session.system_time = now = _now()
    tbs = session.prepare_tbs_document(None, reserve,
        appearance_text_params=text_params)
    digest, output = tbs.digest_tbs_document(output=io.BytesIO())
    attrs = await external.signed_attrs(digest.document_digest, MD,
        PdfCMSSignedAttributes(signing_time=now), use_pades=True)
    return Prepared(pdf=output.getvalue(), digest=digest.document_digest,
        start=digest.reserved_region_start, end=digest.reserved_region_end,
        signed_attrs=attrs.dump(), cert=cert.dump(),
        chain=[c.dump() for c in chain], level=level, tsa_url=tsa_url,
        field=field)


def _cert(value):
    if isinstance(value, x509.Certificate):
        return value
    return next(iter(load_certs([value])))


def _check_signature(cert, data, signature):
    "raise CannotSign unless `signature` is `cert`'s over `data`"
    from cryptography import x509 as pyca
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
    key = pyca.load_der_x509_certificate(cert.dump()).public_key()
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(hashes.SHA256()))
        else:
            key.verify(signature, data)
    except InvalidSignature:
        raise CannotSign('the external signature does not match the '
            'certificate or the document', 'external')


def _check_cms(pending, content):
    "the external CMS must sign this document with this certificate"
    try:
        info = content['content']['signer_infos'][0]
        digests = [a['values'][0].native for a in info['signed_attrs']
            if a['type'].native == 'message_digest']
        certs = [c.chosen for c in content['content']['certificates']]
    except (KeyError, IndexError, TypeError, ValueError):
        raise CannotSign(
            'the external signer returned a malformed CMS', 'external')
    if digests != [pending.digest]:
        raise CannotSign(
            'the external CMS signs another document', 'external')
    if pending.cert not in [c.dump() for c in certs]:
        raise CannotSign('the external CMS is not signed with the '
            'expected certificate', 'external')
    data = info['signed_attrs'].untag().dump()
    _check_signature(x509.Certificate.load(pending.cert), data,
        info['signature'].native)


async def _add_timestamp(content, timestamper):
    "add a signature timestamp token to the external CMS, if it has none"
    info = content['content']['signer_infos'][0]
    unsigned = list(info['unsigned_attrs']) \
        if info['unsigned_attrs'].native else []
    if any(a['type'].native == 'signature_time_stamp_token'
            for a in unsigned):
        return content
    token = await timestamper.async_timestamp(
        hashlib.sha256(info['signature'].native).digest(), MD)
    unsigned.append(cms.CMSAttribute({'type': 'signature_time_stamp_token',
        'values': [token]}))
    info['unsigned_attrs'] = cms.CMSAttributes(unsigned)
    return cms.ContentInfo.load(content.dump(force=True))


def sign_request(request, signer, *, raw=False):
    """The reference external signer: answer `Prepared.request()`.

    Returns {'cms': base64 CMS over the document digest}, or with `raw`
    {'signature': base64 raw signature over the signed attributes}.
    Refuses a request made out for another certificate.
    """
    try:
        digest = base64.b64decode(request['digest'], validate=True)
        attrs = base64.b64decode(request['signed_attrs'], validate=True)
        cert = base64.b64decode(request['cert'], validate=True)
        md = request.get('md', MD)
    except (KeyError, TypeError, ValueError):
        raise CannotSign('malformed signing request')
    if md != MD:
        raise CannotSign('unsupported digest algorithm %r' % md)
    if signer.signing_cert is None or signer.signing_cert.dump() != cert:
        raise CannotSign('the request is for another certificate: %s'
            % _name(x509.Certificate.load(cert)))
    if raw:
        signature = _run(signer.async_sign_raw(attrs, MD))
        return {'signature': _b64(signature)}
    content = _run(signer.async_sign(digest, MD, use_pades=True,
            signed_attr_settings=PdfCMSSignedAttributes(
                signing_time=_now())))
    return {'cms': _b64(content.dump())}


def finish(pending, signature, *, trust=()):
    """Complete `pending` with the external signer's answer.

    `signature` is either a CMS SignedData (DER) over the document digest,
    or a raw signature over `pending.signed_attrs`, or the dict
    `sign_request` returns. Either is checked against the certificate
    before it goes into the document.
    """
    if isinstance(pending, str):
        pending = Prepared.from_json(pending)
    if isinstance(signature, dict):
        try:
            signature = base64.b64decode(
                signature.get('cms') or signature['signature'], validate=True)
        except (KeyError, TypeError, ValueError):
            raise CannotSign(
                'malformed answer from the external signer', 'external')
    if pending.level == 'B-LT' and not trust:
        raise CannotSign(
            'level B-LT needs the trust roots', 'configuration')
    with _wrapped('finishing'):
        return _run(_finish(pending, bytes(signature), trust))


async def _finish(pending, signature, trust):
    timestamper = _timestamper(pending.tsa_url) \
        if pending.level != 'B-B' else None
    content = None
    if signature[:1] == b'\x30':
        try:
            content = cms.ContentInfo.load(signature)
            if content['content_type'].native != 'signed_data':
                content = None
            else:
                content['content']['signer_infos'][0]
        except (ValueError, TypeError, KeyError, IndexError):
            content = None
    cert = x509.Certificate.load(pending.cert)
    if content is not None:
        _check_cms(pending, content)
        if timestamper is not None:
            content = await _add_timestamp(content, timestamper)
    else:
        _check_signature(cert, pending.signed_attrs, signature)
        external = signers.ExternalSigner(cert,
            SimpleCertificateStore.from_certs(
                [x509.Certificate.load(c) for c in pending.chain]),
            signature_value=signature)
        content = await external.async_sign_prescribed_attributes(MD,
            cms.CMSAttributes.load(pending.signed_attrs),
            timestamper=timestamper)
    if len(content.dump()) * 2 > pending.end - pending.start - 2:
        raise CannotSign('the signature (%d bytes) does not fit the room '
            'reserved; prepare again with a larger reserve'
            % len(content.dump()))
    output = io.BytesIO(pending.pdf)
    digest = PreparedByteRangeDigest(pending.digest, pending.start,
        pending.end)
    await PdfTBSDocument.async_finish_signing(output, digest, content)
    if pending.level != 'B-LT':
        return output.getvalue()
    vc = _context(trust, revocation='hard-fail')
    try:
        reader = PdfFileReader(output, strict=False)
        sig = next(s for s in reader.embedded_regular_signatures
            if s.field_name == pending.field)
        result = await async_add_validation_info(sig, vc)
        return result.getvalue()
    finally:
        await vc.aclose()


def load_certs(source):
    """Certificates from `source`: a directory of PEM/DER files, or an
    iterable of asn1crypto certificates, DER or PEM bytes."""
    from asn1crypto import pem
    if source is None:
        return
    if isinstance(source, (str, os.PathLike)):
        try:
            names = sorted(os.listdir(source))
        except OSError as e:
            raise Error('cannot read trust directory %s: %s'
                % (source, e.strerror))
        items = []
        for name in names:
            path = os.path.join(source, name)
            if os.path.isfile(path) and name.lower().endswith(
                    ('.pem', '.crt', '.cer', '.der')):
                with open(path, 'rb') as f:
                    items.append(f.read())
        source = items
    for item in source:
        if isinstance(item, x509.Certificate):
            yield item
            continue
        try:
            if pem.detect(item):
                for _type, _headers, der in pem.unarmor(item, multiple=True):
                    yield x509.Certificate.load(der)
            else:
                cert = x509.Certificate.load(item)
                cert.native  # parse now, fail here
                yield cert
        except (ValueError, TypeError) as e:
            raise Error('not a certificate: %s' % e)


def _name(cert):
    subject = cert.subject.native
    return subject.get('common_name') or cert.subject.human_friendly


def _level(sig, status, dss, timestamps):
    subfilter = sig.sig_object.get('/SubFilter')
    if subfilter != '/ETSI.CAdES.detached':
        return 'PKCS7'
    if status is None or status.timestamp_validity is None:
        return 'B-B'
    if not dss or not (dss.crls or dss.ocsps):
        return 'B-T'
    later = [ts for ts in timestamps
        if ts.signed_revision > sig.signed_revision]
    return 'B-LTA' if later else 'B-LT'


def _proven_time(status, now):
    """The trusted timestamp's time, when it proves the signature was made
    before the certificate expired or was revoked; None otherwise."""
    ts = status.timestamp_validity
    if status.trusted or not (status.intact and status.valid) or ts is None \
            or not (ts.intact and ts.valid and ts.trusted):
        return None
    not_after = status.signing_cert['tbs_certificate']['validity'][
        'not_after'].native
    if status.revoked:
        if ts.timestamp < status.revocation_details.revocation_date \
                and ts.timestamp <= not_after:
            return ts.timestamp
    elif not_after < now and ts.timestamp <= not_after:
        return ts.timestamp
    return None


# The keys of the report on one signature, good or broken.
REPORT_KEYS = ('field', 'signer', 'subject', 'issuer', 'serial', 'intact',
    'trusted', 'revoked', 'revoked_at', 'expired', 'signing_time',
    'timestamped', 'validated_at', 'coverage', 'modified_after',
    'modifications', 'level', 'valid', 'reasons', 'error')


def _result(sig, status, current, dss, timestamps, now, proven):
    """The report on one signature. `status` is pyHanko's verdict, as of
    `proven` (the timestamp's time) if that rescued it, otherwise as of now;
    `current` is the verdict as of now."""
    cert = status.signing_cert
    ts = status.timestamp_validity
    timestamped = bool(ts and ts.intact and ts.valid and ts.trusted)
    signing_time = ts.timestamp if ts is not None \
        else status.signer_reported_dt
    expired = cert['tbs_certificate']['validity'][
        'not_after'].native < now
    modification = status.modification_level
    modified_ok = modification in ACCEPTED or modification is None and \
        status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    intact = bool(status.intact and status.valid)
    reasons = []
    if not status.intact:
        reasons.append('tampered')
    elif not status.valid:
        reasons.append('bad_signature')
    if status.revoked:
        reasons.append('revoked')
    if expired and not status.trusted:
        reasons.append('expired')
    if intact and not status.trusted and not status.revoked \
            and not expired:
        reasons.append('untrusted')
    if ts is not None and not timestamped:
        reasons.append('bad_timestamp')
    if not modified_ok or status.docmdp_ok is False:
        reasons.append('modified')
    if status.coverage not in COVERAGE and 'modified' not in reasons:
        reasons.append('partial_coverage')
    if not reasons and not status.bottom_line:
        reasons.append('rejected')
    return {
        'field': sig.field_name,
        'signer': _name(cert),
        'subject': cert.subject.human_friendly,
        'issuer': cert.issuer.human_friendly,
        'serial': format(cert.serial_number, 'x'),
        'intact': intact,
        'trusted': bool(status.trusted),
        'revoked': bool(current.revoked),
        'revoked_at': _iso(current.revocation_details.revocation_date)
        if current.revoked else None,
        'expired': bool(expired),
        'signing_time': _iso(signing_time),
        'timestamped': timestamped,
        'validated_at': _iso(proven or now),
        'coverage': COVERAGE.get(status.coverage, 'partial'),
        'modified_after': status.coverage
        != SignatureCoverageLevel.ENTIRE_FILE,
        'modifications': modification.name.lower()
        if modification is not None else None,
        'level': _level(sig, status, dss, timestamps),
        'valid': not reasons,
        'reasons': reasons,
        'error': None,
    }


def _broken(sig, error):
    "a signature pyHanko could not even evaluate, with a report's keys"
    try:
        name = sig.field_name
    except Exception:
        name = None
    return {**dict.fromkeys(REPORT_KEYS), 'field': name, 'intact': False,
        'trusted': False, 'revoked': False, 'expired': False,
        'timestamped': False, 'valid': False,
        'reasons': ['unreadable_signature'],
        'error': str(error) or type(error).__name__}


def verify(pdf, trust=(), *, others=(), fetch=True, timeout=5,
        max_size=MAX_SIZE, revocation='soft-fail', limits=LIMITS):
    """Check every signature of `pdf` (bytes, path or binary file).

    `trust`: trust roots, as for `load_certs`; `others`: intermediate
    certificates to build chains with, for signers that do not embed them.
    With `fetch`, revocation is checked online (CRL, OCSP) when the
    responders answer, falling back to the validation data embedded in the
    file (DSS). `revocation` is
    pyHanko's mode: 'soft-fail' accepts a certificate whose status cannot
    be found, 'hard-fail' does not.

    Returns {'status': 'valid' | 'invalid' | 'unsigned', 'signatures':
    [one dict per signature, in signing order], 'javascript': bool, see
    `scripts`}. Raises Unreadable when the input cannot be read as a PDF
    or holds more than `limits` allow; revocation data is fetched only for
    certificates whose chain ends at one of the roots (see
    `_AnchoredBackend`). `signature.check` runs it in a sandbox, bounded
    in time and memory.
    """
    stream = _stream(pdf, max_size)
    owned = isinstance(pdf, (str, os.PathLike))
    try:
        reader = _reader(stream, limits=limits)
        try:
            sigs = reader.embedded_regular_signatures
            timestamps = reader.embedded_timestamp_signatures
        except MemoryError:
            raise
        except Exception as e:
            raise Unreadable('damaged PDF: %s'
                % (str(e) or type(e).__name__))
        javascript = scripts(reader, limits)
        if not sigs:
            return {'status': 'unsigned', 'signatures': [],
                'javascript': javascript}
        try:
            dss = DocumentSecurityStore.read_dss(reader)
        except NoDSSFoundError:
            dss = None
        except Exception:
            # a damaged DSS only loses the embedded validation data
            dss = None
        roots = list(load_certs(trust))
        others = list(load_certs(others))
        results = _run(_verify(sigs, timestamps, dss, roots, fetch,
                timeout, revocation, others))
    finally:
        if owned:
            stream.close()
    status = 'valid' if all(r['valid'] for r in results) else 'invalid'
    return {'status': status, 'signatures': results,
        'javascript': javascript}


async def _verify(sigs, timestamps, dss, roots, fetch, timeout, revocation,
        others=()):
    vc = _context(roots, fetch, timeout, revocation, others=others, dss=dss)
    now = dt.datetime.now(dt.timezone.utc)
    results = []
    try:
        for sig in sigs:
            try:
                current = status = await async_validate_pdf_signature(sig,
                    vc, key_usage_settings=KEY_USAGE)
                proven = _proven_time(current, now)
                if proven is not None:
                    past = await _validate_at(sig, proven, vc, dss, roots,
                        fetch, timeout, revocation, others)
                    if past.trusted:
                        status = past
                    else:
                        proven = None
            except MemoryError:
                raise
            except Exception as e:
                results.append(_broken(sig, e))
                continue
            results.append(_result(sig, status, current, dss, timestamps,
                    now, proven))
    finally:
        await vc.aclose()
    return results


async def _validate_at(sig, moment, vc, dss, roots, fetch, timeout,
        revocation, others=()):
    "validate the signer's chain as of `moment`, the timestamp's as of now"
    past = _context(roots, fetch, timeout, revocation, moment, others, dss)
    try:
        return await async_validate_pdf_signature(sig, past,
            ts_validation_context=vc, key_usage_settings=KEY_USAGE)
    finally:
        await past.aclose()
