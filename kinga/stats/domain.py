"""The ``--domain`` language: comparisons joined by ``and`` / ``or``, never ``eval``.

Grammar (``and`` binds tighter than ``or``; keywords are case-insensitive)::

    expr       := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | atom
    atom       := "(" expr ")" | comparison
    comparison := COLUMN OP VALUE
    OP         := "==" | "!=" | "<" | "<=" | ">" | ">="
    VALUE      := NUMBER | 'text' | "text"
    COLUMN     := a name of letters, digits, "_" and "." (R style: ``sch.wide``),
                  or any text in backticks: `my column`

A comparison with a number reads the column as numbers; with quoted text it compares
the cell text. A missing cell satisfies no comparison (R's ``subset`` drops ``NA``).

Examples: ``stype == 'E'``, ``age >= 18 and sex == "F"``, ``(a < 1 or b > 2) and c != 0``.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np

from kinga.stats.design import BoolArray
from kinga.stats.errors import StatsInputError
from kinga.stats.io import Table

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![\w.]))
  | (?P<string>'(?:[^']|'')*'|"(?:[^"]|"")*")
  | (?P<op>==|!=|<=|>=|<|>)
  | (?P<paren>[()])
  | (?P<name>[A-Za-z_.][\w.]*|`[^`]+`)
    """,
    re.VERBOSE,
)

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


@dataclass(frozen=True)
class Token:
    kind: str  # number, string, op, paren, name, keyword, end
    text: str
    position: int  # 1-based character position, for messages


@dataclass(frozen=True)
class Comparison:
    column: str
    op: str
    value: float | str

    def evaluate(self, table: Table) -> BoolArray:
        compare = _COMPARE[self.op]
        if isinstance(self.value, str):
            cells = table.text(self.column)
            result = compare(cells, self.value)
        else:
            if not table.is_numeric(self.column):
                raise StatsInputError(
                    f"domain: column {self.column!r} holds text; compare it with a quoted "
                    f"string, e.g. {self.column} == 'value'"
                )
            numbers = table.numeric(self.column)
            with np.errstate(invalid="ignore"):
                result = compare(numbers, self.value)
        return np.asarray(result, dtype=np.bool_) & ~table.missing(self.column)


@dataclass(frozen=True)
class Not:
    operand: Node

    def evaluate(self, table: Table) -> BoolArray:
        # A missing cell stays outside the domain under negation too (R: !NA is NA).
        inner = self.operand.evaluate(table)
        known = np.ones(table.n_rows, dtype=np.bool_)
        for column in columns_of(self.operand):
            known &= ~table.missing(column)
        return np.asarray(~inner & known, dtype=np.bool_)


@dataclass(frozen=True)
class Join:
    op: str  # "and" | "or"
    left: Node
    right: Node

    def evaluate(self, table: Table) -> BoolArray:
        left, right = self.left.evaluate(table), self.right.evaluate(table)
        return np.asarray(left & right if self.op == "and" else left | right, dtype=np.bool_)


Node = Comparison | Not | Join


def columns_of(node: Node) -> set[str]:
    """Every column the expression reads."""
    if isinstance(node, Comparison):
        return {node.column}
    if isinstance(node, Not):
        return columns_of(node.operand)
    return columns_of(node.left) | columns_of(node.right)


def parse_domain(text: str) -> Node:
    """Parse a domain expression; :class:`StatsInputError` says where it went wrong."""
    return _Parser(text).parse()


def domain_mask(table: Table, text: str) -> BoolArray:
    """Rows of ``table`` satisfying the domain expression ``text``.

    Raises
    ------
    StatsInputError
        On a syntax error, an unknown column, a non-numeric column compared with a
        number, or an empty domain.
    """
    node = parse_domain(text)
    table.require(*sorted(columns_of(node)))
    mask = node.evaluate(table)
    if not mask.any():
        raise StatsInputError(f"domain {text!r} matches no row")
    return mask


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    position = 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise StatsInputError(
                f"domain: unexpected {text[position]!r} at position {position + 1} in {text!r}"
            )
        kind = match.lastgroup or ""
        value = match.group()
        if kind == "name" and value.lower() in ("and", "or", "not"):
            kind, value = "keyword", value.lower()
        if kind != "space":
            tokens.append(Token(kind, value, position + 1))
        position = match.end()
    tokens.append(Token("end", "", len(text) + 1))
    return tokens


class _Parser:
    """Recursive descent over the grammar in the module docstring."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0

    def parse(self) -> Node:
        if self.tokens[0].kind == "end":
            raise StatsInputError("domain: the expression is empty")
        node = self._or()
        if self._peek().kind != "end":
            self._fail("'and', 'or' or the end of the expression")
        return node

    def _peek(self) -> Token:
        return self.tokens[self.index]

    def _take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def _fail(self, expected: str) -> NoReturn:
        token = self._peek()
        found = "the end" if token.kind == "end" else repr(token.text)
        raise StatsInputError(
            f"domain: expected {expected} at position {token.position} but found {found} "
            f"in {self.text!r}"
        )

    def _or(self) -> Node:
        node = self._and()
        while self._peek() == Token("keyword", "or", self._peek().position):
            self._take()
            node = Join("or", node, self._and())
        return node

    def _and(self) -> Node:
        node = self._not()
        while self._peek() == Token("keyword", "and", self._peek().position):
            self._take()
            node = Join("and", node, self._not())
        return node

    def _not(self) -> Node:
        if self._peek() == Token("keyword", "not", self._peek().position):
            self._take()
            return Not(self._not())
        return self._atom()

    def _atom(self) -> Node:
        token = self._peek()
        if token.kind == "paren" and token.text == "(":
            self._take()
            node = self._or()
            if self._peek().text != ")":
                self._fail("')'")
            self._take()
            return node
        if token.kind != "name":
            self._fail("a column name")
        column = self._take().text.strip("`")
        if self._peek().kind != "op":
            self._fail("a comparison (==, !=, <, <=, >, >=)")
        op = self._take().text
        value_token = self._peek()
        if value_token.kind == "number":
            self._take()
            return Comparison(column, op, float(value_token.text))
        if value_token.kind == "string":
            self._take()
            quote = value_token.text[0]
            return Comparison(column, op, value_token.text[1:-1].replace(quote * 2, quote))
        self._fail("a number or a quoted string")
