from trytond.tests.test_tryton import ModuleTestCase


class MvpSigningTestCase(ModuleTestCase):
    "Test the mvp_signing module"
    module = 'mvp_signing'


del ModuleTestCase
