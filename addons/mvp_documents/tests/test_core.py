"The functional core of mvp_documents, without a database"
import doctest

from trytond.modules.mvp_documents import numbering


def test_numbering_examples():
    failed, attempted = doctest.testmod(numbering)
    assert attempted and not failed
