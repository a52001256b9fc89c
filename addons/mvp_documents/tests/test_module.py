from trytond.tests.test_tryton import ModuleTestCase


class MvpDocumentsTestCase(ModuleTestCase):
    "Test the mvp_documents module"
    module = 'mvp_documents'


del ModuleTestCase
