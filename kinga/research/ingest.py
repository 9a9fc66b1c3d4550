"""Reading survey exports (KoboToolbox / ODK CSV or XLSX) and their XLSForm or codebook.

No database here: files in, plain Python out. ``services.dataset_upload`` saves the
result. Four jobs, in order:

1. **Read** the file into a header and rows of text (CSV with ``,``, ``;`` or tab as
   the delimiter, UTF-8 or Windows-1252; or the first sheet of an XLSX workbook). A cell
   longer than ``KINGA_RESEARCH_MAX_CELL_CHARS`` (5,000) is refused, naming its row and
   column; columns are arrays of Python strings, never fixed-width ``np.str_`` arrays
   that would size every cell by the longest.
2. **Name** the columns: Kobo's group prefixes (``group_hh/age``) are stripped to the
   last segment; where two columns would then share a name, more of the path is kept
   (``q7/police`` → ``q7_police``). Form metadata (``_uuid``, ``_submission_time``,
   ``_index``, ``start``, ``deviceid``, ``meta/instanceID``, ODK Central's
   ``SubmitterName`` …) is dropped and listed, never stored.
3. **Screen** for identity. A column is refused, and the whole upload with it, when

   * its *name* says it holds a person's name, phone number, e-mail, address, ID
     number or GPS position (``name``, ``jina``, ``full_name``, ``surname``, ``phone``,
     ``simu``, ``tel``, ``mobile``, ``msisdn``, ``contact``, ``email``, ``address``,
     ``id_number``, ``national_id``, ``gps``, ``geopoint``, ``latitude``,
     ``longitude`` …, compared word by word, so ``telephone_use`` is refused but
     ``hotel`` is not). Exceptions, all still screened by content: a name word
     qualified by a place or thing (``county_name``, ``school_name``, ``village_name``)
     names a place, not a person — unless a person word is there too
     (``group_leader_name``, ``school_head_name``); a column whose answers are only
     yes/no or small codes (``owns_phone`` = yes/no); and, except for a person's name
     (which no form or codebook can excuse), a column that the XLSForm or codebook
     declares as a ``select_one``/``select_multiple``.
   * its *values* look like identity in more than 20 % of the non-empty rows: Kenyan
     phone numbers (``07…``/``01…`` with 10 digits, ``+2547…``/``2541…``, or the
     9 digits Excel leaves after eating the leading zero), e-mail addresses or GPS
     points; or, unless it is a declared select whose answers are all among its
     choices, person names in most rows — two to four name words in any case
     (``AMINA SAID``, ``Grace Achieng``), joined by particles (``bin``, ``binti``,
     ``wa``, ``ole``, ``arap``, ``ya``), that are mostly different from each other or
     at least five different ones (not "Kwale County" or "Strongly agree").
   * it is a text column and phone numbers (digits possibly split by spaces, dots or
     dashes: ``0712.345.600``) or e-mail addresses occur *inside* its cells ("call mama
     on 0712 345 600") in 1 % of the cells or five cells, whichever is fewer.
4. **Describe** each variable: label and choices from the XLSForm (``survey`` and
   ``choices`` sheets; ``label``, ``label::English (en)`` …) or a codebook CSV
   (``variable,label[,list_name]`` plus ``list_name,value,label``), and its kind
   (numeric, categorical or text) from the values.

Every problem is an :class:`IngestError` whose message names the file, column and row.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import math
import re
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from numpy.typing import NDArray

from kinga.core.errors import DomainError
from kinga.stats.io import NA_VALUES

DEFAULT_MAX_ROWS = 200_000
DEFAULT_MAX_COLUMNS = 1_000
#: Longest answer one cell may hold; a survey answer is rarely more than a paragraph.
DEFAULT_MAX_CELL_CHARS = 5_000
#: Share of non-empty values that must look like identity for a column to be refused.
CONTENT_THRESHOLD = 0.20


def max_rows() -> int:
    return int(getattr(settings, "KINGA_RESEARCH_MAX_ROWS", DEFAULT_MAX_ROWS))


def max_columns() -> int:
    return int(getattr(settings, "KINGA_RESEARCH_MAX_COLUMNS", DEFAULT_MAX_COLUMNS))


def max_cell_chars() -> int:
    return int(getattr(settings, "KINGA_RESEARCH_MAX_CELL_CHARS", DEFAULT_MAX_CELL_CHARS))


class IngestError(DomainError):
    """The file cannot be taken; ``problems`` lists every reason (one line each)."""

    code = "refused"

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(" ".join(self.problems))


# ---------------------------------------------------------------------- reading
@dataclass
class RawTable:
    source: str
    header: list[str]
    rows: list[list[str]]


def read_table(filename: str, content: bytes) -> RawTable:
    """Read a CSV or XLSX export into text cells (surrounding blanks stripped)."""
    lower = filename.lower()
    if not content or not content.strip():
        raise IngestError(_("%(file)s is empty.") % {"file": filename})
    if lower.endswith((".xlsx", ".xlsm")):
        return _read_xlsx(filename, content)
    if lower.endswith(".xls"):
        raise IngestError(
            _("%(file)s is an old Excel (.xls) file; save it as .xlsx or CSV and upload again.")
            % {"file": filename}
        )
    if content[:2] == b"PK":
        return _read_xlsx(filename, content)
    return _read_csv(filename, content)


def _decode(filename: str, content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError:
        raise IngestError(
            _("%(file)s is not a text (CSV) file in UTF-8; export it again as CSV UTF-8.")
            % {"file": filename}
        ) from None


def _read_csv(filename: str, content: bytes) -> RawTable:
    if b"\x00" in content[:4096]:
        raise IngestError(
            _("%(file)s is not a CSV or XLSX file (it holds binary data).") % {"file": filename}
        )
    text = _decode(filename, content)
    first_line = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    limit = max_rows()
    try:
        header = next(reader, None)
        if header is None:
            raise IngestError(_("%(file)s is empty.") % {"file": filename})
        rows: list[list[str]] = []
        for line in reader:
            if not line or all(not cell.strip() for cell in line):
                continue
            rows.append(line)
            if len(rows) > limit:
                raise _too_many_rows(filename, limit)
    except csv.Error as exc:
        raise IngestError(
            _("%(file)s is not a readable CSV file near line %(line)d (%(error)s).")
            % {"file": filename, "line": reader.line_num, "error": exc}
        ) from None
    header = [h.strip() for h in header]
    _check_width(filename, header)
    width = len(header)
    for number, row in enumerate(rows, start=1):
        if len(row) != width:
            raise IngestError(
                _(
                    "%(file)s: row %(row)d has %(got)d fields but the header has %(want)d; "
                    "check for a stray delimiter or an unclosed quote."
                )
                % {"file": filename, "row": number, "got": len(row), "want": width}
            )
        _check_cells(filename, header, number, row)
    return RawTable(filename, header, [[cell.strip() for cell in row] for row in rows])


def _xlsx_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _open_workbook(filename: str, content: bytes):  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError):
        raise IngestError(
            _("%(file)s is not a readable XLSX workbook; save it again from Excel as .xlsx.")
            % {"file": filename}
        ) from None


#: What a damaged workbook raises while its sheets are read row by row (truncated or
#: malformed sheet XML, a broken zip member, nonsense cell references).
_XLSX_READ_ERRORS = (
    SyntaxError,  # xml.etree's ParseError and lxml's XMLSyntaxError
    ValueError,
    KeyError,
    TypeError,
    IndexError,
    AttributeError,
    EOFError,
    OSError,
    zipfile.BadZipFile,
    zlib.error,
)


def _sheet_rows(filename: str, sheet) -> Iterable[list[str]]:  # type: ignore[no-untyped-def]
    try:
        for row in sheet.iter_rows(values_only=True):
            yield [_xlsx_cell(v) for v in row]
    except _XLSX_READ_ERRORS:
        raise IngestError(
            _(
                "%(file)s: the sheet %(sheet)s is damaged and cannot be read; open the "
                "workbook in Excel, save it again as .xlsx and upload again."
            )
            % {"file": filename, "sheet": repr(str(sheet.title))}
        ) from None


def _read_xlsx(filename: str, content: bytes) -> RawTable:
    book = _open_workbook(filename, content)
    try:
        sheet = book.worksheets[0]
        rows_iter = iter(_sheet_rows(filename, sheet))
        header_cells = next(rows_iter, None)
        if header_cells is None or not any(header_cells):
            raise IngestError(_("%(file)s is empty.") % {"file": filename})
        while header_cells and not header_cells[-1]:
            header_cells.pop()
        _check_width(filename, header_cells)
        width = len(header_cells)
        limit = max_rows()
        rows: list[list[str]] = []
        for number, cells in enumerate(rows_iter, start=1):
            extra = [c for c in cells[width:] if c]
            if extra:
                raise IngestError(
                    _("%(file)s: row %(row)d has values beyond the last named column.")
                    % {"file": filename, "row": number}
                )
            cells = (cells + [""] * width)[:width]
            if not any(cells):
                continue
            _check_cells(filename, header_cells, number, cells)
            rows.append(cells)
            if len(rows) > limit:
                raise _too_many_rows(filename, limit)
    finally:
        book.close()
    return RawTable(filename, header_cells, rows)


def _check_cells(filename: str, header: list[str], number: int, row: list[str]) -> None:
    """Refuse a cell longer than :func:`max_cell_chars`, naming its row and column."""
    limit = max_cell_chars()
    if max(map(len, row), default=0) <= limit:
        return
    position = next(i for i, cell in enumerate(row) if len(cell) > limit)
    raise IngestError(
        _(
            "%(file)s: the cell in row %(row)d, column %(column)s is longer than "
            "%(limit)d characters, the most one answer may hold."
        )
        % {"file": filename, "row": number, "column": repr(header[position]), "limit": limit}
    )


def _too_many_rows(filename: str, limit: int) -> IngestError:
    return IngestError(
        _("%(file)s has more than %(limit)d rows, the most one dataset may hold.")
        % {"file": filename, "limit": limit}
    )


def _check_width(filename: str, header: list[str]) -> None:
    if len(header) > max_columns():
        raise IngestError(
            _("%(file)s has %(n)d columns; one dataset may hold at most %(limit)d.")
            % {"file": filename, "n": len(header), "limit": max_columns()}
        )
    seen: set[str] = set()
    for position, name in enumerate(header, start=1):
        if not name:
            raise IngestError(
                _("%(file)s: column %(n)d of the header has no name.")
                % {"file": filename, "n": position}
            )
        if name in seen:
            raise IngestError(
                _("%(file)s: the column name %(name)s appears twice in the header.")
                % {"file": filename, "name": repr(name)}
            )
        seen.add(name)


# ---------------------------------------------------------------------- codebooks
@dataclass
class VariableInfo:
    label: str = ""
    type: str = ""  # XLSForm type word: select_one, select_multiple, integer, text …
    list_name: str = ""


@dataclass
class Codebook:
    variables: dict[str, VariableInfo] = field(default_factory=dict)
    choices: dict[str, list[dict[str, str]]] = field(default_factory=dict)

    def info(self, name: str) -> VariableInfo | None:
        return self.variables.get(name)

    def is_select(self, name: str) -> bool:
        info = self.variables.get(name)
        return info is not None and info.type in ("select_one", "select_multiple")


def _label_column(header: list[str]) -> int | None:
    lowered = [h.strip().lower() for h in header]
    if "label" in lowered:
        return lowered.index("label")
    for i, h in enumerate(lowered):
        if h.startswith("label::") and ("english" in h or h.endswith("(en)")):
            return i
    for i, h in enumerate(lowered):
        if h.startswith("label::") or h.startswith("label:"):
            return i
    return None


def parse_xlsform(filename: str, content: bytes) -> Codebook:
    """Labels and choice lists from an XLSForm's ``survey`` and ``choices`` sheets."""
    book = _open_workbook(filename, content)
    try:
        sheets = {ws.title.strip().lower(): ws for ws in book.worksheets}
        if "survey" not in sheets:
            raise IngestError(
                _("%(file)s is not an XLSForm: it has no sheet called survey.") % {"file": filename}
            )
        codebook = Codebook()
        rows = list(_sheet_rows(filename, sheets["survey"]))
        header = [h.lower() for h in rows[0]] if rows else []
        if "type" not in header or "name" not in header:
            raise IngestError(
                _("%(file)s: the survey sheet needs columns type and name.") % {"file": filename}
            )
        t, n, lab = header.index("type"), header.index("name"), _label_column(rows[0])
        for row in rows[1:]:
            row = row + [""] * (len(header) - len(row))
            name, kind = row[n].strip(), row[t].strip()
            if not name or not kind or kind.startswith(("begin", "end")):
                continue
            words = kind.split()
            info = VariableInfo(
                label=row[lab].strip() if lab is not None else "",
                type=words[0],
                list_name=words[1] if len(words) > 1 and words[0].startswith("select_") else "",
            )
            codebook.variables[name] = info
        if "choices" in sheets:
            choice_rows = list(_sheet_rows(filename, sheets["choices"]))
            if choice_rows:
                ch = [h.lower().replace(" ", "_") for h in choice_rows[0]]
                if "list_name" in ch and "name" in ch:
                    ln, cn, cl = ch.index("list_name"), ch.index("name"), _label_column(ch)
                    for row in choice_rows[1:]:
                        row = row + [""] * (len(ch) - len(row))
                        if row[ln] and row[cn] != "":
                            codebook.choices.setdefault(row[ln], []).append(
                                {"value": row[cn], "label": row[cl] if cl is not None else ""}
                            )
    finally:
        book.close()
    return codebook


