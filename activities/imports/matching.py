"""Match the names and codes people write in spreadsheets to communes, villages and units.

Each matcher reads its reference rows once and answers every lookup from dictionaries, so a
50.000-row import makes no query per row. A name is compared by its `match_key` (NFC, case
folded, one tone-mark placement), with or without its kind prefix ("xã", "thôn", "chi bộ"),
then, only when that finds nothing, without diacritics. Whatever cannot be decided raises a
`MatchError` that says what was written, what was found and what would match.
"""

from __future__ import annotations

import datetime
import difflib
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import TypeVar

from activities.models import Commune, PartyUnit, Village
from activities.text import nfc

# A row of the reference data the matchers look up.
T = TypeVar("T", Commune, Village, PartyUnit)


class MatchError(ValueError):
    """A value that matches nothing, or more than one row; the message is for the user."""

    def __init__(
        self,
        message: str,
        *,
        value: str = "",
        candidates: Sequence = (),
        suggestions: Sequence = (),
    ):
        super().__init__(message)
        self.message = message
        self.value = value
        # The rows that matched (ambiguous) and the close ones (unknown), for a preview page.
        self.candidates = tuple(candidates)
        self.suggestions = tuple(suggestions)

    def __str__(self) -> str:
        return self.message


# --- Comparison keys --------------------------------------------------------------------

_TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")  # huyền, sắc, ngã, hỏi, nặng
_VOWELS = frozenset("aăâeêioôơuưy")
_SHAPED_VOWELS = frozenset("ăâêôơư")
# Open syllables whose mark goes on the second vowel ("hoà", "khoẻ", "thuý", "uỷ").
_MARK_ON_SECOND = frozenset({"oa", "oe", "uy"})
_WORD = re.compile(r"\w+")
# "Ð" (U+00D0) stands for "Đ" in text converted from old Vietnamese encodings.
_D_WITH_STROKE = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


def strip_accents(text: str) -> str:
    """The text without diacritics, đ written d: "Lăng Can" → "Lang Can"."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", kept.translate(_D_WITH_STROKE))


@lru_cache(maxsize=65536)
def match_key(text: str) -> str:
    """The key names are matched by: NFC, case-folded, single spaces, one tone placement.

    Old-style and new-style spellings ("Hòa"/"Hoà", "Ủy"/"Uỷ", "Thúy"/"Thuý") share a key:
    the tone mark is put on the vowel the modern rule gives it.
    """
    key = unicodedata.normalize("NFC", nfc(text).casefold()).replace("ð", "đ")
    return key if key.isascii() else _WORD.sub(_place_tone, key)


def _place_tone(word: re.Match) -> str:
    text = word.group()
    decomposed = unicodedata.normalize("NFD", text)
    tones = [ch for ch in decomposed if ch in _TONE_MARKS]
    if len(tones) != 1:
        return text
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _TONE_MARKS))
    at = _tone_position(bare)
    if at is None:
        return text
    return unicodedata.normalize("NFC", bare[: at + 1] + tones[0] + bare[at + 1 :])


def _tone_position(syllable: str) -> int | None:
    """Where the tone mark goes in a lower-case syllable written without it."""
    start = next((i for i, ch in enumerate(syllable) if ch in _VOWELS), None)
    if start is None:
        return None
    # The "u" of "qu" and the "i" of "gi" belong to the consonant when a vowel follows.
    if start == 1 and syllable[:2] in ("qu", "gi") and syllable[2:3] in _VOWELS:
        start = 2
    end = start
    while end < len(syllable) and syllable[end] in _VOWELS:
        end += 1
    shaped = [i for i in range(start, end) if syllable[i] in _SHAPED_VOWELS]
    if shaped:
        return shaped[-1]  # "ươ" takes it on the "ơ"
    if end - start == 1:
        return start
    if end < len(syllable):
        return end - 1  # a final consonant: "hoàng", "huỳnh"
    if end - start == 2:
        return start + 1 if syllable[start:end] in _MARK_ON_SECOND else start
    return start + 1  # three vowels: "ngoài", "khuỷu"


# The words people put before a name, in any case, with or without diacritics.
_PREFIXES = {
    "commune": ("thị trấn", "tt.", "tt", "xã", "x.", "phường", "p."),
    "village": ("tổ dân phố", "tdp", "tổ", "thôn", "bản", "xóm"),
    "unit": ("chi bộ", "đảng bộ", "cơ quan", "cb", "đb"),
}


def _prefix_pattern(prefixes: Iterable[str]) -> re.Pattern:
    forms = {match_key(p) for p in prefixes} | {strip_accents(match_key(p)) for p in prefixes}
    # Longest first, so "tổ dân phố" goes before "tổ"; "x." may touch the name, "xã" may not.
    alternatives = [
        re.escape(form) + (r"\s*" if form.endswith(".") else r"\s+")
        for form in sorted(forms, key=len, reverse=True)
    ]
    return re.compile("^(?:" + "|".join(alternatives) + ")")


_PREFIX_PATTERNS = {kind: _prefix_pattern(words) for kind, words in _PREFIXES.items()}


def _without_prefixes(key: str, kind: str) -> tuple[str, ...]:
    """The key, then the key with one, two... kind prefixes taken off ("Bản Chợ" stays first)."""
    pattern = _PREFIX_PATTERNS[kind]
    forms = [key]
    while (found := pattern.match(key)) and found.end() < len(key):
        key = key[found.end() :]
        forms.append(key)
    return tuple(forms)


@lru_cache(maxsize=65536)
def _search_keys(written: str, kind: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The exact keys, then the accent-less keys, to look a written name up by."""
    key = match_key(written)
    return _without_prefixes(key, kind), _without_prefixes(strip_accents(key), kind)


