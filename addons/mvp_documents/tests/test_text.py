"""Vietnamese text in the models: NFC on write, legacy text, search without
marks, Vietnamese order (issue 3)."""
import unicodedata
import unittest

from trytond import backend
from trytond.modules.mvp_documents import vntext
from trytond.modules.mvp_documents.tests import legacy
from trytond.modules.mvp_documents.exceptions import EncodingError
from trytond.pool import Pool
from trytond.tests.test_tryton import activate_module, with_transaction
from trytond.transaction import Transaction


def nfd(text):
    return unicodedata.normalize('NFD', text)


def is_nfc(text):
    return unicodedata.is_normalized('NFC', text)


class TextTestCase(unittest.TestCase):
    "Vietnamese text in the models"

    @classmethod
    def setUpClass(cls):
        activate_module('mvp_documents')

    def agency(self, name="Sở Nội vụ", code='SNV', identifier='000.00.01.H31'):
        Unit = Pool().get('mvp.unit')
        unit = Unit(
            name=name, code=code, kind='department', identifier=identifier)
        unit.save()
        return unit

    def incoming(self, abstract, number_symbol=None, sender="UBND tỉnh",
            agency=None):
        pool = Pool()
        Incoming = pool.get('mvp.document.incoming')
        Type = pool.get('mvp.document.type')
        if agency is None:
            Unit = pool.get('mvp.unit')
            agency = (Unit.search([('identifier', '=', '000.00.01.H31')])
                or [self.agency()])[0]
        type_ = Type.search([('code', '=', 'QĐ')], limit=1)[0]
        document = Incoming(
            company=agency.company, type=type_, abstract=abstract,
            number_symbol=number_symbol, sender=sender)
        document.save()
        return document

    def find(self, domain):
        Incoming = Pool().get('mvp.document.incoming')
        return Incoming.search(domain, order=[('id', 'ASC')])

    # --- NFC and legacy text ----------------------------------------------

    @with_transaction()
    def test_nfd_stored_as_nfc(self):
        "Decomposed input is stored in NFC, on create and on write"
        Unit = Pool().get('mvp.unit')
        name = "Sở Tài nguyên và Môi trường"
        unit = self.agency(name=nfd(name), code=nfd('STNMT'))
        self.assertNotEqual(nfd(name), name)
        unit = Unit(unit.id)
        self.assertEqual(unit.name, name)
        self.assertTrue(is_nfc(unit.name))

        Unit.write([unit], {'name': nfd("Sở Y tế")})
        self.assertEqual(Unit(unit.id).name, "Sở Y tế")

    @with_transaction()
    def test_nfd_document_fields(self):
        "Every Char and Text field of a document is stored in NFC"
        abstract = "Quyết định số 17 về việc bổ nhiệm"
        document = self.incoming(
            nfd(abstract), number_symbol=nfd('17/2026/QĐ-UBND'),
            sender=nfd("Ủy ban nhân dân tỉnh"))
        self.assertEqual(document.abstract, abstract)
        self.assertEqual(document.number_symbol, '17/2026/QĐ-UBND')
        self.assertEqual(document.sender, "Ủy ban nhân dân tỉnh")

    @with_transaction()
    def test_tcvn3_converted(self):
        "Text pasted from a TCVN3 (ABC) document is stored in Unicode"
        text = "Quyết định số 17 về việc tập huấn"
        pasted = legacy.from_unicode(text, 'tcvn3')
        self.assertEqual(pasted, "QuyÕt ®Þnh sè 17 vÒ viÖc tËp huÊn")
        self.assertEqual(self.incoming(pasted).abstract, text)

    @with_transaction()
    def test_vni_converted(self):
        "Text pasted from a VNI-Windows document is stored in Unicode"
        Incoming = Pool().get('mvp.document.incoming')
        document = self.incoming("Kế hoạch")
        text = "Báo cáo tổng kết năm"
        pasted = legacy.from_unicode(text, 'vni')
        self.assertEqual(pasted, "Baùo caùo toång keát naêm")
        Incoming.write([document], {'abstract': pasted})
        self.assertEqual(Incoming(document.id).abstract, text)

    @with_transaction()
    def test_mixed_refused(self):
        "Unicode mixed with TCVN3 words is refused with a clear message"
        pasted = "Ví dụ: " + legacy.from_unicode("Báo cáo tổng kết", 'tcvn3')
        with self.assertRaises(EncodingError) as cm:
            self.incoming(pasted)
        message = cm.exception.message
        self.assertIn('TCVN3', message)
        self.assertIn('B¸o', message)
        self.assertIn('Abstract', message)

    @with_transaction()
    def test_kept_as_typed(self):
        "Foreign words and ASCII that reads as VIQR are kept as typed"
        for text in ["Hợp tác với Müller GmbH, 5 µm", "I'm here",
                "Quye^'t ddi.nh"]:
            with self.subTest(text=text):
                self.assertEqual(self.incoming(text).abstract, text)

    # --- search -------------------------------------------------------------

    @with_transaction()
    def test_search_without_marks(self):
        "The examples of the issue, through rec_name as the search box does"
        document = self.incoming(
            "Quyết định số 17 về việc thành lập Hội đồng thi đua",
            number_symbol='17/2026/QĐ-UBND')
        other = self.incoming("Kế hoạch tập huấn nghiệp vụ văn thư")
        for query in ["quyet dinh so 17", "Quyết định số 17", "QUYET DINH",
                "quyết  định", "hoi dong thi dua", "qd-ubnd", "QĐ-UBND",
                nfd("quyết định")]:
            with self.subTest(query=query):
                self.assertEqual(
                    self.find([('rec_name', 'ilike', f'%{query}%')]),
                    [document])
        self.assertEqual(
            self.find([('rec_name', 'ilike', '%tap huan%')]), [other])
        self.assertEqual(
            self.find([('rec_name', 'not ilike', '%quyet dinh%')]), [other])
        self.assertEqual(
            self.find([('rec_name', 'ilike', '%quyet dinh so 18%')]), [])

    @with_transaction()
    def test_d_matches_dj(self):
        "đ and d match each other both ways"
        dinh = self.incoming("Quyết định")
        dinh_plain = self.incoming("Xã Dinh Điền")
        self.assertEqual(
            self.find([('rec_name', 'ilike', '%dinh%')]), [dinh, dinh_plain])
        self.assertEqual(
            self.find([('rec_name', 'ilike', '%đinh%')]), [dinh, dinh_plain])
        self.assertEqual(
            self.find([('rec_name', 'ilike', '%dien%')]), [dinh_plain])

    @with_transaction()
    def test_search_field_clause(self):
        "A clause on one field ignores marks and stays on that field"
        document = self.incoming(
            "Quyết định số 17 về việc thành lập", number_symbol='17/QĐ-UBND',
            sender="Sở Tư pháp")
        other = self.incoming("Kế hoạch năm 2026", number_symbol='5/KH-UBND',
            sender="Sở Tư pháp")
        self.assertEqual(
            self.find([('abstract', 'ilike', '%quyet dinh%')]), [document])
        self.assertEqual(
            self.find([('abstract', 'ilike', 'quyet dinh%')]), [document])
        self.assertEqual(self.find([('abstract', 'ilike', 'dinh%')]), [])
        # "ubnd" is in both symbols, in neither abstract.
        self.assertEqual(self.find([('abstract', 'ilike', '%ubnd%')]), [])
        self.assertEqual(
            self.find([('number_symbol', 'ilike', '%qd-ubnd%')]), [document])
        self.assertEqual(
            self.find([('sender', 'ilike', '%so tu phap%')]),
            [document, other])
        self.assertEqual(
            self.find([('abstract', 'not ilike', '%quyet dinh%')]), [other])
        self.assertEqual(
            self.find(['OR', ('abstract', 'ilike', '%ke hoach%'),
                    ('number_symbol', 'ilike', '%qđ%')]),
            [document, other])
        self.assertEqual(
            self.find([('search_text', 'ilike', '%SỞ TƯ PHÁP%')]),
            [document, other])

    @with_transaction()
    def test_search_after_write(self):
        "The search follows the fields when they change"
        Incoming = Pool().get('mvp.document.incoming')
        document = self.incoming("Kế hoạch")
        Incoming.write([document], {'abstract': "Báo cáo sơ kết"})
        self.assertEqual(self.find([('rec_name', 'ilike', '%ke hoach%')]), [])
        self.assertEqual(
            self.find([('rec_name', 'ilike', '%bao cao so ket%')]), [document])

    @with_transaction()
    def test_search_units_users(self):
        "Units and users are found without marks, by any of their names"
        pool = Pool()
        Unit = pool.get('mvp.unit')
        User = pool.get('res.user')
        unit = self.agency(name="Sở Giáo dục và Đào tạo", code='SGDĐT')
        self.assertEqual(
            Unit.search([('rec_name', 'ilike', '%giao duc va dao tao%')]),
            [unit])
        self.assertEqual(Unit.search([('rec_name', 'ilike', '%sgddt%')]),
            [unit])
        self.assertEqual(
            Unit.search([('rec_name', 'ilike', '%000.00.01.h31%')]), [unit])
        user = User(login='an.nv', name=nfd("Nguyễn Văn An"))
        user.save()
        self.assertEqual(user.name, "Nguyễn Văn An")
        for query in ["nguyen van an", "Văn An", "an.nv"]:
            with self.subTest(query=query):
                self.assertEqual(
                    User.search([('rec_name', 'ilike', f'%{query}%')]), [user])
        self.assertEqual(
            User.search([('name', 'ilike', '%nguyen%')]), [user])

    @with_transaction()
    def test_search_existing_rows(self):
        "Rows there before the module are searchable: the update fills them"
        User = Pool().get('res.user')
        admin = User.search([('login', '=', 'admin')])
        self.assertEqual(
            User.search([('rec_name', 'ilike', '%ADMINISTRATOR%')]), admin)

    @with_transaction()
    def test_exact_rec_name(self):
        "Other operators on rec_name keep their meaning (imports use '=')"
        Unit = Pool().get('mvp.unit')
        unit = self.agency()
        self.assertEqual(Unit.search([('rec_name', '=', "Sở Nội vụ")]), [unit])
        self.assertEqual(Unit.search([('rec_name', '=', "So Noi vu")]), [])

    @unittest.skipIf(backend.name != 'postgresql', "pg_trgm is PostgreSQL's")
    @with_transaction()
    def test_search_indexed(self):
        "The search of documents can use the trigram index"
        pool = Pool()
        Incoming = pool.get('mvp.document.incoming')
        cursor = Transaction().connection.cursor()
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = %s",
            (Incoming._table,))
        definitions = [r[0] for r in cursor.fetchall()]
        self.assertTrue(any(
                'gin' in d and 'search_text' in d and 'gin_trgm_ops' in d
                for d in definitions), definitions)
        query = Incoming.search(
            [('rec_name', 'ilike', '%quyet dinh%')], query=True)
        cursor.execute('SET LOCAL enable_seqscan = off')
        cursor.execute('EXPLAIN ' + str(query), query.params)
        plan = '\n'.join(r[0] for r in cursor.fetchall())
        self.assertIn('Bitmap Index Scan', plan)
        self.assertIn('search_text', plan)

    # --- order --------------------------------------------------------------

    @with_transaction()
    def test_units_order(self):
        "Units come in Vietnamese alphabetical order"
        Unit = Pool().get('mvp.unit')
        names = ["Văn phòng", "Đài Phát thanh", "Ủy ban", "Dân tộc", "Ăn",
            "Ấp", "An", "Y tế", "Ban Quản lý", "Bán", "Bàn", "Ủy ban 2",
            "Ủy ban 10", "ủy ban"]
        expected = ["An", "Ăn", "Ấp", "Ban Quản lý", "Bàn", "Bán", "Dân tộc",
            "Đài Phát thanh", "ủy ban", "Ủy ban", "Ủy ban 2", "Ủy ban 10",
            "Văn phòng", "Y tế"]
        for i, name in enumerate(names):
            self.agency(
                name=name, code=None, identifier=f'000.00.{i + 10:02d}.H31')
        found = [u.name for u in Unit.search(
                [('name', 'in', names)])]
        self.assertEqual(found, expected)
        self.assertNotEqual(sorted(names), expected)
        found = [u.name for u in Unit.search(
                [('name', 'in', names)], order=[('name', 'DESC')])]
        self.assertEqual(found, expected[::-1])

    @with_transaction()
    def test_types_order(self):
        "The document types of Decree 30 come in Vietnamese order"
        Type = Pool().get('mvp.document.type')
        names = [t.name for t in Type.search([])]
        self.assertEqual(names, sorted(names, key=vntext.sort_key))
        self.assertLess(names.index("Dự án"), names.index("Đề án"))
        self.assertLess(names.index("Đề án"), names.index("Hợp đồng"))
        self.assertLess(names.index("Bản thỏa thuận"), names.index("Báo cáo"))

    @with_transaction()
    def test_users_order(self):
        "People come by given name, then family and middle names"
        User = Pool().get('res.user')
        for login, name in [('binh', "Lê Thị Bình"), ('an', "Trần Văn An"),
                ('an2', "Đỗ An"), ('dung', "Phạm Dũng")]:
            User(login=login, name=name).save()
        found = [u.name for u in User.search(
                [('login', 'in', ['binh', 'an', 'an2', 'dung'])])]
        self.assertEqual(
            found, ["Đỗ An", "Trần Văn An", "Lê Thị Bình", "Phạm Dũng"])
