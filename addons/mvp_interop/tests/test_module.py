from trytond.tests.test_tryton import ModuleTestCase


class MvpInteropTestCase(ModuleTestCase):
    "Test the mvp_interop module"
    module = 'mvp_interop'


del ModuleTestCase