# --- Small helpers shared by the matchers -----------------------------------------------


# An import writes the same few names thousands of times.
_normalised = lru_cache(maxsize=65536)(nfc)


def _written(value) -> str:
    """What the cell holds, as text: Excel gives 2290.0 for a code typed as a number."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _normalised(str(value))


def _add(index: dict[str, list], key: str, row) -> None:
    rows = index.setdefault(key, [])
    if all(row is not other for other in rows):
        rows.append(row)


def _unique(rows: Iterable[T]) -> list[T]:
    seen, result = set(), []
    for row in rows:
        identity = row.pk if row.pk is not None else id(row)
        if identity not in seen:
            seen.add(identity)
            result.append(row)
    return result


def _close(key: str, index: dict[str, list[T]], order: Callable) -> list[T]:
    """Rows whose key is close to `key`: up to three names, closest first."""
    # 0.7 keeps a wrong letter or two, or a word too many, and leaves out mere look-alikes
    # ("Binh Ann" finds Bình An, not Minh Quang).
    keys = difflib.get_close_matches(key, list(index), n=3, cutoff=0.7)
    return _unique(row for k in keys for row in sorted(index[k], key=order))


def _with_suggestions(message: str, suggestions: list, label: Callable) -> str:
    if not suggestions:
        return message
    # Old and new communes of one name and code would read twice the same.
    labels = dict.fromkeys(map(label, suggestions))
    return message + " " + f"Gần giống: {_join(labels)}."


def _join(labels: Iterable[str]) -> str:
    return ", ".join(labels)


def _subject(rows: Sequence[T], written: str, key: Callable[[T], str]) -> str:
    """The name to quote: the rows' own name when they share it, otherwise what was written."""
    names = {key(row) for row in rows}
    return rows[0].name if len(names) == 1 else written


def _kind_word(rows: Sequence, fallback: str) -> str:
    kinds = {row.get_kind_display().lower() for row in rows}
    return kinds.pop() if len(kinds) == 1 else fallback


def _valid_on(row, day: datetime.date) -> bool:
    return (row.valid_from is None or row.valid_from <= day) and (
        row.valid_to is None or day <= row.valid_to
    )


def _period(row) -> str:
    """ "đến 30/06/2025", "từ 01/07/2025", both, or nothing."""
    parts = []
    if row.valid_from:
        parts.append(f"từ {row.valid_from:%d/%m/%Y}")
    if row.valid_to:
        parts.append(f"đến {row.valid_to:%d/%m/%Y}")
    return " ".join(parts)


