"""The Swahili catalogue stays complete: every string translated, nothing fuzzy, and the
placeholders in each translation the same as in the English (a lost ``%(name)s`` crashes the
page or the message at run time, in Swahili only).

The .po is read with a small parser below so the test needs nothing beyond the standard library.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PO_PATH = Path(__file__).resolve().parents[2] / "locale" / "sw" / "LC_MESSAGES" / "django.po"

# %(name)s, %(minutes)d, %(d).2f, %s, %d, %5.1f … ; "%%" is a literal percent sign, not a
# placeholder. The space flag is left out on purpose: in "95% confidence" the "% c" is prose.
PLACEHOLDER = re.compile(r"%(?:\((?P<name>[^)]+)\))?[-#0+]*\d*(?:\.\d+)?(?P<type>[sdifeEgGxXoruc])")

# Translations other code and tests rely on, and names that must not be translated.
PINNED = {
    "Sign out": "Ondoka",
    "Sign in": "Ingia",
    "Sign in to Kinga": "Ingia kwenye Kinga",
    "Home": "Nyumbani",
    "Email": "Barua pepe",
    "Password": "Nenosiri",
    "English": "English",
    "Kiswahili": "Kiswahili",
    "Habari, %(name)s": "Habari, %(name)s",
}


@dataclass
class Entry:
    line: int
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    def __str__(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def parse_po(text: str) -> list[Entry]:
    """Entries of a .po file, including the header (msgid "") and obsolete ones (#~)."""
    entries: list[Entry] = []
    current: Entry | None = None
    key: str | None = None
    seen_keyword = False

    def start(lineno: int) -> Entry:
        entry = Entry(line=lineno)
        entries.append(entry)
        return entry

    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].strip()
        if not line:
            current, key, seen_keyword = None, None, False
            continue
        if line.startswith("#"):
            if current is None or seen_keyword:
                current, key, seen_keyword = start(lineno), None, False
            if line.startswith("#,"):
                current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
        if match:
            keyword = match.group(1)
            if current is None or (
                keyword in ("msgid", "msgctxt")
                and seen_keyword
                and key
                and key.startswith("msgstr")
            ):
                current = start(lineno)
            seen_keyword = True
            current.obsolete = current.obsolete or obsolete
            value = ast.literal_eval(match.group(3))
            if keyword.startswith("msgstr"):
                index = int(match.group(2)) if match.group(2) is not None else 0
                current.msgstr[index] = value
                key = f"msgstr[{index}]"
            else:
                setattr(current, keyword, value)
                key = keyword
            continue
        if line.startswith('"') and current is not None and key is not None:
            value = ast.literal_eval(line)
            if key.startswith("msgstr["):
                index = int(key[7:-1])
                current.msgstr[index] += value
            else:
                setattr(current, key, (getattr(current, key) or "") + value)
            continue
        raise AssertionError(f"django.po line {lineno}: cannot parse {raw!r}")
    return entries


def placeholders(text: str) -> set[str]:
    text = text.replace("%%", "")
    return {
        m.group(0) if m.group("name") is None else f"%({m.group('name')}){m.group('type')}"
        for m in PLACEHOLDER.finditer(text)
    }


@pytest.fixture(scope="module")
def catalogue() -> list[Entry]:
    assert PO_PATH.exists(), f"{PO_PATH} is missing: run makemessages -l sw"
    return parse_po(PO_PATH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def messages(catalogue: list[Entry]) -> list[Entry]:
    found = [e for e in catalogue if e.msgid and not e.obsolete]
    assert found, "the catalogue has no messages"
    return found


def test_the_header_declares_swahili_utf8_and_two_plural_forms(catalogue: list[Entry]) -> None:
    headers = [e for e in catalogue if e.msgid == "" and not e.obsolete]
    assert len(headers) == 1
    header = headers[0]
    assert "fuzzy" not in header.flags
    assert "Language: sw\n" in header.msgstr[0]
    assert "charset=UTF-8" in header.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in header.msgstr[0]


def test_every_message_is_translated(messages: list[Entry]) -> None:
    untranslated = []
    for entry in messages:
        expected = range(2) if entry.msgid_plural is not None else range(1)
        if any(not entry.msgstr.get(i, "").strip() for i in expected):
            untranslated.append(str(entry))
    assert not untranslated, "untranslated:\n" + "\n".join(untranslated)


def test_no_message_is_fuzzy(messages: list[Entry]) -> None:
    fuzzy = [str(entry) for entry in messages if "fuzzy" in entry.flags]
    assert not fuzzy, "fuzzy (check and remove the flag):\n" + "\n".join(fuzzy)


def test_placeholders_match_between_english_and_swahili(messages: list[Entry]) -> None:
    wrong = []
    for entry in messages:
        wanted = placeholders(entry.msgid)
        if entry.msgid_plural is not None:
            wanted |= placeholders(entry.msgid_plural)
        for index, text in sorted(entry.msgstr.items()):
            got = placeholders(text)
            if text and got != wanted:
                wrong.append(f"{entry} msgstr[{index}] has {sorted(got)}, wants {sorted(wanted)}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


def test_pinned_translations(messages: list[Entry]) -> None:
    by_id = {e.msgid: e.msgstr.get(0) for e in messages if e.msgctxt is None}
    wrong = {k: by_id.get(k) for k, v in PINNED.items() if k in by_id and by_id[k] != v}
    assert not wrong, f"pinned translations changed: {wrong}"
    assert {"Sign out", "Sign in", "Home"} <= by_id.keys()


def test_the_parser_reads_plurals_flags_and_continuations() -> None:
    sample = (
        'msgid ""\nmsgstr ""\n"Language: sw\\n"\n\n'
        "#: a.html:1\n#, python-format\n"
        'msgid "%(counter)s event"\nmsgid_plural "%(counter)s events"\n'
        'msgstr[0] "tukio %(counter)s"\nmsgstr[1] "matukio "\n"%(counter)s"\n\n'
        '#, fuzzy\nmsgid "Lo"\nmsgstr ""\n\n'
        '#~ msgid "Gone"\n#~ msgstr "Imeondoka"\n'
    )
    header, plural, fuzzy, gone = parse_po(sample)
    assert header.msgstr[0] == "Language: sw\n"
    assert plural.msgid_plural == "%(counter)s events"
    assert plural.msgstr == {0: "tukio %(counter)s", 1: "matukio %(counter)s"}
    assert "python-format" in plural.flags
    assert "fuzzy" in fuzzy.flags and fuzzy.msgstr == {0: ""}
    assert gone.obsolete and gone.msgid == "Gone"
    assert placeholders("%(n)s of %(m)d, 100%% and %s") == {"%(n)s", "%(m)d", "%s"}
    assert placeholders("%(d).2f (95%% CI)") == {"%(d)f"}
    assert placeholders("Percent (95% confidence interval)") == set()
