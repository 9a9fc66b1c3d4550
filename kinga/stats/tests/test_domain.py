"""The --domain expression language: tokenizer, parser and evaluation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kinga.stats.domain import columns_of, domain_mask, parse_domain, tokenize
from kinga.stats.errors import StatsInputError
from kinga.stats.io import Table, read_csv


@pytest.fixture
def table(tmp_path: Path) -> Table:
    path = tmp_path / "people.csv"
    path.write_text(
        "age,sex,county,sch.wide,odd one\n"
        "17,F,Kilifi,Yes,1\n"
        "18,M,Kwale,No,2\n"
        "30,F,Mombasa,Yes,3\n"
        "NA,F,Kilifi,,4\n"
        "45,M,O'Brien,Yes,5\n"
    )
    return read_csv(path)


def mask(table: Table, text: str) -> list[int]:
    return np.flatnonzero(domain_mask(table, text)).tolist()


def test_number_and_string_comparisons(table: Table) -> None:
    assert mask(table, "age >= 18") == [1, 2, 4]
    assert mask(table, "sex == 'F'") == [0, 2, 3]
    assert mask(table, 'sex != "F"') == [1, 4]
    assert mask(table, "age < 18.5") == [0, 1]


def test_and_binds_tighter_than_or(table: Table) -> None:
    assert mask(table, "sex == 'M' or age < 18 and county == 'Kilifi'") == [0, 1, 4]
    assert mask(table, "(sex == 'M' or age < 18) and county == 'Kilifi'") == [0]


def test_keywords_are_case_insensitive_and_not_works(table: Table) -> None:
    assert mask(table, "age > 20 AND NOT sex == 'M'") == [2]


def test_missing_cells_satisfy_nothing(table: Table) -> None:
    # row 4 has no age: in neither the domain nor its negation (R's subset drops NA)
    assert 3 not in mask(table, "age != 99")
    assert 3 not in mask(table, "not age < 18")
    assert 3 not in mask(table, "sch.wide != 'Yes'")


def test_dotted_names_and_escaped_quotes(table: Table) -> None:
    assert mask(table, "sch.wide == 'No'") == [1]
    assert mask(table, "county == 'O''Brien'") == [4]
    assert mask(table, "`odd one` >= 5") == [4]


def test_columns_of() -> None:
    assert columns_of(parse_domain("a == 1 and (b != 'x' or c < 2)")) == {"a", "b", "c"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("age >=", "a number or a quoted string"),
        ("age 18", "a comparison"),
        ("age == 18 and", "a column name"),
        ("(age == 18", "expected '\\)'"),
        ("age == 18 sex == 'F'", "'and', 'or'"),
        ("age = 18", "unexpected '='"),
        ("__import__('os') == 1", "a comparison"),
    ],
)
def test_syntax_errors_say_where(text: str, message: str) -> None:
    with pytest.raises(StatsInputError, match=message):
        parse_domain(text)


def test_unknown_column(table: Table) -> None:
    with pytest.raises(StatsInputError, match="no column 'height'"):
        domain_mask(table, "height > 1")


def test_text_column_compared_with_number(table: Table) -> None:
    with pytest.raises(StatsInputError, match="holds text; compare it with a quoted string"):
        domain_mask(table, "county == 3")


def test_empty_domain(table: Table) -> None:
    with pytest.raises(StatsInputError, match="matches no row"):
        domain_mask(table, "age > 100")


def test_tokens_carry_positions() -> None:
    tokens = tokenize("a >= -1.5e2")
    assert [(t.kind, t.text, t.position) for t in tokens] == [
        ("name", "a", 1),
        ("op", ">=", 3),
        ("number", "-1.5e2", 6),
        ("end", "", 12),
    ]
