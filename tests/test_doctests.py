"""The examples in the docstrings of the functional cores.

pytest collects no docstring by itself here (the plugin imports modules
under their trytond names), so each example set is a test of its own. A core
listed here is plain Python with no ORM import; an example added to any of
them is run without further ado.
"""
import doctest

import pytest

from trytond.modules.mvp_archive import backup, package
from trytond.modules.mvp_documents import (
    audit, credentials, identifier, lockout, numbering, vntext, worktime)
from trytond.modules.mvp_interop.edxml import (
    build, errors, jsonform, limits, model, parse, status, unzip)
from trytond.modules.mvp_signing import appearance, keys, pades

CORES = [
    numbering, identifier, vntext, worktime, audit, lockout, credentials,
    appearance, keys, pades,
    build, errors, jsonform, limits, model, parse, status, unzip,
    package, backup]
# the cores whose docstrings give examples today: they must keep them
EXAMPLED = [numbering, worktime, lockout, credentials]
EXAMPLES = [test for module in CORES
    for test in doctest.DocTestFinder().find(module) if test.examples]


@pytest.mark.parametrize('test', EXAMPLES, ids=lambda t: t.name)
def test_docstring(test):
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    report = []
    runner.run(test, out=report.append)
    assert not runner.failures, ''.join(report)


@pytest.mark.parametrize('module', EXAMPLED, ids=lambda m: m.__name__)
def test_module_has_examples(module):
    assert any(test.name.split('.')[:4] == module.__name__.split('.')
        for test in EXAMPLES)
