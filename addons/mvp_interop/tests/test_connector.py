"""The connector's functional core, without a database: the axis's client
against the test axis and its faults, the back-off, the directory of
agencies from the axis and from CSV files, and what identifies a packet."""
import contextlib
import datetime as dt
import http.server
import ipaddress
import os
import socket
import ssl
import tempfile
import threading
import time
import unittest

from trytond.modules.mvp_interop import axis, directory, identity
from trytond.modules.mvp_interop.edxml import (
    Business, BusinessType, StatusCode, build)
from trytond.modules.mvp_interop.tests import packets
from trytond.modules.mvp_interop.tests.tools import TestAxis

PROVINCE, OFFICE = '000.00.00.H31', '000.00.00.G22'


class ClientTestCase(unittest.TestCase):

    def setUp(self):
        self.axis = TestAxis()
        self.addCleanup(self.axis.stop)
        self.province = axis.Client(
            self.axis.url, PROVINCE, 'tinh-secret', timeout=1,
            connect_timeout=1)
        self.office = axis.Client(self.axis.url, OFFICE, 'vpcp-secret')
        self.data = build(packets.document())

    def fault(self, operation, fault, call):
        self.axis.inject(operation, fault)
        with self.assertRaises(axis.AxisError) as caught:
            call()
        return caught.exception

    def test_send_receive_done(self):
        "A packet goes from one agency to the other, once taken"
        doc_id = self.province.send(self.data, PROVINCE, [OFFICE])
        item, = self.office.received()
        self.assertEqual((item['doc_id'], item['sender'], item['kind']),
            (doc_id, PROVINCE, 'edoc'))
        self.assertEqual(self.office.fetch(doc_id), self.data)
        self.office.done(doc_id)
        self.assertEqual(self.office.received(), [])

    def test_status_kind(self):
        self.office.send(self.data, OFFICE, [PROVINCE], 'status')
        self.assertEqual(self.province.received('edoc'), [])
        item, = self.province.received('status')
        self.assertEqual(item['kind'], 'status')

    def test_directory(self):
        agencies = directory.from_axis(self.province.agencies())
        self.assertEqual({a.code for a in agencies}, {PROVINCE, OFFICE})

    def test_wrong_secret(self):
        client = axis.Client(self.axis.url, PROVINCE, 'wrong')
        with self.assertRaises(axis.AxisError) as caught:
            client.received()
        self.assertEqual(caught.exception.message_id, axis.REFUSED)
        self.assertEqual(caught.exception.params['code'], '401')

    def test_down(self):
        "Refused before anything is sent: the packet is surely not sent"
        with socket.socket() as sock:
            sock.bind(('127.0.0.1', 0))
            port = sock.getsockname()[1]
        client = axis.Client(f'http://127.0.0.1:{port}', PROVINCE, 'x')
        with self.assertRaises(axis.AxisError) as caught:
            client.send(self.data, PROVINCE, [OFFICE])
        self.assertEqual(caught.exception.message_id, axis.UNREACHABLE)
        self.assertFalse(caught.exception.sent)

    def test_errors(self):
        "HTTP errors and FAIL answers: nothing done, the caller told"
        error = self.fault('sendEdoc', 'error',
            lambda: self.province.send(self.data, PROVINCE, [OFFICE]))
        self.assertEqual((error.message_id, error.params['status']),
            (axis.HTTP, 500))
        error = self.fault('sendEdoc', 'fail',
            lambda: self.province.send(self.data, PROVINCE, [OFFICE]))
        self.assertEqual((error.message_id, error.params['code']),
            (axis.REFUSED, '99'))
        self.assertEqual(self.axis.sent(), [])

    def test_lost_answers(self):
        """Dropped after the work, answered in half or too late: the
        packet may be sent, and is"""
        for fault in ['drop-after', 'truncate', 'slow:2']:
            with self.subTest(fault=fault):
                error = self.fault('sendEdoc', fault,
                    lambda: self.province.send(self.data, PROVINCE, [OFFICE]))
                self.assertTrue(error.sent)
                self.assertIn(error.message_id,
                    {axis.UNREACHABLE, axis.ANSWER, axis.TIMEOUT})
        # the slow one is done once the axis wakes up
        time.sleep(1.5)
        self.assertEqual(len(self.office.received()), 3)

    def test_fetch_faults(self):
        doc_id = self.province.send(self.data, PROVINCE, [OFFICE])
        for fault in ['drop-before', 'truncate', 'error']:
            with self.subTest(fault=fault):
                self.fault('getEdoc', fault, lambda: self.office.fetch(doc_id))
        self.assertEqual(self.office.fetch(doc_id), self.data)

    def test_unverified_tls(self):
        """An https axis whose certificate no trusted authority issued is
        refused; with the administrator's bundle, it is reached"""
        with tls_server() as (url, bundle):
            client = axis.Client(url, PROVINCE, 'x', timeout=2)
            with self.assertRaises(axis.AxisError) as caught:
                client.received()
            self.assertEqual(caught.exception.message_id, axis.TLS)
            client = axis.Client(url, PROVINCE, 'x', timeout=2,
                verify=bundle)
            with self.assertRaises(axis.AxisError) as caught:
                client.received()
            # through TLS: the server answers what it answers (404)
            self.assertEqual(caught.exception.message_id, axis.HTTP)