def _labelled(head: str, *details: str) -> str:
    shown = [d for d in details if d]
    return f"{head} ({', '.join(shown)})" if shown else head


# --- Communes ---------------------------------------------------------------------------

_CODE = re.compile(r"(\d{1,5})(?:\.0+)?")
# How a former district may be written: "huyện Đồng Văn", "TP Tuyên Quang", "Đồng Văn".
_DISTRICT_PREFIX = _prefix_pattern(("huyện", "thị xã", "thành phố", "quận", "tp.", "tp"))


def _commune_order(commune: Commune):
    return (commune.valid_from or datetime.date.min, commune.code, commune.name)


def _district_keys(text: str) -> tuple[str, str]:
    """A former district's exact and accent-less keys, without "huyện", "thành phố"..."""
    key = match_key(text)
    if (found := _DISTRICT_PREFIX.match(key)) and found.end() < len(key):
        key = key[found.end() :]
    return key, strip_accents(key)


def _places(found: Sequence[Commune], *, always: bool = False) -> Callable[[Commune], str]:
    """A commune's former district (and province where they differ) for a message: only when
    the former communes among `found` are in different districts, or `always`."""
    former = [c for c in found if c.district]
    several = len({(c.district, c.province) for c in former}) > 1
    with_province = len({c.province for c in former}) > 1

    def place(commune: Commune) -> str:
        if not commune.district or not (several or always):
            return ""
        return f"{commune.district}, {commune.province}" if with_province else commune.district

    return place


