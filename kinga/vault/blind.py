"""Blind indexes: find sealed values without opening them.

A sealed column cannot be searched. Next to it a service stores a *blind index*: an
HMAC-SHA256 digest, under ``KINGA_INDEX_KEY``, of a normalised form of the value.
Equal inputs give equal digests, so ``WHERE phone_index = %s`` finds a child by phone
number, while the database (or a stolen backup) holds only digests that cannot be
reversed or even brute-forced without the key. Each digest carries a *purpose*, so a
phone's digest never equals a name's.

Exact lookups
    ``exact_index(value, purpose)`` hashes ``normalise_for_index(value)``: case-folded,
    accents stripped, whitespace collapsed. ``phone_index(value)`` hashes
    ``normalise_phone(value)``: digits only, Kenyan numbers in one international form
    (``0712 345 678``, ``+254 712 345678`` and ``712345678`` all become
    ``254712345678``).

Duplicate detection (``name_tokens``)
    A child registered twice is rarely spelt the same way twice. For each part of a
    name we compute a few *spelling-tolerant codes* and store the HMAC of each code as a
    token (purpose ``name-phonetic``); two records that share tokens are candidates,
    and only the candidates are then opened and compared by a person or a finer rule
    (DESIGN.md invariant 3). Codes per part, each prefixed with its kind so different
    kinds never collide:

    ``sp``  the part after a small coastal spelling normalisation (below);
    ``mp``  Metaphone of that form (``jellyfish.metaphone``);
    ``ny``  NYSIIS of that form (``jellyfish.nysiis``).

    The coastal normalisation is deliberately modest and only merges spellings that
    Kenyan coast registers are known to mix:

    1. case-folded, accents and apostrophes dropped (``Ng'ang'a`` → ``nganga``);
    2. Arabic-origin digraphs written without the ``h``: ``kh`` → ``h``
       (Khamisi/Hamisi), ``gh`` → ``g``;
    3. Mijikenda affricates often written without their first letter: ``dz`` → ``z``
       (Kadzo/Kazo), ``ts`` → ``s`` (Tsuma/Suma);
    4. ``ch`` and ``sh`` written for one another → ``sh`` (Chiriba/Shiriba);
    5. glides: after a consonant, ``u`` before a vowel → ``w`` (Muanajuma/Mwanajuma)
       and ``i`` before a vowel → ``y`` (Mariamu/Maryamu);
    6. doubled letters collapse (Mwanajumaa/Mwanajuma, Barakka/Baraka).

    Parts shorter than two letters (initials) and the connectives ``bin``, ``binti``,
    ``bint``, ``ibn`` and ``wa`` give no tokens. Tokens are returned sorted, so their
    order says nothing about the order of the name's parts.

    What a token reveals: anyone holding the database sees which records share a
    token — the same thing the duplicate check itself needs — but not the name. Codes
    are coarse on purpose; a finer comparison happens only after decryption. If any rule
    or the ``jellyfish`` version changes, bump ``NAME_TOKEN_VERSION`` and rebuild the
    stored tokens.
"""

from __future__ import annotations

import re
import unicodedata

import jellyfish

from kinga.vault.crypto import blind_index

NAME_PURPOSE = "name-phonetic"
PHONE_PURPOSE = "phone"
NAME_TOKEN_VERSION = 1
_PURPOSE = re.compile(r"^[a-z0-9][a-z0-9.-]{0,63}$")
_RESERVED_PURPOSES = {NAME_PURPOSE, PHONE_PURPOSE}
_CONNECTIVES = {"bin", "binti", "bint", "ibn", "wa"}
_VOWELS = "aeiou"


