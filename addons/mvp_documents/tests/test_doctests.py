"""The examples in the docstrings of mvp_documents' functional core.

pytest collects no docstring by itself here (the plugin imports modules
under their trytond names), so each example set is a test of its own.
"""
import doctest

import pytest

from trytond.modules.mvp_documents import credentials, numbering, worktime

MODULES = [credentials, numbering, worktime]
EXAMPLES = [test for module in MODULES
    for test in doctest.DocTestFinder().find(module) if test.examples]


@pytest.mark.parametrize('test', EXAMPLES, ids=lambda t: t.name)
def test_docstring(test):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = []
    runner.run(test, out=report.append)
    assert not runner.failures, ''.join(report)


@pytest.mark.parametrize('module', MODULES, ids=lambda m: m.__name__)
def test_module_has_examples(module):
    assert any(test.name.split('.')[:4] == module.__name__.split('.')
        for test in EXAMPLES)