def parse_codebook(
    variables: tuple[str, bytes] | None, choices: tuple[str, bytes] | None
) -> Codebook:
    """A codebook given as CSV: ``variable,label[,list_name]`` and ``list_name,value,label``."""
    codebook = Codebook()
    if variables is not None:
        table = _read_csv(*variables)
        cols = [h.lower() for h in table.header]
        if "variable" not in cols or "label" not in cols:
            raise IngestError(
                _("%(file)s: a codebook needs the columns variable and label.")
                % {"file": variables[0]}
            )
        v, lab = cols.index("variable"), cols.index("label")
        ln = cols.index("list_name") if "list_name" in cols else None
        for row in table.rows:
            list_name = row[ln] if ln is not None else ""
            codebook.variables[row[v]] = VariableInfo(
                label=row[lab], type="select_one" if list_name else "", list_name=list_name
            )
    if choices is not None:
        table = _read_csv(*choices)
        cols = [h.lower() for h in table.header]
        if not {"list_name", "value", "label"} <= set(cols):
            raise IngestError(
                _("%(file)s: a choices list needs the columns list_name, value and label.")
                % {"file": choices[0]}
            )
        ln, val, lab = cols.index("list_name"), cols.index("value"), cols.index("label")
        for row in table.rows:
            codebook.choices.setdefault(row[ln], []).append({"value": row[val], "label": row[lab]})
    return codebook


