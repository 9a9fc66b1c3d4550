"""Blind indexes: normalisation, phones, exact lookups and phonetic name tokens."""

from __future__ import annotations

import pytest

from kinga.vault.blind import (
    coastal_form,
    exact_index,
    name_codes,
    name_tokens,
    normalise_for_index,
    normalise_phone,
    phone_index,
)
from kinga.vault.keyring import new_key_text, parse_index_key


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("  Mwanajuma   KADZO ", "mwanajuma kadzo"),
        ("Zoë\tMüller", "zoe muller"),
        ("\uff26\uff21\uff34\uff35\uff2d\uff21", "fatuma"),  # full-width letters
        ("Straße", "strasse"),
        ("", ""),
    ],
)
def test_it_normalises_text_for_an_index(text: str, expected: str) -> None:
    assert normalise_for_index(text) == expected


@pytest.mark.parametrize(
    ("phone", "expected"),
    [
        ("0712345678", "254712345678"),
        ("0712 345 678", "254712345678"),
        ("0712-345-678", "254712345678"),
        ("+254712345678", "254712345678"),
        ("+254 712 345 678", "254712345678"),
        ("254712345678", "254712345678"),
        ("00254712345678", "254712345678"),
        ("+254 (0)712 345678", "254712345678"),
        ("712345678", "254712345678"),
        ("0112345678", "254112345678"),
        ("+254112345678", "254112345678"),
        ("112345678", "254112345678"),
        ("020 1234567", "254201234567"),
        ("+44 20 7946 0958", "442079460958"),
        ("112", "112"),
    ],
)
def test_it_normalises_kenyan_phone_numbers(phone: str, expected: str) -> None:
    assert normalise_phone(phone) == expected
    assert normalise_for_index(phone, phone=True) == expected


def test_it_rejects_a_phone_without_digits_without_quoting_it() -> None:
    with pytest.raises(ValueError) as caught:
        normalise_phone("call Amina")
    assert "Amina" not in str(caught.value)


def test_it_gives_every_spelling_of_one_phone_the_same_index() -> None:
    indexes = {phone_index(p) for p in ("0712345678", "+254 712 345 678", "712345678")}
    assert len(indexes) == 1
    digest = indexes.pop()
    assert len(digest) == 64 and "712345678" not in digest
    assert phone_index("0712345679") != digest
    assert phone_index("") == "" and phone_index(None) == ""


def test_it_makes_exact_indexes_stable_and_purpose_bound() -> None:
    assert exact_index("Kadzo  Tsuma", "child-name") == exact_index("kadzo tsuma", "child-name")
    assert exact_index("Kadzo", "child-name") != exact_index("Kadzo", "caregiver-name")
    assert exact_index("Kadzo", "child-name") != exact_index("Kazo", "child-name")
    assert exact_index("   ", "child-name") == ""


def test_it_makes_indexes_depend_on_the_index_key(settings) -> None:
    before = (exact_index("Kadzo", "child-name"), phone_index("0712345678"), name_tokens("Kadzo"))
    settings.BLIND_INDEX_KEY = parse_index_key(new_key_text())
    after = (exact_index("Kadzo", "child-name"), phone_index("0712345678"), name_tokens("Kadzo"))
    for old, new in zip(before, after, strict=True):
        assert old != new
    assert set(before[2]).isdisjoint(after[2])


@pytest.mark.parametrize("purpose", ["", "Child Name", "phone", "name-phonetic", "x\x1fy"])
def test_it_rejects_bad_or_reserved_purposes(purpose: str) -> None:
    with pytest.raises(ValueError):
        exact_index("Kadzo", purpose)


@pytest.mark.parametrize(
    ("written", "coastal"),
    [
        ("Mwanajumaa", "mwanajuma"),
        ("Muanajuma", "mwanajuma"),
        ("Kadzo", "kazo"),
        ("Chiriba", "shiriba"),
        ("Khamisi", "hamisi"),
        ("Tsuma", "suma"),
        ("Mariamu", "maryamu"),
        ("Barakka", "baraka"),
        ("Ng'ang'a", "nganga"),
    ],
)
def test_it_applies_the_coastal_spelling_rules(written: str, coastal: str) -> None:
    assert coastal_form(written) == coastal


@pytest.mark.parametrize(
    ("correct", "misspelt"),
    [
        ("Mwanajuma", "Mwanajumaa"),
        ("Mwanajuma", "Muanajuma"),
        ("Kadzo", "Kazo"),
        ("Chiriba", "Shiriba"),
        ("Hamisi", "Khamisi"),
        ("Maryam", "Mariamu"),
        ("Fatuma Ali", "Fatma Ally"),
        ("Mohamed", "Muhammad"),
        ("Baraka Tsuma", "BARAKKA suma"),
    ],
)
def test_it_gives_a_misspelt_name_a_token_in_common(correct: str, misspelt: str) -> None:
    assert set(name_tokens(correct)) & set(name_tokens(misspelt))


@pytest.mark.parametrize(
    ("one", "other"),
    [("Kadzo", "Mwanajuma"), ("Baraka", "Bakari"), ("Amina", "Zawadi"), ("Juma", "Kahindi")],
)
def test_it_keeps_different_names_apart(one: str, other: str) -> None:
    assert not set(name_tokens(one)) & set(name_tokens(other))


def test_it_stores_only_digests_in_name_tokens() -> None:
    tokens = name_tokens("Mwanajuma Kadzo Chiriba")
    assert tokens == sorted(tokens) and len(tokens) == len(set(tokens))
    assert all(len(t) == 64 and all(c in "0123456789abcdef" for c in t) for t in tokens)
    joined = " ".join(tokens)
    for code in name_codes("Mwanajuma Kadzo Chiriba"):
        assert code.split(":", 1)[1] not in joined


def test_it_skips_initials_and_connectives() -> None:
    assert name_tokens("Amina binti Said") == name_tokens("Amina Said")
    assert name_tokens("A. Said") == name_tokens("Said")
    assert name_tokens("") == [] and name_tokens(None) == []


def test_it_ignores_the_order_of_name_parts() -> None:
    assert name_tokens("Kadzo Mwanajuma") == name_tokens("Mwanajuma Kadzo")
