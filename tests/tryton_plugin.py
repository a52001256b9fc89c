"""pytest plugin for the Tryton modules under addons/.

Loaded by ``-p tryton_plugin`` from pyproject.toml. It does what pytest
does not do by itself:

- imports ``addons/<module>/...`` under the name trytond knows it by,
  ``trytond.modules.<module>...``, so that a test and the server share one copy
  of each module (pytest would otherwise import a second copy named after the
  directory, or ``__init__.py`` files as top-level packages);
- leaves out trytond's base test classes that a test module imports;
- sets the test configuration: the key directory (a temporary one) and the
  PKCS#11 libraries (SoftHSM2) of ``[mvp_signing]``;
- collects the scenario doctests ``addons/*/tests/scenario_*.rst``, as
  trytond's ``load_doc_tests`` builds them for unittest (pytest ignores the
  ``load_tests`` protocol).

The database comes from the environment (``TRYTOND_DATABASE_URI``,
``DB_NAME``, ``DB_CACHE``), read by trytond when its test tools are first
imported: tests/run.py sets it for each database.
"""
import atexit
import doctest
import importlib
import json
import os
import shutil
import tempfile
import traceback
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ADDONS = ROOT / 'addons'
SOFTHSM = '/usr/lib/softhsm/libsofthsm2.so'

# The test configuration, read by trytond when it is first imported: what
# config/*.conf name, the server's key material among it.
if 'TRYTOND_MVP_SIGNING__KEY_DIRECTORY' not in os.environ:
    os.environ['TRYTOND_MVP_SIGNING__KEY_DIRECTORY'] = _keys = (
        tempfile.mkdtemp(prefix='mvp-keys-'))
    atexit.register(shutil.rmtree, _keys, True)
os.environ.setdefault('TRYTOND_MVP_SIGNING__PKCS11_LIBRARIES', SOFTHSM)
# The archive's packages (the demo province submits a dossier) go to a
# temporary directory, not beside trytond's default database path.
if 'TRYTOND_ARCHIVE__DIRECTORY' not in os.environ:
    os.environ['TRYTOND_ARCHIVE__DIRECTORY'] = _archive = (
        tempfile.mkdtemp(prefix='mvp-archive-'))
    atexit.register(shutil.rmtree, _archive, True)


def dotted_name(path):
    "Return the installed module name of a file or package under addons/"
    parts = list(path.relative_to(ADDONS).with_suffix('').parts)
    if parts[-1] == '__init__':
        parts.pop()
    return '.'.join(['trytond', 'modules'] + parts)


def is_addon(path):
    return ADDONS in path.parents


class AddonModule(pytest.Module):
    "A test module of an addon, imported by its installed name"

    def _getobj(self):
        name = dotted_name(self.path)
        try:
            module = importlib.import_module(name)
        except Exception:
            raise self.CollectError(
                f"cannot import {name}:\n{traceback.format_exc()}")
        if Path(module.__file__).resolve() != self.path.resolve():
            raise self.CollectError(
                f"{name} is {module.__file__}, not {self.path}: "
                "is the project installed in editable mode (make venv)?")
        return module


@pytest.hookimpl(tryfirst=True)
def pytest_collect_directory(path, parent):
    # A plain directory, not a Package: pytest's Package imports
    # __init__.py under a name of its own.
    if is_addon(path):
        return pytest.Dir.from_parent(parent, path=path)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path, parent):
    if is_addon(module_path):
        return AddonModule.from_parent(parent, path=module_path)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector, name, obj):
    # trytond's base test classes imported by a test module are not tests
    # (the unittest loader would run them too, hence trytond's habit of
    # deleting them at the end of the module).
    if (isinstance(obj, type)
            and obj.__module__.startswith('trytond.tests.')
            and obj.__module__ != getattr(collector.obj, '__name__', None)):
        return []


def pytest_collect_file(file_path, parent):
    if (file_path.suffix == '.rst'
            and file_path.name.startswith('scenario_')
            and file_path.parent.name == 'tests'
            and is_addon(file_path)):
        return ScenarioFile.from_parent(parent, path=file_path)


class ScenarioFile(pytest.File):
    "A scenario doctest; a JSON file beside it lists its variants"

    def collect(self):
        from trytond import backend
        from trytond.tests.test_tryton import (
            STRIP_DECIMAL, doctest_checker, doctest_setup, doctest_teardown)

        optionflags = (
            doctest.REPORT_ONLY_FIRST_FAILURE
            | doctest.ELLIPSIS
            | doctest.IGNORE_EXCEPTION_DETAIL)
        if backend.name == 'sqlite':
            optionflags |= STRIP_DECIMAL
        variants = self.path.with_suffix('.json')
        if variants.exists():
            configs = json.loads(variants.read_text())
        else:
            configs = [{}]
        for index, globs in enumerate(configs):
            suite = doctest.DocFileSuite(
                str(self.path), module_relative=False, globs=globs,
                setUp=doctest_setup, tearDown=doctest_teardown,
                encoding='utf-8', checker=doctest_checker,
                optionflags=optionflags)
            case, = suite
            name = self.path.name if len(configs) == 1 else f'{index}'
            yield ScenarioItem.from_parent(self, name=name, case=case)


class ScenarioItem(pytest.Item):

    def __init__(self, *, case, **kwargs):
        super().__init__(**kwargs)
        self.case = case

    def runtest(self):
        # DocFileCase.setUp/tearDown call doctest_setup/doctest_teardown;
        # runTest raises failureException with doctest's report.
        self.case.setUp()
        try:
            self.case.runTest()
        finally:
            self.case.tearDown()

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, self.case.failureException):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, 0, f"[scenario] {self.name}"


def pytest_report_header(config):
    return (
        f"trytond database: {os.environ.get('TRYTOND_DATABASE_URI')!r}, "
        f"DB_NAME={os.environ.get('DB_NAME')!r}, "
        f"DB_CACHE={os.environ.get('DB_CACHE')!r}")