def _fold(text: str) -> str:
    """Case-fold, then drop accents (NFKD also maps full-width forms to ASCII)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def normalise_for_index(text: str, *, phone: bool = False) -> str:
    """The canonical form a blind index hashes: equal for spellings that are "the same".

    Text is case-folded, stripped of accents and has its whitespace collapsed to single
    spaces. With ``phone=True`` the Kenyan phone rules of ``normalise_phone`` apply.
    """
    if phone:
        return normalise_phone(text)
    return " ".join(_fold(text).split())


def normalise_phone(value: str) -> str:
    """Digits only, with Kenyan numbers in international form without the ``+``.

    ``0712345678``, ``0112345678``, ``+254712345678``, ``254712345678``,
    ``00254712345678``, ``+254 (0)712 345 678`` and ``712345678`` all become
    ``254`` + the nine national digits. Other numbers keep their digits unchanged.
    Raises ``ValueError`` (without quoting the value) when there are no digits.
    """
    digits = "".join(ch for ch in _fold(value) if ch in "0123456789")
    if not digits:
        raise ValueError("a phone number needs digits")
    if digits.startswith("00"):
        digits = digits[2:]  # international dialling prefix
    if len(digits) == 13 and digits.startswith("2540"):
        return "254" + digits[4:]  # +254 (0)7xx …
    if len(digits) == 12 and digits.startswith("254"):
        return digits
    if len(digits) == 10 and digits.startswith("0"):
        return "254" + digits[1:]  # national form 07xx / 01xx / 020 …
    if len(digits) == 9 and digits[0] in "17":
        return "254" + digits  # mobile number without its leading 0
    return digits


def _check_purpose(purpose: str) -> None:
    if not _PURPOSE.match(purpose or ""):
        raise ValueError("a blind-index purpose is a short lower-case name like 'child-name'")
    if purpose in _RESERVED_PURPOSES:
        raise ValueError(f"the purpose {purpose!r} is reserved; use its own helper")


def exact_index(value: str | None, purpose: str) -> str:
    """Digest for an exact (normalised) lookup; empty input gives an empty index."""
    _check_purpose(purpose)
    normal = normalise_for_index(value or "")
    return blind_index(normal, purpose=purpose) if normal else ""


def phone_index(value: str | None) -> str:
    """Digest of a phone number in its Kenyan-normalised form; empty gives empty."""
    if not value or not value.strip():
        return ""
    return blind_index(normalise_phone(value), purpose=PHONE_PURPOSE)


_DIGRAPHS = (("kh", "h"), ("gh", "g"), ("dz", "z"), ("ts", "s"), ("ch", "sh"))
_U_GLIDE = re.compile(rf"(?<=[^{_VOWELS}])u(?=[{_VOWELS}])")
_I_GLIDE = re.compile(rf"(?<=[^{_VOWELS}])i(?=[{_VOWELS}])")
_DOUBLED = re.compile(r"(.)\1+")


def coastal_form(part: str) -> str:
    """One name part after the coastal spelling rules in the module docstring."""
    word = "".join(ch for ch in _fold(part) if "a" <= ch <= "z")
    for old, new in _DIGRAPHS:
        word = word.replace(old, new)
    word = _U_GLIDE.sub("w", word)
    word = _I_GLIDE.sub("y", word)
    return _DOUBLED.sub(r"\1", word)


def _name_parts(full_name: str) -> list[str]:
    folded = _fold(full_name).replace("'", "").replace("\u2019", "")
    return [part for part in re.split(r"[^a-z]+", folded) if part]


def name_codes(full_name: str) -> set[str]:
    """The plain codes behind ``name_tokens`` — for tests and tuning, never for storage."""
    codes: set[str] = set()
    for part in _name_parts(full_name):
        if len(part) < 2 or part in _CONNECTIVES:
            continue
        form = coastal_form(part)
        if len(form) < 2:
            continue
        codes.add(f"sp:{form}")
        for kind, code in (("mp", jellyfish.metaphone(form)), ("ny", jellyfish.nysiis(form))):
            if code:
                codes.add(f"{kind}:{code.lower()}")
    return codes


def name_tokens(full_name: str | None) -> list[str]:
    """Blind-index tokens for duplicate detection: HMAC digests of ``name_codes``."""
    if not full_name:
        return []
    return sorted({blind_index(code, purpose=NAME_PURPOSE) for code in name_codes(full_name)})