class CommuneMatcher:
    """Finds a commune by GSO code or by name, choosing by date where codes or names recur,
    and by former district where former communes of one province share a name."""

    def __init__(self, communes: Iterable[Commune] | None = None):
        rows = list(Commune.objects.all() if communes is None else communes)
        self._by_pk = {c.pk: c for c in rows}
        self._by_code: dict[str, list[Commune]] = {}
        self._by_name: dict[str, list[Commune]] = {}
        self._by_plain_name: dict[str, list[Commune]] = {}
        for commune in sorted(rows, key=_commune_order):
            key = match_key(commune.name)
            _add(self._by_code, commune.code, commune)
            _add(self._by_name, key, commune)
            _add(self._by_plain_name, strip_accents(key), commune)

    def match(
        self,
        value: str | int,
        *,
        on: datetime.date | None = None,
        district: str | None = None,
    ) -> Commune:
        """The commune written as `value` ("02290", 2290, "xã Bình An"), valid `on` that day;
        `district`, a former district ("Lâm Bình"), tells apart former communes of one name
        (a commune formed in 2025 has no district and is not judged by it)."""
        written = _written(value)
        area = _written(district)
        if isinstance(on, datetime.datetime):
            on = on.date()
        if not written:
            raise MatchError("Chưa ghi xã.", value=written)
        if code_match := _CODE.fullmatch(written):
            code = code_match.group(1).zfill(5)
            if found := self._by_code.get(code):
                return self._choose(found, written, on, area, code=code)
            raise MatchError(f"Không tìm thấy xã có mã ĐVHC {code}.", value=written)
        exact, plain = _search_keys(written, "commune")
        for key in exact:
            if found := self._by_name.get(key):
                return self._choose(found, written, on, area)
        for key in plain:
            if found := self._by_plain_name.get(key):
                return self._choose(found, written, on, area, plain=True)
        suggestions = _close(plain[-1], self._by_plain_name, _commune_order)
        message = f"Không tìm thấy xã “{written}”."
        raise MatchError(
            _with_suggestions(message, suggestions, lambda c: f"{c.name} ({c.code})"),
            value=written,
            suggestions=suggestions,
        )

    def _choose(
        self,
        found: list[Commune],
        written: str,
        on: datetime.date | None,
        district: str,
        *,
        code: str | None = None,
        plain: bool = False,
    ) -> Commune:
        if district:
            found = self._in_district(found, written, district)
        if on is not None:
            valid = [c for c in found if _valid_on(c, on)]
            if not valid:
                raise self._not_valid(found, written, on)
            found = valid
        if len(found) == 1:
            return found[0]
        keys = {match_key(c.name) for c in found}
        kind = _kind_word(found, "xã, thị trấn")
        place = _places(found)
        if plain and len(keys) > 1:
            names = _join(_labelled(c.name, c.code, place(c)) for c in found)
            message = (
                f"Có {len(found)} {kind} ghi không dấu là “{written}”: {names}. "
                "Ghi tên có dấu hoặc mã ĐVHC để phân biệt."
            )
        elif code is not None:
            names = _join(_labelled(c.name, place(c), _period(c)) for c in found)
            message = (
                f"Mã ĐVHC {code} dùng cho {len(found)} {kind}: {names}. {self._hint(found, on)}"
            )
        else:
            name = _subject(found, written, lambda c: match_key(c.name))
            codes = _join(_labelled(c.code, place(c), _period(c)) for c in found)
            message = f"Có {len(found)} {kind} “{name}”: {codes}. {self._hint(found, on)}"
        raise MatchError(message, value=written, candidates=found)

    @staticmethod
    def _in_district(found: list[Commune], written: str, district: str) -> list[Commune]:
        """The former communes of `found` in that former district, with the new ones (they
        have none); an error naming where they are if none of them is there."""
        former = [c for c in found if c.district]
        if not former:
            return found
        exact, plain = _district_keys(district)
        for wanted, key_of in ((exact, match_key), (plain, lambda t: strip_accents(match_key(t)))):
            if kept := [c for c in former if key_of(c.district) == wanted]:
                return [c for c in found if not c.district or c in kept]
        kind = _kind_word(former, "xã, thị trấn")
        name = _subject(former, written, lambda c: match_key(c.name))
        place = _places(former, always=True)
        codes = _join(_labelled(c.code, place(c)) for c in former)
        message = f"Không có {kind} “{name}” thuộc huyện (cũ) “{district}”: có {codes}."
        raise MatchError(message, value=written, candidates=former)

    @staticmethod
    def _hint(found: list[Commune], on: datetime.date | None) -> str:
        ways = []
        if len({c.code for c in found}) > 1:
            ways.append("mã ĐVHC")
        if len({c.district for c in found if c.district}) > 1:
            ways.append("huyện (cũ)")
        if on is None and len({(c.valid_from, c.valid_to) for c in found}) > 1:
            ways.append("ngày")
        if not ways:
            return "Kiểm tra lại danh mục xã."
        head = ", ".join(ways[:-1])
        return f"Ghi {head + ' hoặc ' if head else ''}{ways[-1]} để phân biệt."

    def _not_valid(self, found: list[Commune], written: str, on: datetime.date) -> MatchError:
        place = _places(found)

        def label(commune: Commune) -> str:
            successor = self._by_pk.get(commune.successor_id)
            merged = (
                f"đã sáp nhập vào {successor.full_name}"
                if successor is not None and successor.pk != commune.pk
                else ""
            )
            return _labelled(commune.code, place(commune), _period(commune), merged)

        kind = _kind_word(found, "xã, thị trấn").capitalize()
        name = _subject(found, written, lambda c: match_key(c.name))
        codes = _join(map(label, found))
        message = f"{kind} “{name}” không có hiệu lực vào ngày {on:%d/%m/%Y}: {codes}."
        return MatchError(message, value=written, candidates=found)


# --- Villages ---------------------------------------------------------------------------


def _village_order(village: Village):
    return (village.commune.name, village.name, village.pk or 0)