# ---------------------------------------------------------------------- naming
#: XLSForm metadata question names (any case) and ODK Central's own columns (exact).
#: Identity-bearing metadata (phonenumber, username, simserial, subscriberid) is *not*
#: dropped quietly: it is refused like any identity column, so the evaluator removes it.
META_NAMES = frozenset(
    {"start", "end", "today", "deviceid", "instanceid", "instancename", "audit", "audit_url",
     "starttime", "endtime"}
)  # fmt: skip
ODK_CENTRAL_COLUMNS = frozenset(
    {"KEY", "SubmissionDate", "SubmitterID", "SubmitterName", "AttachmentsPresent",
     "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits", "FormVersion"}
)  # fmt: skip


def _is_meta(header: str) -> bool:
    last = header.split("/")[-1]
    return (
        last.startswith("_")
        or last.lower() in META_NAMES
        or header in ODK_CENTRAL_COLUMNS
        or header.lower().startswith(("meta/", "meta-", "meta."))
    )


def _segments(header: str, codebook: Codebook) -> list[str]:
    parts = [p for p in header.split("/") if p]
    if len(parts) == 1 and header not in codebook.variables:
        # ODK Central joins groups with "-", some Kobo settings with "."; only trust
        # that when the form knows the last part.
        for sep in ("-", "."):
            pieces = header.split(sep)
            if len(pieces) > 1 and pieces[-1] in codebook.variables:
                return pieces
    return parts or [header]


