from trytond.tests.test_tryton import ModuleTestCase


class MvpArchiveTestCase(ModuleTestCase):
    "Test the mvp_archive module"
    module = 'mvp_archive'


del ModuleTestCase
