"""Housing-support cases from spreadsheets, with their funding rows and helping units."""

from __future__ import annotations

import datetime
import re

from activities.imports.engine import (
    Column,
    ImportKind,
    RowErrors,
    digest,
    find_by_keys,
)
from activities.imports.kinds import _SPLIT, _day, choices
from activities.imports.matching import CommuneMatcher, MatchError, UnitMatcher, VillageMatcher
from activities.imports.sheets import SheetRow
from activities.imports.values import (
    CellError,
    parse_choice,
    parse_date,
    parse_decimal,
    parse_int,
    parse_long_text,
    parse_money,
    parse_text,
)
from activities.numbers import vn_number
from activities.periods import MERGER_DATE
from activities.text import name_key
from housing.models import STEP_DATES, Funding, HousingCase, Programme

BEFORE_MERGER = MERGER_DATE - datetime.timedelta(days=1)
STEP_HEADERS = {
    "surveyed_on": "Ngày khảo sát",
    "approved_on": "Ngày phê duyệt",
    "started_on": "Ngày khởi công",
    "completed_on": "Ngày hoàn thành",
    "handed_over_on": "Ngày bàn giao",
}
FUNDING = "Kinh phí"
# "Ngân sách tỉnh 2024: 25.000.000" — a source, a year, an amount.
_FUNDING_ITEM = re.compile(r"^(?P<source>.+?)\s+(?P<year>\d{4})\s*:\s*(?P<amount>.+)$")