def resolve_names(headers: Sequence[str], codebook: Codebook) -> list[str]:
    """Short unique names: the last path segment, more of the path only where needed."""
    paths = [_segments(h, codebook) for h in headers]
    depth = [1] * len(paths)
    while True:
        names = ["_".join(p[-d:]) for p, d in zip(paths, depth, strict=True)]
        counts = Counter(names)
        clashes = [
            i for i, name in enumerate(names) if counts[name] > 1 and depth[i] < len(paths[i])
        ]
        if not clashes:
            break
        for i in clashes:
            depth[i] += 1
    out: list[str] = []
    used: set[str] = set()
    for name in names:
        candidate, k = name[:120], 2
        while candidate in used:
            candidate = f"{name[:115]}_{k}"
            k += 1
        used.add(candidate)
        out.append(candidate)
    return out


# ---------------------------------------------------------------------- identity
NAME_WORDS = frozenset(
    {"name", "names", "jina", "majina", "fullname", "firstname", "lastname", "surname",
     "middlename", "othername", "othernames", "nickname", "fname", "lname", "username"}
)  # fmt: skip
PLACE_WORDS = frozenset(
    {"county", "subcounty", "sub", "ward", "village", "location", "sublocation", "school",
     "facility", "organisation", "organization", "org", "group", "project", "site", "place",
     "programme", "program", "district", "division", "community", "estate", "town", "area",
     "institution", "church", "mosque", "market", "unit", "team", "list", "form", "file",
     "item", "activity", "club", "product", "brand", "station", "hospital", "region",
     "constituency", "country", "partner", "zone", "cluster", "stratum", "strata",
     "shule", "kaunti", "kijiji"}
)  # fmt: skip
PHONE_WORDS = frozenset(
    {"phone", "phones", "phonenumber", "telephone", "tel", "simu", "mobile", "msisdn",
     "cellphone", "whatsapp", "contact", "contacts"}
)  # fmt: skip
PLACE_EXACT_WORDS = frozenset(
    {"gps", "geopoint", "geotrace", "geoshape", "latitude", "longitude", "lat", "lon", "lng",
     "coordinates", "coords", "geolocation", "address", "anwani"}
)  # fmt: skip
EMAIL_WORDS = frozenset({"email", "emails", "mail"})
ID_WORDS = frozenset(
    {"idnumber", "idno", "nationalid", "passport", "huduma", "simserial", "subscriberid", "imei"}
)
ID_PAIRS = (("id", "number"), ("id", "no"), ("national", "id"), ("id", "num"))
SAFE_CODE = re.compile(r"^(yes|no|true|false|dk|dont_know|don't know|refused|na|none|\d{1,2})$")
#: Words saying *whose* name a column holds; with one of them, a place word in the column
#: name no longer makes it a place (``group_leader_name`` holds a person's name).
PERSON_WORDS = frozenset(
    {"leader", "leaders", "child", "children", "mtoto", "watoto", "mother", "father",
     "parent", "parents", "guardian", "caregiver", "caretaker", "respondent", "head", "hh",
     "teacher", "chief", "elder", "officer", "enumerator", "interviewer", "member",
     "person", "victim", "survivor", "mama", "baba", "mzazi", "mlezi", "spouse", "husband",
     "wife", "owner", "informant", "staff", "worker", "volunteer", "student", "pupil",
     "girl", "boy", "friend", "relative", "employer", "perpetrator", "supervisor", "chv",
     "chw", "beneficiary", "client", "patient", "mwalimu", "mwanafunzi", "kiongozi"}
)  # fmt: skip

