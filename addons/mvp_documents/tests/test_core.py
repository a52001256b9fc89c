"The functional core of mvp_documents, without a database"
import datetime as dt
import unittest

from trytond.modules.mvp_documents import identifier, numbering


class NumberingTestCase(unittest.TestCase):
    "Number, symbol, place and date (Decree 30/2020, Appendix I)"

    def test_symbol_type_then_agency(self):
        self.assertEqual(numbering.symbol('UBND', 'QĐ'), 'QĐ-UBND')

    def test_symbol_cong_van_agency_then_unit(self):
        self.assertEqual(numbering.symbol('UBND', unit='VX'), 'UBND-VX')

    def test_symbol_type_wins_over_unit(self):
        self.assertEqual(
            numbering.symbol('UBND', 'TB', unit='VX'), 'TB-UBND')

    def test_symbol_agency_alone(self):
        self.assertEqual(numbering.symbol('UBND'), 'UBND')

    def test_number_leading_zero_below_10(self):
        self.assertEqual(
            numbering.number_symbol(9, 'UBND', 'QĐ'), '09/QĐ-UBND')
        self.assertEqual(
            numbering.number_symbol(10, 'UBND', 'QĐ'), '10/QĐ-UBND')

    def test_number_beyond_99_unpadded(self):
        self.assertEqual(
            numbering.number_symbol(1234, 'UBND', unit='VX'),
            '1234/UBND-VX')

    def test_normative_year_between_number_and_symbol(self):
        self.assertEqual(
            numbering.number_symbol(3, 'HĐND', 'NQ', year=2027),
            '03/2027/NQ-HĐND')

    def test_dated_january_february_padded(self):
        self.assertEqual(numbering.dated(dt.date(2027, 1, 9)),
            'ngày 09 tháng 01 năm 2027')
        self.assertEqual(numbering.dated(dt.date(2027, 2, 28)),
            'ngày 28 tháng 02 năm 2027')

    def test_dated_later_months_unpadded(self):
        self.assertEqual(numbering.dated(dt.date(2027, 10, 31), 'Hưng Yên'),
            'Hưng Yên, ngày 31 tháng 10 năm 2027')


class IdentifierTestCase(unittest.TestCase):
    "Agency identifier codes (QCVN 102:2016)"

    def test_valid(self):
        for code in ['000.00.00.H53', '000.00.01.H53', '123.45.67.G01',
                '000.00.00.A00', '000.00.00.K99']:
            with self.subTest(code=code):
                self.assertTrue(identifier.is_valid(code))

    def test_invalid(self):
        for code in [None, '', 'H53', '000.00.00', '000.00.00.h53',
                '000.00.00.L53', '000.00.00.H5', '000.00.00.H533',
                '00.00.00.H53', '000.000.00.H53', ' 000.00.00.H53',
                '000.00.00.H53\n', '000-00-00-H53']:
            with self.subTest(code=code):
                self.assertFalse(identifier.is_valid(code))
