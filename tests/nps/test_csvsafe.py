"""Every CSV file OpenNPS writes goes through nps.csvsafe: no cell runs as a formula in a spreadsheet."""

import csv
import io

import pytest

from nps import csvsafe


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ("+1 for support", "'+1 for support"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("|calc", "'|calc"),
        ("%0A", "'%0A"),
        ("\t=1+2", "'\t=1+2"),
        ("\r=1+2", "'\r=1+2"),
        ("-12.5", "-12.5"),
        ("-1,234", "-1,234"),
        (-3, -3),
        (None, None),
        ("Fine =1+2", "Fine =1+2"),
        ("'=already", "'=already"),
    ],
)
def test_formula_like_cells_start_with_an_apostrophe(value, written):
    assert csvsafe.neutralise(value) == written


def test_the_writer_neutralises_every_cell():
    out = io.StringIO()
    csvsafe.writer(out).writerows([["name", "score"], ["\t=cmd", 9]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [["name", "score"], ["'\t=cmd", "9"]]