class VillageMatcher:
    """Finds a village of a commune by name or by any of its aliases, among the villages
    that belong to the commune on the row's date (`Village.belongs_during`): a commune formed
    by the 2025 merger finds the villages carried over into it, after those recorded in it.
    """

    def __init__(self, villages: Iterable[Village] | None = None):
        rows = (
            Village.objects.select_related("commune").prefetch_related("memberships")
            if villages is None
            else villages
        )
        self._by_name: dict[str, list[Village]] = {}
        self._by_plain_name: dict[str, list[Village]] = {}
        for village in sorted(rows, key=_village_order):  # loads every village's commune now
            for name in (village.name, *village.alias_list):
                key = match_key(name)
                _add(self._by_name, key, village)
                _add(self._by_plain_name, strip_accents(key), village)

    def match(
        self, value: str, *, commune: Commune | None = None, on: datetime.date | None = None
    ) -> Village:
        """The village written as `value` ("thôn Nà Cóoc", "Na Cooc") in `commune` on the
        day `on` (without a day: on any day)."""
        written = _written(value)
        if not written:
            raise MatchError("Chưa ghi thôn, bản.", value=written)
        if (qualified := _QUALIFIED.fullmatch(written)) and commune is not None:
            name, place = qualified.groups()
            return self._match_in(name, place, written, commune, on)
        return self._match(written, commune, on)

    def _match_in(
        self, name: str, place: str, written: str, commune: Commune, on: datetime.date | None
    ) -> Village:
        """ "Số 1 (xã Thổ Bình)": the village of that name recorded in the commune in brackets,
        as the export writes a name two villages of `commune` share since the merger."""
        member = _member_of(commune, on)
        try:
            village = self._match(name, commune, on)
        except MatchError as exc:
            found = [
                v for v in exc.candidates if member(v) and _same_commune_name(v.commune, place)
            ]
            if len(found) == 1:
                return found[0]
            if exc.candidates:
                raise
            return self._match(written, commune, on)  # a name with brackets of its own
        if _same_commune_name(village.commune, place) or _same_commune_name(commune, place):
            return village
        raise MatchError(
            f"“{place}” không phải xã của thôn, bản “{village.name}”: thôn, bản này ghi "
            f"trong {village.commune.full_name}.",
            value=written,
            candidates=[village],
        )

    def _match(self, written: str, commune: Commune | None, on: datetime.date | None) -> Village:
        exact, plain = _search_keys(written, "village")
        scopes: list[Callable[[Village], bool] | None]
        if commune is None:
            scopes = [None]
        else:
            member = _member_of(commune, on)
            scopes = [lambda v: v.commune_id == commune.pk and member(v), member]
        for keys, index, is_plain in (
            (exact, self._by_name, False),
            (plain, self._by_plain_name, True),
        ):
            for scope in scopes:
                if found := self._find(keys, index, scope):
                    return self._choose(found, written, commune, plain=is_plain)
        if commune is not None and (
            elsewhere := self._find(exact, self._by_name, None)
            or self._find(plain, self._by_plain_name, None)
        ):
            raise self._elsewhere(elsewhere, written, commune)
        raise self._unknown(written, commune, plain[-1], on)

    @staticmethod
    def _find(keys: tuple[str, ...], index: dict[str, list[Village]], scope) -> list[Village]:
        for key in keys:
            found = [v for v in index.get(key, ()) if scope is None or scope(v)]
            if found:
                return found
        return []

    @staticmethod
    def _choose(
        found: list[Village], written: str, commune: Commune | None, *, plain: bool
    ) -> Village:
        if len(found) == 1:
            return found[0]
        several_communes = len({v.commune_id for v in found}) > 1
        if several_communes and commune is not None:
            # Only villages of the communes merged into `commune` can differ in commune.
            hint = (
                "Ghi xã trước sáp nhập trong ngoặc để phân biệt, ví dụ "
                f"“{village_label(found[0], True)}”."
            )
        elif several_communes:
            hint = "Ghi xã để phân biệt."
        elif plain:
            hint = "Ghi tên có dấu để phân biệt."
        else:
            hint = "Kiểm tra lại tên khác của các thôn, bản này trong danh mục."
        name = _subject(found, written, lambda v: match_key(v.name))
        names = _join(village_label(v, several_communes) for v in found)
        where = f" ở {commune.full_name}" if commune is not None else ""
        message = f"Có {len(found)} thôn, bản “{name}”{where}: {names}. {hint}"
        raise MatchError(message, value=written, candidates=found)

    @staticmethod
    def _elsewhere(found: list[Village], written: str, commune: Commune) -> MatchError:
        places = _unique(v.commune for v in found)
        kind = _kind_word(found, "thôn, bản").capitalize()
        name = _subject(found, written, lambda v: match_key(v.name))
        where = _join(c.full_name for c in places)
        message = f"{kind} “{name}” không thuộc {commune.full_name}; có ở {where}."
        return MatchError(message, value=written, candidates=found)

    def _unknown(
        self, written: str, commune: Commune | None, plain_key: str, on: datetime.date | None
    ) -> MatchError:
        if commune is None:
            index = self._by_plain_name
            message = f"Không tìm thấy thôn, bản “{written}”."
        else:
            member = _member_of(commune, on)
            index = {
                key: in_scope
                for key, villages in self._by_plain_name.items()
                if (in_scope := [v for v in villages if member(v)])
            }
            message = f"Không tìm thấy thôn, bản “{written}” ở {commune.full_name}."
        suggestions = _close(plain_key, index, _village_order)
        several_communes = len({v.commune_id for v in suggestions}) > 1 or commune is None
        return MatchError(
            _with_suggestions(message, suggestions, lambda v: village_label(v, several_communes)),
            value=written,
            suggestions=suggestions,
        )