class HousingCaseImport(ImportKind):
    slug = "ho-nha-o"
    label = "hộ được hỗ trợ nhà ở"
    model = HousingCase
    columns = [
        Column(
            "import_key",
            "Mã hộ",
            False,
            "NO-2024-001",
            "Không bắt buộc. Mã riêng của hộ: nhập lại tệp sẽ cập nhật đúng hộ này.",
        ),
        Column("household_head", "Chủ hộ", True, "Ma Thị Sinh"),
        Column("birth_year", "Năm sinh", False, 1962),
        Column("gender", "Giới tính", False, "Nữ", "Nam hoặc Nữ."),
        Column("ethnicity", "Dân tộc", False, "Tày"),
        Column("commune", "Xã, thị trấn", True, "02290", "Tên hoặc mã ĐVHC."),
        Column("village", "Thôn, bản", True, "Nà Cóoc"),
        Column(
            "category",
            "Đối tượng",
            True,
            "Hộ nghèo",
            "Hộ nghèo, Hộ cận nghèo, Người có công với cách mạng, Hộ khó khăn về nhà ở, Khác.",
        ),
        Column(
            "programme",
            "Chương trình",
            True,
            "Đề án của tỉnh 2021–2025",
            "Tên ngắn hoặc mã chương trình.",
        ),
        Column("work_kind", "Hình thức", True, "Sửa chữa", "Xây mới hoặc Sửa chữa."),
        Column("support_amount", "Mức hỗ trợ (đồng)", False, "25 triệu"),
        Column(
            "status",
            "Tình trạng",
            False,
            "Đã khảo sát",
            "Đã khảo sát, Đã phê duyệt, Đang thi công, Đã hoàn thành, Đã bàn giao.",
        ),
        *[
            Column(field, header, False, "15/01/2024" if field == "surveyed_on" else "")
            for field, header in STEP_HEADERS.items()
        ],
        Column("expected_completion", "Dự kiến hoàn thành", False, "30/06/2024"),
        Column("workdays", "Ngày công hỗ trợ", False, "12"),
        Column(
            "helping_units",
            "Đơn vị giúp đỡ",
            False,
            "ĐB cơ quan chính quyền",
            "Một hoặc nhiều đơn vị, cách nhau bằng dấu ;",
        ),
        Column(
            "funding",
            FUNDING,
            False,
            "Ngân sách tỉnh 2024: 25.000.000",
            "Mỗi khoản: nguồn, năm: số tiền; các khoản cách nhau bằng dấu ;",
        ),
        Column("notes", "Ghi chú", False, ""),
    ]
    tracked_fields = [
        "household_head",
        "birth_year",
        "gender",
        "ethnicity",
        "village_id",
        "category",
        "programme_id",
        "work_kind",
        "support_amount",
        "status",
        *STEP_HEADERS,
        "expected_completion",
        "workdays",
        "notes",
    ]

    def prepare(self):
        self.communes = CommuneMatcher()
        self.villages = VillageMatcher()
        self.units = UnitMatcher()
        self.programmes = {}
        for programme in Programme.objects.all():
            for label in (programme.code, programme.short_name, programme.name):
                self.programmes[name_key(label)] = programme

    def describe(self, obj) -> str:
        if not hasattr(self, "village_names"):
            from activities.models import Village

            self.village_names = {
                pk: f"{Village.Kind(kind).label} {name}"
                for pk, kind, name in Village.objects.values_list("pk", "kind", "name")
            }
        return f"{obj.household_head} ({self.village_names.get(obj.village_id, '')})"

    def match_programme(self, value) -> Programme:
        programme = self.programmes.get(name_key(parse_text(value)))
        if programme is None:
            names = "; ".join(sorted({p.short_name for p in self.programmes.values()}))
            raise MatchError(f"Không có chương trình này. Các chương trình: {names}.")
        return programme

    def parse_funding(self, value) -> list[tuple[str, int, int]]:
        items = []
        sources = {name_key(label): code for code, label in choices(Funding.Source).items()}
        sources.update({code: code for code, _ in Funding.Source.choices})
        for part in (p for p in re.split(r"\s*;\s*", parse_text(value)) if p):
            match = _FUNDING_ITEM.match(part)
            if not match:
                raise CellError(f"“{part}” không đúng dạng “Ngân sách tỉnh 2024: 25.000.000”.")
            source = sources.get(name_key(match["source"]))
            if source is None:
                raise CellError(
                    f"Không có nguồn “{match['source']}”. Các nguồn: "
                    + "; ".join(label for _, label in Funding.Source.choices)
                    + "."
                )
            items.append((source, int(match["year"]), parse_money(match["amount"]) or 0))
        return sorted(items)

    def parse(self, row: SheetRow, errors: RowErrors):
        """The case's fields, its helping units and funding, and the key it is found by."""
        village = self._village(row, errors)
        data = {
            **self._household(row, errors),
            "village_id": village.pk if village else None,
            **self._support(row, errors),
            **self._progress(row, errors),
            **self._step_dates(row, errors),
        }
        self.check_steps(row, errors, data)
        data["units"] = self._helping_units(row, errors)
        data["funding"] = self.cell(row, errors, FUNDING, self.parse_funding) or []
        return self._row_key(row, errors, data), data

    def _village(self, row: SheetRow, errors: RowErrors):
        """The village (None if not found), in its commune. Villages hang off the communes as
        they were before the 2025 merger; a case surveyed later names a new commune, which
        finds its old communes' villages too."""
        surveyed = self.cell(row, errors, "Ngày khảo sát", parse_date)
        on = surveyed or BEFORE_MERGER
        commune = self.cell(row, errors, "Xã, thị trấn", self.communes.match, required=True, on=on)
        if not commune:
            return None
        return self.cell(
            row, errors, "Thôn, bản", self.villages.match, required=True, commune=commune
        )

    def _household(self, row: SheetRow, errors: RowErrors) -> dict:
        """Who the household head is."""
        cell = self.cell
        return {
            "household_head": cell(row, errors, "Chủ hộ", parse_text, required=True),
            "birth_year": cell(row, errors, "Năm sinh", parse_int, minimum=1900, maximum=2100),
            "gender": cell(
                row, errors, "Giới tính", parse_choice, choices=choices(HousingCase.Gender)
            )
            or "",
            "ethnicity": cell(row, errors, "Dân tộc", parse_text) or "",
        }

    def _support(self, row: SheetRow, errors: RowErrors) -> dict:
        """Why and how the household is supported: category, programme, kind of work, amount."""
        cell = self.cell
        return {
            "category": cell(
                row,
                errors,
                "Đối tượng",
                parse_choice,
                required=True,
                choices=choices(HousingCase.Category),
            ),
            "programme_id": getattr(
                cell(row, errors, "Chương trình", self.match_programme, required=True), "pk", None
            ),
            "work_kind": cell(
                row,
                errors,
                "Hình thức",
                parse_choice,
                required=True,
                choices=choices(HousingCase.WorkKind),
            ),
            "support_amount": cell(row, errors, "Mức hỗ trợ (đồng)", parse_money) or 0,
        }

    def _progress(self, row: SheetRow, errors: RowErrors) -> dict:
        """Where the work stands: its step, the expected end, the workdays given, notes."""
        cell = self.cell
        return {
            "status": cell(
                row, errors, "Tình trạng", parse_choice, choices=choices(HousingCase.Status)
            )
            or HousingCase.Status.SURVEYED,
            "expected_completion": cell(row, errors, "Dự kiến hoàn thành", parse_date),
            "workdays": cell(row, errors, "Ngày công hỗ trợ", parse_decimal, places=1) or 0,
            "notes": cell(row, errors, "Ghi chú", parse_long_text) or "",
        }

    def _step_dates(self, row: SheetRow, errors: RowErrors) -> dict:
        """The day each step was reached (surveyed, approved, started, completed, handed over)."""
        return {
            field: self.cell(row, errors, header, parse_date)
            for field, header in STEP_HEADERS.items()
        }

    def _helping_units(self, row: SheetRow, errors: RowErrors) -> list[int]:
        """The units named under "Đơn vị giúp đỡ"; each name not found is reported."""
        units = []
        for name in (n for n in _SPLIT.split(parse_text(row.values.get("Đơn vị giúp đỡ"))) if n):
            try:
                units.append(self.units.match(name))
            except MatchError as exc:
                errors.add("Đơn vị giúp đỡ", name, str(exc))
        return sorted({u.pk for u in units})

    def _row_key(self, row: SheetRow, errors: RowErrors, data: dict) -> str:
        """What importing the file again finds the case by: its own code ("Mã hộ") if the
        file has one, else its village and household head."""
        own_key = self.cell(row, errors, "Mã hộ", parse_text)
        if own_key and own_key.startswith(("#", "f:", "h:")):
            return own_key
        if own_key:
            return f"f:{own_key[:60]}"
        return "h:" + digest(data["village_id"], name_key(data["household_head"] or ""))

    @staticmethod
    def check_steps(row, errors, data) -> None:
        """The database's own rules, said in words: each status has its date, in order."""
        steps = list(STEP_DATES.items())
        status = data["status"]
        for step, field in steps[1:]:
            if status == step and not data[field]:
                errors.add(
                    STEP_HEADERS[field],
                    None,
                    f"Tình trạng “{HousingCase.Status(status).label}” cần “{STEP_HEADERS[field]}”.",
                )
        dates = [(STEP_HEADERS[f], data[f]) for _, f in steps if data[f]]
        for (before, first), (after, second) in zip(dates, dates[1:], strict=False):
            if second < first:
                errors.add(
                    after, row.values.get(after), f"“{after}” phải sau hoặc bằng “{before}”."
                )

    def existing(self, keys):
        cases = HousingCase.objects.prefetch_related("funding", "helping_units")
        found = find_by_keys(cases, keys)
        hashed = [k for k in keys if k.startswith("h:")]
        if hashed:
            # A case typed in on the site has no key yet: find it by village and name.
            wanted = set(hashed)
            for case in cases.filter(import_key__isnull=True):
                key = "h:" + digest(case.village_id, name_key(case.household_head))
                if key in wanted:
                    found.setdefault(key, case)
        return found

    @staticmethod
    def _extras(case) -> dict:
        known = getattr(case, "_imported_extras", None)
        if known is not None:  # just created: known without asking the database
            return known
        return {
            "units": sorted(u.pk for u in case.helping_units.all()),
            "funding": sorted((f.source, f.year, f.amount) for f in case.funding.all()),
        }

    def snapshot(self, obj):
        values = super().snapshot(obj)
        extras = self._extras(obj)
        values["units"] = extras["units"]
        values["funding"] = [list(item) for item in extras["funding"]]
        return values

    def changes(self, obj, data):
        changed = super().changes(obj, data)
        extras = self._extras(obj)
        for name in ("units", "funding"):
            if [list(i) if isinstance(i, tuple) else i for i in extras[name]] != [
                list(i) if isinstance(i, tuple) else i for i in data[name]
            ]:
                changed[name] = (extras[name], data[name])
        return changed

    def _fields(self, data) -> dict:
        return {k: v for k, v in data.items() if k not in ("units", "funding")}

    def create(self, rows, *, user):
        cases = [
            HousingCase(
                **self._fields(row.data),
                created_by=user,
                import_key=None if row.key.startswith("#") else row.key,
            )
            for row in rows
        ]
        HousingCase.objects.bulk_create(cases, batch_size=1000)
        for case, row in zip(cases, rows, strict=True):
            vars(case)["_imported_extras"] = {k: row.data[k] for k in ("units", "funding")}
        self._write_extras(list(zip(cases, (row.data for row in rows), strict=True)))
        return cases

    def _write_extras(self, pairs) -> None:
        Funding.objects.bulk_create(
            [
                Funding(case=case, source=source, year=year, amount=amount)
                for case, data in pairs
                for source, year, amount in data["funding"]
            ]
        )
        through = HousingCase.helping_units.through
        through.objects.bulk_create(
            [
                through(housingcase_id=case.pk, partyunit_id=unit_id)
                for case, data in pairs
                for unit_id in data["units"]
            ]
        )

    def update(self, rows, *, user):
        # An import is a save like any other: a case form opened before it is then refused.
        for row in rows:
            row.existing.version += 1
        super().update(rows, user=user)
        HousingCase.objects.bulk_update(
            [row.existing for row in rows], ["version"], batch_size=1000
        )
        touched = [r for r in rows if "units" in r.changes or "funding" in r.changes]
        ids = [r.existing.pk for r in touched]
        Funding.objects.filter(case_id__in=ids).delete()
        HousingCase.helping_units.through.objects.filter(housingcase_id__in=ids).delete()
        self._write_extras([(r.existing, r.data) for r in touched])

    def restore(self, obj, old):
        units = old.pop("units", [])
        funding = old.pop("funding", [])
        obj.version += 1  # undoing an import is a save too
        super().restore(obj, old)
        obj.funding.all().delete()
        Funding.objects.bulk_create(
            [Funding(case=obj, source=s, year=y, amount=a) for s, y, a in funding]
        )
        obj.helping_units.set(units)

    def export_rows(self, queryset):
        cases = queryset.select_related("village__commune", "programme").prefetch_related(
            "funding", "helping_units"
        )
        labels = choices(Funding.Source)
        for c in cases.order_by("id").iterator(chunk_size=2000):
            yield [
                c.import_key or f"#{c.pk}",
                c.household_head,
                c.birth_year,
                c.get_gender_display() if c.gender else None,
                c.ethnicity,
                c.village.commune.code,
                c.village.name,
                c.get_category_display(),
                c.programme.code,
                c.get_work_kind_display(),
                c.support_amount,
                c.get_status_display(),
                *[_day(getattr(c, f)) for f in STEP_HEADERS],
                _day(c.expected_completion),
                vn_number(c.workdays),
                "; ".join(u.code for u in c.helping_units.all()),
                "; ".join(
                    f"{labels[f.source]} {f.year}: {vn_number(f.amount)}"
                    for f in sorted(c.funding.all(), key=lambda f: (f.source, f.year))
                ),
                c.notes,
            ]
