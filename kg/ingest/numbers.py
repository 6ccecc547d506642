"""Vietnamese numbers and dates as administrative prose writes them.

Vietnamese writes the decimal mark as a comma and groups thousands with dots ("85,27" is 85.27,
"2.305" is 2305, "13.795,50" is 13795.50), but news pages copied from other sites also use the
decimal point ("86.45%"). A dot followed by exactly three digits is read as a thousands group,
any other dot as a decimal point: a reading that never turns a score into a number a thousand
times larger. Dates come as "ngày 15 tháng 3 năm 2019" (often broken across lines in legal
texts), "15/3/2019", "15-3-2019", or without a year ("sáng 10/5"); an impossible date such as
"20/20/2020" is kept as written and given no calendar value, as the founding article's is.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from decimal import Decimal

__all__ = [
    "DATE_PATTERN",
    "ROMAN_PATTERN",
    "DateMention",
    "find_dates",
    "parse_date",
    "parse_decimal",
    "parse_integer",
    "roman",
    "word_number",
]

#: A number as Vietnamese prose writes it: digits with "." thousands groups and/or a decimal
#: mark ("," or ".").
NUMBER = r"\d+(?:\.\d{3})*(?:[.,]\d+)?"

_WORDS = {
    "một": 1,
    "nhất": 1,
    "hai": 2,
    "nhì": 2,
    "ba": 3,
    "bốn": 4,
    "tư": 4,
    "năm": 5,
    "sáu": 6,
    "bảy": 7,
    "bẩy": 7,
    "tám": 8,
    "chín": 9,
    "mười": 10,
}


def parse_decimal(text: str) -> Decimal:
    """A number as Vietnamese writes it, as an exact decimal.

    >>> parse_decimal("85,27"), parse_decimal("2.305"), parse_decimal("13.795,50")
    (Decimal('85.27'), Decimal('2305'), Decimal('13795.50'))
    >>> parse_decimal("86.45"), parse_decimal("03")
    (Decimal('86.45'), Decimal('3'))

    :raises ValueError: the text is not a number.
    """
    s = text.strip()
    if not re.fullmatch(NUMBER, s):
        raise ValueError(f"not a number: {text!r}")
    if "," in s:
        whole, _, fraction = s.rpartition(",")
        return Decimal(whole.replace(".", "") + "." + fraction)
    groups = s.split(".")
    if len(groups) > 1 and all(len(g) == 3 for g in groups[1:]):
        return Decimal("".join(groups))
    return Decimal(s)


def parse_integer(text: str) -> int:
    """A whole number, written in digits ("03", "2.650") or as a Vietnamese word ("hai").

    >>> parse_integer("03"), parse_integer("2.650"), parse_integer("nhì")
    (3, 2650, 2)

    :raises ValueError: the text is neither.
    """
    word = word_number(text)
    if word is not None:
        return word
    value = parse_decimal(text)
    if value != value.to_integral_value():
        raise ValueError(f"not a whole number: {text!r}")
    return int(value)


def word_number(text: str) -> int | None:
    """The value of a number word ("một" … "mười", "nhất", "nhì"), or None.

    >>> word_number("Ba"), word_number("bậc")
    (3, None)
    """
    return _WORDS.get(text.strip().lower())


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
#: A Roman numeral as congresses and terms are numbered ("khóa XII", "lần thứ XX").
ROMAN_PATTERN = r"\b[IVXLC]+\b"


def roman(text: str) -> int | None:
    """The value of a Roman numeral, or None when the text is not one.

    >>> roman("XII"), roman("XX"), roman("Hà")
    (12, 20, None)
    """
    if not text or any(c not in _ROMAN for c in text):
        return None
    total = 0
    for i, c in enumerate(text):
        v = _ROMAN[c]
        total += -v if i + 1 < len(text) and _ROMAN[text[i + 1]] > v else v
    return total


@dataclass(frozen=True)
class DateMention:
    """A date as a text writes it: the words, where they stand, and what they say.

    ``date`` is set only when day, month and year are all written and make a real day;
    ``year``, ``month`` and ``day`` keep whatever parts were written, so "sáng 10/5" is a day
    and a month with no year, and "20/20/2020" keeps its day and year but gives no date.
    """

    written: str
    start: int
    end: int
    day: int | None
    month: int | None
    year: int | None
    date: datetime.date | None

    @property
    def impossible(self) -> bool:
        """Day, month and year are all written, but they make no day of the calendar."""
        return (
            self.day is not None
            and self.month is not None
            and self.year is not None
            and self.date is None
        )

    @property
    def partial(self) -> str | None:
        """The ``--MM-DD`` form (xsd:gMonthDay) of a day and month written without a year."""
        known = self.year is None and self.day is not None and self.month is not None
        if known and 1 <= self.month <= 12 and 1 <= self.day <= 31:  # type: ignore[operator]
            return f"--{self.month:02d}-{self.day:02d}"
        return None


_SPACE = r"\s+"
#: "ngày 15 tháng 3 năm 2019" (any white space, new lines included), "15/3/2019", "15-3-2019",
#: "15.3.2019", and the day-month forms "10/5", "19-4" that have no year.
DATE_PATTERN = re.compile(
    r"(?:(?P<d1>\d{1,2})" + _SPACE + r"tháng" + _SPACE + r"(?P<m1>\d{1,2})"
    r"(?:" + _SPACE + r"năm" + _SPACE + r"(?P<y1>\d{4}))?)"
    r"|(?:\b(?P<d2>\d{1,2})(?P<sep>[/.-])(?P<m2>\d{1,2})(?:(?P=sep)(?P<y2>\d{4}))?\b"
    r"(?![/.-]?\d)(?!,\d)(?!\s*(?:%|điểm|km|người|đại biểu)))",
    re.IGNORECASE,
)


def _make(day: int | None, month: int | None, year: int | None) -> datetime.date | None:
    if day is None or month is None or year is None:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def find_dates(text: str) -> list[DateMention]:
    """Every date written in ``text``, with its place (character offsets).

    A day and month without a year ("10/5") is kept as such. A fraction such as "39/63" or a
    score "40,62/80" looks like a day and month; the callers decide from the words around it
    ("ngày", "sáng", "tháng") whether it is one, this function only reads the form.

    >>> [(d.written, d.date) for d in find_dates("ngày 15 tháng\\n3 năm 2019 và 05/02/2020")]
    ... # doctest: +NORMALIZE_WHITESPACE
    [('15 tháng\\n3 năm 2019', datetime.date(2019, 3, 15)),
     ('05/02/2020', datetime.date(2020, 2, 5))]
    >>> d = find_dates("vào ngày 20/20/2020")[0]
    >>> d.date, d.impossible, d.year
    (None, True, 2020)
    >>> find_dates("sáng 10/5")[0].partial
    '--05-10'
    """
    found = []
    for m in DATE_PATTERN.finditer(text):
        if m.group("d1") is not None:
            day, month = int(m.group("d1")), int(m.group("m1"))
            year = int(m.group("y1")) if m.group("y1") else None
        else:
            if m.group("y2") is None and m.group("sep") == ".":
                continue  # "8.5" is a decimal number, not a day and month
            day, month = int(m.group("d2")), int(m.group("m2"))
            year = int(m.group("y2")) if m.group("y2") else None
        found.append(
            DateMention(m.group(0), m.start(), m.end(), day, month, year, _make(day, month, year))
        )
    return found


def parse_date(text: str) -> datetime.date | None:
    """The calendar date ``text`` writes (ISO "2020-10-22" too), or None when it writes none.

    >>> parse_date("ngày 11 tháng 10 năm 2018"), parse_date("2020-10-22")
    (datetime.date(2018, 10, 11), datetime.date(2020, 10, 22))
    >>> parse_date("20/20/2020") is None
    True
    """
    s = text.strip()
    try:
        return datetime.date.fromisoformat(s)
    except ValueError:
        pass
    for found in find_dates(s):
        if found.date is not None:
            return found.date
    return None