_PHONE = re.compile(r"^(?:\+?254|0)[17]\d{8}$|^(?:7\d{8}|1[01]\d{7})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_GEOPOINT = re.compile(r"^-?\d{1,2}\.\d+[ ,;]+-?\d{1,3}\.\d+(?:[ ,;]+-?[\d.]+){0,2}$")
#: A Kenyan phone number anywhere in a text, digits possibly split by spaces, dots,
#: dashes or brackets (``0712.345.600``, ``+254 712-345 600``, ``(0712) 345600``).
_SEP = r"[\s.\-()]{0,3}"
_PHONE_IN_TEXT = re.compile(
    rf"(?<![\d.,])(?:(?:\+?254{_SEP}|\(?0){_SEP}[17](?:{_SEP}\d){{8}}"
    rf"|7(?:{_SEP}\d){{8}}|1[01](?:{_SEP}\d){{7}})(?![\d:])"
)
#: Starts only where a word starts, so a long cell without one costs linear time.
_EMAIL_IN_TEXT = re.compile(
    r"(?<![^\s<>()\[\],;:\"'])[^@\s<>()\[\],;:\"']+@[^@\s<>()\[\],;:\"']+\.[A-Za-z]{2,}"
)
#: A text column is refused when this share of its cells, or INLINE_MIN_CELLS cells
#: (whichever is fewer, and at least one), carry a phone number or e-mail address.
INLINE_SHARE = 0.01
INLINE_MIN_CELLS = 5

#: Joining words inside person names (Swahili, Maasai, Kalenjin, Arabic naming).
NAME_PARTICLES = frozenset({"bin", "binti", "bint", "ibn", "wa", "ole", "arap", "ya", "al", "el"})
_NAME_WORD = re.compile(r"^[^\W\d_]{2,}(?:['’\-][^\W\d_]+)*$")
#: Ordinary words that do not occur in person names: a value holding one is not a name.
COMMON_WORDS = PLACE_WORDS | frozenset(
    {"the", "an", "and", "or", "of", "to", "in", "on", "at", "for", "from", "with", "by",
     "not", "no", "yes", "is", "are", "was", "were", "be", "it", "this", "that", "my", "our",
     "their", "his", "her", "he", "she", "they", "we", "you", "me", "very", "much", "more",
     "less", "most", "some", "any", "all", "none", "other", "others", "dont", "don't",
     "know", "sure", "unsure", "agree", "disagree", "strongly", "somewhat", "neither",
     "nor", "slightly", "good", "bad", "poor", "fair", "excellent", "never", "always",
     "often", "sometimes", "rarely", "male", "female", "boy", "boys", "girl", "girls",
     "man", "woman", "men", "women", "child", "children", "adult", "adults", "urban",
     "rural", "high", "low", "medium", "primary", "secondary", "tertiary", "college",
     "university", "north", "south", "east", "west", "central", "upper", "lower", "new",
     "old", "radio", "tv", "television", "newspaper", "police", "chief", "office",
     "government", "friend", "friends", "family", "neighbour", "neighbor", "teacher",
     "parent", "parents", "mother", "father", "social", "media", "online", "internet",
     "phone", "clinic", "court", "home", "house", "household", "bay", "river", "city",
     "na", "kwa", "ni", "la", "cha", "za", "katika", "hapana", "ndiyo", "sijui", "mtoto",
     "watoto", "kanisa", "msikiti", "polisi", "nyumbani", "mzazi", "mwalimu", "hakuna",
     "sana", "kidogo"}
)  # fmt: skip
#: Distinct name-like values enough to call a column names, however often each repeats.
NAME_DISTINCT = 5


def _tokens(name: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [t for t in re.split(r"[^a-z0-9]+", spaced.lower()) if t]


def _concern_text(kind: str) -> str:
    return {
        "names": _("people's names"),
        "phones": _("phone numbers"),
        "emails": _("e-mail addresses"),
        "places": _("addresses or GPS positions"),
        "ids": _("ID numbers"),
        "gps": _("GPS positions"),
    }[kind]


def _header_kind(name: str) -> str | None:
    tokens = _tokens(name)
    token_set = set(tokens)
    joined = "".join(tokens)
    pairs = set(itertools.pairwise(tokens))
    if token_set & NAME_WORDS or joined in NAME_WORDS:
        if token_set & PLACE_WORDS and not token_set & PERSON_WORDS:
            return None
        return "names"
    if token_set & PHONE_WORDS or joined in PHONE_WORDS:
        return "phones"
    if token_set & EMAIL_WORDS or "email" in joined:
        return "emails"
    if token_set & PLACE_EXACT_WORDS:
        return "places"
    if token_set & ID_WORDS or joined in ID_WORDS or any(p in pairs for p in ID_PAIRS):
        return "ids"
    return None


def header_concern(name: str) -> str | None:
    """What the column's name suggests it holds (``None`` when nothing)."""
    kind = _header_kind(name)
    return _concern_text(kind) if kind else None


def looks_like_person(value: str) -> bool:
    """Two to four name words in any case (``AMINA SAID``, ``Mwanajuma binti Ali``)."""
    words = value.split()
    if not 2 <= len(words) <= 6:
        return False
    lowered = [w.casefold() for w in words]
    if lowered[0] in NAME_PARTICLES or lowered[-1] in NAME_PARTICLES:
        return False
    core = [w for w, low in zip(words, lowered, strict=True) if low not in NAME_PARTICLES]
    if not 2 <= len(core) <= 4:
        return False
    return all(
        _NAME_WORD.match(w)
        and w.casefold() not in COMMON_WORDS
        and (w.isupper() or w.islower() or (w[0].isupper() and w[1:] == w[1:].lower()))
        for w in core
    )


def content_concern(values: NDArray[np.object_], *, select: bool) -> str | None:
    """What the column's values look like (``None`` when nothing), over non-empty cells.

    ``select`` is true only for a column whose answers are all among the choices its
    XLSForm or codebook declares: such a column is not checked for people's names.
    """
    filled = values[values != ""]
    if filled.size == 0:
        return None
    sample = filled if filled.size <= 5000 else filled[:: max(1, filled.size // 5000)]
    cells = [str(v) for v in sample.tolist()]
    compact = [re.sub(r"[\s\-()]", "", v) for v in cells]
    share = len(cells) * CONTENT_THRESHOLD
    if sum(bool(_PHONE.match(v)) for v in compact) > share:
        return _concern_text("phones")
    if sum(bool(_EMAIL.match(v)) for v in cells) > share:
        return _concern_text("emails")
    if sum(bool(_GEOPOINT.match(v)) for v in cells) > share:
        return _concern_text("gps")
    if not select:
        people = [v for v in cells if looks_like_person(v)]
        distinct = len({p.casefold() for p in people})
        if (
            len(people) >= 3
            and len(people) > len(cells) / 2
            and (distinct >= 0.7 * len(people) or distinct >= NAME_DISTINCT)
        ):
            return _concern_text("names")
    return None


def inline_concern(values: NDArray[np.object_]) -> tuple[str, int] | None:
    """Phone numbers or e-mail addresses *inside* the cells of a text column.

    Returns what was found and the first row (counted from 1) holding one, when enough
    cells hold one (see ``INLINE_SHARE``); every cell is read, not a sample.
    """
    cells = [str(v) for v in values.tolist()]
    n = sum(1 for v in cells if v)
    if n == 0:
        return None
    needed = max(1, min(INLINE_MIN_CELLS, math.ceil(INLINE_SHARE * n)))
    for kind, pattern in (("phones", _PHONE_IN_TEXT), ("emails", _EMAIL_IN_TEXT)):
        rows = [row for row, v in enumerate(cells, start=1) if v and pattern.search(v)]
        if len(rows) >= needed:
            return _concern_text(kind), rows[0]
    return None


def _only_safe_codes(values: NDArray[np.object_]) -> bool:
    distinct = {str(v).lower() for v in np.unique(values).tolist() if v}
    return bool(distinct) and all(SAFE_CODE.match(v) for v in distinct)


def _declared_choices_hold(name: str, values: NDArray[np.object_], codebook: Codebook) -> bool:
    """True when the column is a declared select and every answer is one of its choices."""
    info = codebook.info(name)
    if info is None or info.type not in ("select_one", "select_multiple"):
        return False
    choices = codebook.choices.get(info.list_name) or []
    allowed = {str(c["value"]) for c in choices} | {str(c.get("label", "")) for c in choices}
    allowed.discard("")
    if not allowed:
        return False
    for value in np.unique(values[values != ""]).tolist():
        parts = str(value).split() if info.type == "select_multiple" else [str(value)]
        if str(value) not in allowed and not all(p in allowed for p in parts):
            return False
    return True


def screen_identity(
    columns: Sequence[tuple[str, str, NDArray[np.object_]]], codebook: Codebook
) -> list[str]:
    """Problems found in ``(name, source header, values)`` columns, one message each.

    A column whose *name* says it holds people's names is refused whatever an XLSForm or
    codebook declares about it; other identity names are let through when the column is
    a declared select or holds only yes/no or small codes (its values are still checked).
    """
    problems: list[str] = []
    for name, source, values in columns:
        declared = codebook.is_select(name)
        by_name = _header_kind(name)
        exempt = _only_safe_codes(values) or (declared and by_name != "names")
        if by_name and not exempt:
            problems.append(
                _("Column %(column)s looks like it holds %(what)s (from its name).")
                % {"column": repr(source), "what": _concern_text(by_name)}
            )
            continue
        verified = declared and _declared_choices_hold(name, values, codebook)
        by_content = content_concern(values, select=verified)
        if by_content:
            problems.append(
                _("Column %(column)s looks like it holds %(what)s (from its values).")
                % {"column": repr(source), "what": by_content}
            )
            continue
        if not _is_number(values):
            inline = inline_concern(values)
            if inline:
                problems.append(
                    _(
                        "Column %(column)s has %(what)s inside its text (first in row "
                        "%(row)d); remove them or the column."
                    )
                    % {"column": repr(source), "what": inline[0], "row": inline[1]}
                )
    return problems


# ---------------------------------------------------------------------- the whole job
NA = np.array(sorted(NA_VALUES), dtype=object)


def text_column(rows: Sequence[Sequence[str]], index: int) -> NDArray[np.object_]:
    """Column ``index`` of ``rows`` as an array of Python strings.

    Never a fixed-width ``np.str_`` array: that sizes *every* cell by the longest one, so
    one long cell in a long file would ask for gigabytes.
    """
    column = np.empty(len(rows), dtype=object)
    column[:] = [row[index] for row in rows]
    return column


@dataclass
class Variable:
    name: str
    source_name: str
    label: str
    kind: str
    choices: list[dict[str, str]]
    multiple: bool
    n_missing: int


@dataclass
class Parsed:
    variables: list[Variable]
    columns: dict[str, NDArray[np.object_]]
    n_rows: int
    dropped: list[str]

    def to_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        names = [v.name for v in self.variables]
        writer.writerow(names)
        writer.writerows(zip(*(self.columns[n].tolist() for n in names), strict=True))
        return out.getvalue()


def _is_number(values: NDArray[np.object_]) -> bool:
    filled = values[values != ""]
    if filled.size == 0:
        return False
    try:
        filled.astype(np.float64)
    except ValueError:
        return False
    return True


def parse_upload(raw: RawTable, codebook: Codebook) -> Parsed:
    """Name, screen and describe the columns of ``raw``; raise :class:`IngestError`."""
    if not raw.rows:
        raise IngestError(_("%(file)s has a header but no data rows.") % {"file": raw.source})
    keep = [i for i, h in enumerate(raw.header) if not _is_meta(h)]
    dropped = [h for h in raw.header if _is_meta(h)]
    if not keep:
        raise IngestError(
            _("%(file)s has only form metadata columns, no answers.") % {"file": raw.source}
        )
    headers = [raw.header[i] for i in keep]
    names = resolve_names(headers, codebook)
    columns: dict[str, NDArray[np.object_]] = {}
    for i, name in zip(keep, names, strict=True):
        column = text_column(raw.rows, i)
        columns[name] = np.where(np.isin(column, NA), "", column).astype(object)
    problems = screen_identity(
        [(n, h, columns[n]) for n, h in zip(names, headers, strict=True)], codebook
    )
    if problems:
        problems.append(
            ngettext(
                "Nothing was saved. Remove that column from the file (only pseudonymised "
                "data may be uploaded) and try again.",
                "Nothing was saved. Remove those columns from the file (only pseudonymised "
                "data may be uploaded) and try again.",
                len(problems),
            )
        )
        raise IngestError(problems)
    variables = [
        _describe(name, header, columns[name], codebook)
        for name, header in zip(names, headers, strict=True)
    ]
    return Parsed(variables, columns, len(raw.rows), dropped)


def _describe(name: str, header: str, values: NDArray[np.object_], codebook: Codebook) -> Variable:
    info = codebook.info(name)
    parts = header.split("/")
    label = info.label if info else ""
    choices: list[dict[str, str]] = []
    multiple = False
    n_missing = int((values == "").sum())
    if info and info.list_name:
        choices = list(codebook.choices.get(info.list_name, []))
        multiple = info.type == "select_multiple"
    elif info is None and len(parts) > 1 and codebook.is_select(parts[-2]):
        # A select_multiple dummy column such as q7/police: label it "Q7 label: Police".
        parent = codebook.variables[parts[-2]]
        choice = next(
            (c for c in codebook.choices.get(parent.list_name, []) if c["value"] == parts[-1]),
            None,
        )
        label = f"{parent.label}: {choice['label'] if choice else parts[-1]}"
    if choices or (info and info.type in ("select_one", "select_multiple")):
        kind = "categorical"
    elif _is_number(values):
        kind = "numeric"
    else:
        distinct = np.unique(values[values != ""])
        kind = "categorical" if 0 < distinct.size <= 30 else "text"
        if kind == "categorical":
            choices = [{"value": v, "label": v} for v in distinct.tolist()]
    if kind == "numeric" and not choices:
        distinct = np.unique(values[values != ""])
        if distinct.size <= 12 and all(float(v).is_integer() for v in distinct.tolist()):
            choices = [{"value": v, "label": v} for v in sorted(distinct.tolist(), key=float)]
    return Variable(name, header, label, kind, choices, multiple, n_missing)


# ---------------------------------------------------------------------- reading back
class Frame:
    """A stored dataset's columns as NumPy text arrays (``""`` = missing)."""

    def __init__(self, csv_text: str) -> None:
        reader = csv.reader(io.StringIO(csv_text, newline=""))
        header = next(reader)
        rows = list(reader)
        self.names: tuple[str, ...] = tuple(header)
        self.n_rows = len(rows)
        self._cells = {n: text_column(rows, i) for i, n in enumerate(header)}

    def __contains__(self, name: object) -> bool:
        return name in self._cells

    def text(self, name: str) -> NDArray[np.object_]:
        return self._cells[name]

    def missing(self, name: str) -> NDArray[np.bool_]:
        return np.asarray(self._cells[name] == "", dtype=np.bool_)

    def numeric(self, name: str) -> NDArray[np.float64]:
        """The column as floats (``nan`` = missing); a non-number names its row."""
        cells = self._cells[name]
        filled = np.where(cells == "", "nan", cells)
        try:
            return filled.astype(np.float64)
        except ValueError:
            for row, value in enumerate(filled.tolist(), start=1):
                try:
                    float(value)
                except ValueError:
                    raise IngestError(
                        _("Column %(column)s holds something other than a number in row %(row)d.")
                        % {"column": repr(name), "row": row}
                    ) from None
            raise
