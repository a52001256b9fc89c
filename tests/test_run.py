"The test runner's counting of JUnit reports"
import run

REPORT = '''<?xml version="1.0" encoding="utf-8"?>
<testsuites name="pytest tests">
<testsuite name="pytest" errors="1" failures="2" skipped="1" tests="1604">
<testcase classname="a" name="test_ok" />
<testcase classname="a" name="test_subtests">
<failure message="1 not less than 1" /><failure message="2 not less than 1" />
</testcase>
<testcase classname="a" name="test_setup"><error message="boom" /></testcase>
<testcase classname="a" name="test_skip"><skipped message="later" /></testcase>
<testcase classname="a" name="test_output"><system-out>x</system-out></testcase>
</testsuite>
</testsuites>
'''


def test_counts_test_cases_not_subtests(tmp_path):
    report = tmp_path / 'junit.xml'
    report.write_text(REPORT)
    assert run.junit_counts(report) == (2, 2, 1)


def test_missing_report(tmp_path):
    assert run.junit_counts(tmp_path / 'none.xml') == (0, 0, 0)