def _member_of(commune: Commune, on: datetime.date | None) -> Callable[[Village], bool]:
    """Whether a village belongs to `commune` on the day `on` (on any day without one)."""
    start, end = (on, on) if on is not None else (datetime.date.min, datetime.date.max)
    return lambda village: village.belongs_during(commune.pk, start, end)


def village_label(village: Village, with_commune: bool) -> str:
    """ "Số 1", or "Số 1 (xã Thổ Bình)" with the commune the village is recorded in: the
    form the error messages and the activity export write, and the import reads."""
    return _labelled(village.name, village.commune.full_name if with_commune else "")


# A village written with its commune: "Số 1 (xã Thổ Bình)".
_QUALIFIED = re.compile(r"(.+?)\s*\(([^()]+)\)")


def _same_commune_name(commune: Commune, written: str) -> bool:
    """Whether `written` ("xã Thổ Bình", "Tho Binh") names `commune`."""
    return _search_keys(written, "commune")[1][-1] == _search_keys(commune.name, "commune")[1][-1]


# --- Party units ------------------------------------------------------------------------


def _unit_order(unit: PartyUnit):
    return (match_key(unit.name), unit.code)


class UnitMatcher:
    """Finds a party unit by code, full name or short name, with or without "chi bộ"."""

    def __init__(self, units: Iterable[PartyUnit] | None = None):
        rows = PartyUnit.objects.all() if units is None else units
        self._by_code: dict[str, PartyUnit] = {}
        # Searched in this order: name, name without prefix, the same two without diacritics.
        self._indexes: tuple[dict[str, list[PartyUnit]], ...] = ({}, {}, {}, {})
        for unit in sorted(rows, key=_unit_order):
            self._by_code[unit.code.casefold()] = unit
            for text in (unit.name, unit.short_name):
                if text:
                    for index, key in zip(self._indexes, self._keys(text), strict=True):
                        _add(index, key, unit)

    @staticmethod
    def _keys(text: str) -> tuple[str, str, str, str]:
        exact, plain = _search_keys(text, "unit")
        return exact[0], exact[-1], plain[0], plain[-1]

    def match(self, value: str) -> PartyUnit:
        """The unit written as `value`: "db-quan-su", "Đảng bộ Quân sự huyện", "ĐB Quân sự"."""
        written = _written(value)
        if not written:
            raise MatchError("Chưa ghi đơn vị.", value=written)
        if unit := self._by_code.get(written.casefold()):
            return unit
        keys = self._keys(written)
        for index, key in zip(self._indexes, keys, strict=True):
            found = index.get(key)
            if found and len(found) == 1:
                return found[0]
            if found:
                names = _join(map(_unit_label, found))
                message = (
                    f"Có {len(found)} đơn vị ứng với “{written}”: {names}. "
                    "Ghi tên đầy đủ hoặc mã đơn vị để phân biệt."
                )
                raise MatchError(message, value=written, candidates=found)
        close_keys = {**self._indexes[2], **self._indexes[3]}
        suggestions = _close(keys[3], close_keys, _unit_order)
        message = f"Không tìm thấy đơn vị “{written}”."
        raise MatchError(
            _with_suggestions(message, suggestions, _unit_label),
            value=written,
            suggestions=suggestions,
        )


def _unit_label(unit: PartyUnit) -> str:
    return f"{unit.name} ({unit.code})"