@contextlib.contextmanager
def tls_server():
    "An HTTPS server on loopback with a self-signed certificate"
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, '127.0.0.1')])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address('127.0.0.1'))]),
            critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None),
            critical=True)
        .sign(key, hashes.SHA256()))
    with tempfile.TemporaryDirectory() as folder:
        cert_path = os.path.join(folder, 'cert.pem')
        key_path = os.path.join(folder, 'key.pem')
        with open(cert_path, 'wb') as f:
            f.write(cert.public_bytes(serialization.Encoding.PEM))
        with open(key_path, 'wb') as f:
            f.write(key.private_bytes(serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption()))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
        server = http.server.ThreadingHTTPServer(
            ('127.0.0.1', 0), http.server.BaseHTTPRequestHandler)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        server.handle_error = lambda *args: None
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f'https://127.0.0.1:{server.server_address[1]}', cert_path
        finally:
            server.shutdown()
            server.server_close()


class DelayTestCase(unittest.TestCase):

    def test_doubling_to_cap(self):
        top = [axis.delay(n, 30, 3600, rnd=lambda: 1) for n in range(1, 10)]
        self.assertEqual(top[:4], [30, 60, 120, 240])
        self.assertEqual(top[-1], 3600)

    def test_jitter(self):
        self.assertEqual(axis.delay(3, 10, 3600, rnd=lambda: 0), 20)
        self.assertEqual(axis.delay(10 ** 6, 10, 60, rnd=lambda: 1), 60)


class DirectoryTestCase(unittest.TestCase):

    def test_csv_with_header(self):
        data = ('\ufeffMã định danh;Tên cơ quan;Mã cha\n'
            '000.00.00.G22;Văn phòng Chính phủ;\n'
            '000.00.00.G12;Bộ Nội vụ;000.00.00.G22\n').encode('utf-8')
        agencies = directory.from_csv(data)
        self.assertEqual(agencies, [
                directory.Agency('000.00.00.G22', 'Văn phòng Chính phủ'),
                directory.Agency('000.00.00.G12', 'Bộ Nội vụ',
                    '000.00.00.G22')])

    def test_csv_positional(self):
        agencies = directory.from_csv(
            'H31.01,UBND xã A,000.00.00.H31,xa@example.vn\n'.encode())
        self.assertEqual(agencies[0].email, 'xa@example.vn')

    def test_csv_errors(self):
        for data, message, line in [
                (b'a b,Name\n', directory.CODE, 1),
                (b'G22,Name\nG22,Other\n', directory.REPEATED, 2),
                (b'G22,\n', directory.NAME, 1),
                (b'G22,T\xea\n', directory.ENCODING, 1),
                (b'\n\n', directory.EMPTY, None)]:
            with self.subTest(data=data):
                with self.assertRaises(directory.DirectoryError) as caught:
                    directory.from_csv(data)
                self.assertEqual(caught.exception.message_id, message)
                self.assertEqual(caught.exception.params.get('line'), line)

    def test_axis_items(self):
        agencies = directory.from_axis([
                {'code': 'G22', 'name': ' Văn  phòng '},
                {'code': 'bad code', 'name': 'X'},
                {'code': 'G12'}])
        self.assertEqual(agencies, [directory.Agency('G22', 'Văn phòng')])


class IdentityTestCase(unittest.TestCase):

    def test_new_document_by_its_id(self):
        "Built again, a new document is the same packet"
        first = packets.document()
        again = packets.document(attachments=2, traces=())
        self.assertEqual(identity.key(first), identity.key(again))
        other = packets.document(document_id='000.00.00.H41,x,13/UBND')
        self.assertNotEqual(identity.key(first), identity.key(other))

    def test_business_packets_by_their_time(self):
        update = packets.update()
        self.assertNotEqual(identity.key(update),
            identity.key(packets.document()))
        later = packets.document(attachments=0, business=Business(
                type=BusinessType.UPDATE, reason=update.business.reason,
                document_id=update.business.document_id),
            traces=(update.traces[0].__class__(
                    update.traces[0].organ_id,
                    update.traces[0].timestamp + dt.timedelta(hours=1)),))
        self.assertNotEqual(identity.key(update), identity.key(later))

    def test_status(self):
        status = packets.status()
        self.assertEqual(identity.key(status), identity.key(packets.status()))
        self.assertNotEqual(identity.key(status),
            identity.key(packets.status(code=StatusCode.DONE)))
