"""What can be imported from spreadsheets in the activities app, column by column."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

from django.db.models import Count, Prefetch

from activities import rules
from activities.figures import FIELDS, FIGURES, Figure
from activities.imports.engine import (
    Column,
    ImportKind,
    Problem,
    RowErrors,
    RowOutcome,
    digest,
    find_by_keys,
)
from activities.imports.matching import (
    CommuneMatcher,
    MatchError,
    UnitMatcher,
    VillageMatcher,
    village_label,
)
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
from activities.models import (
    Activity,
    ActivityType,
    ActivityVillage,
    Assignment,
    Commune,
    PartyUnit,
    Village,
    VillageCommune,
)
from activities.numbers import vn_number
from activities.periods import MERGER_DATE
from activities.services import local_today, village_communes_follow_merger
from activities.text import name_key

BEFORE_MERGER = MERGER_DATE - datetime.timedelta(days=1)

# The column that confirms a possible duplicate, as "Vẫn lưu" does on the form.
CONFIRM = "Vẫn nhập"
CONFIRM_KEY = "confirm_duplicate"
# The column of a figure's unit of measure, beside the figure (activities.figures).
UNIT_COLUMNS = {
    "output_unit": Column(
        "output_unit",
        "Đơn vị tính",
        False,
        "m",
        "Để trống thì lấy đơn vị tính của loại hoạt động.",
    ),
}
# Where each rule's message goes (activities.rules names the form's fields).
RULE_COLUMNS = {
    "date": "Ngày",
    "commune": "Xã, thị trấn",
    "villages": "Thôn, bản",
    **{figure.field: figure.import_header for figure in FIGURES},
    **{key: column.header for key, column in UNIT_COLUMNS.items()},
}
_YES = {"x", "có", "co", "1", "đúng", "yes"}
_NO = {"", "không", "khong", "0", "no"}


def parse_confirm(value) -> bool:
    """ "x" or "có" confirms; blank or "không" does not."""
    text = name_key(parse_text(value))
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise CellError("Ghi “x” (hoặc “có”) để xác nhận nhập dòng này, hoặc để trống.")


_SPLIT = re.compile(r"\s*[;,\n]\s*")


def choices(options) -> dict[str, str]:
    """A TextChoices' labels as plain text (they are lazy translations)."""
    return {value: str(label) for value, label in options.choices}


def commune_label(commune: Commune, communes: list[Commune]) -> str:
    """How to write a commune so that the import finds exactly it without a date: its name
    where no other commune shares it, else its code where that is unique."""
    same_name = [c for c in communes if name_key(c.name) == name_key(commune.name)]
    if len(same_name) == 1:
        return commune.name
    return commune.code


# Optional beside a commune: former communes of one province may share a name (Tả Lủng of
# Đồng Văn and of Mèo Vạc); the former district tells them apart. Files without it import
# as before (the code or a unique name still finds the commune).
FORMER_DISTRICT = "Huyện (cũ)"
FORMER_DISTRICT_COLUMN = Column(
    "former_district",
    FORMER_DISTRICT,
    False,
    "",
    "Không bắt buộc. Huyện trước 01/07/2025 của xã, để phân biệt các xã cũ trùng tên.",
)


def former_district(row: SheetRow) -> str | None:
    """The row's former district, if it has the column and wrote one."""
    return parse_text(row.values.get(FORMER_DISTRICT)) or None


def _day(value) -> str | None:
    return value.strftime("%d/%m/%Y") if value else None


def _figure_columns() -> list[Column]:
    """A column per figure, in their order, an output's unit of measure beside it."""
    columns = []
    for f in FIGURES:
        columns.append(Column(f.field, f.import_header, f.required, f.example, f.import_help))
        if f.unit_field:
            columns.append(UNIT_COLUMNS[f.unit_field])
    return columns


def _figure_cells(activity: Activity) -> list:
    """The figures' cells of an exported row, as _figure_columns() orders them: decimals
    written with a comma (47,5) as the import reads them back, whole numbers as they are."""
    cells = []
    for f in FIGURES:
        value = getattr(activity, f.field)
        cells.append(vn_number(value) if f.places and value is not None else value)
        if f.unit_field:
            cells.append(getattr(activity, f.unit_field))
    return cells


class CommuneImport(ImportKind):
    slug = "xa"
    label = "xã, thị trấn"
    model = Commune
    columns = [
        Column("code", "Mã ĐVHC", True, "02290", "Mã 5 chữ số của Tổng cục Thống kê."),
        Column("name", "Tên", True, "Bình An", "Không kèm “xã”, “thị trấn”."),
        Column("kind", "Loại", False, "Xã", "Xã, Thị trấn hoặc Phường."),
        Column("district", "Huyện", False, "Lâm Bình"),
        Column("province", "Tỉnh", True, "Tuyên Quang"),
        Column("valid_from", "Hiệu lực từ", False, "", "Để trống nếu có từ trước."),
        Column("valid_to", "Hiệu lực đến", False, "30/06/2025"),
    ]
    tracked_fields = ["name", "kind", "district", "province", "valid_to"]

    def parse(self, row: SheetRow, errors: RowErrors):
        code = self.cell(row, errors, "Mã ĐVHC", parse_text, required=True)
        if code and not re.fullmatch(r"\d{4,5}", code):
            errors.add("Mã ĐVHC", code, "Mã ĐVHC gồm 5 chữ số, ví dụ 02290.")
        data = {
            "code": (code or "").zfill(5),
            "name": self.cell(row, errors, "Tên", parse_text, required=True),
            "kind": self.cell(row, errors, "Loại", parse_choice, choices=choices(Commune.Kind))
            or Commune.Kind.XA,
            "district": self.cell(row, errors, "Huyện", parse_text) or "",
            "province": self.cell(row, errors, "Tỉnh", parse_text, required=True),
            "valid_from": self.cell(row, errors, "Hiệu lực từ", parse_date),
            "valid_to": self.cell(row, errors, "Hiệu lực đến", parse_date),
        }
        if data["valid_from"] and data["valid_to"] and data["valid_to"] < data["valid_from"]:
            errors.add(
                "Hiệu lực đến",
                row.values.get("Hiệu lực đến"),
                "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.",
            )
        return f"{data['code']}|{data['valid_from'] or ''}", data

    def existing(self, keys):
        return {f"{c.code}|{c.valid_from or ''}": c for c in Commune.objects.all()}

    def create(self, rows, *, user):
        return Commune.objects.bulk_create([Commune(**row.data) for row in rows])

    def export_rows(self, queryset):
        for c in queryset:
            yield [
                c.code,
                c.name,
                c.get_kind_display(),
                c.district,
                c.province,
                _day(c.valid_from),
                _day(c.valid_to),
            ]


FORMER = "Xã (cũ)"


def _shared_village_names() -> set[tuple[int, str]]:
    """(commune, name) of the names two villages of one commune share over time, such as the
    "Số 1" of Bình An and of Thổ Bình in the new Bình An: the export writes those villages
    with the commune they are recorded in, "Số 1 (xã Thổ Bình)", which the import reads."""
    rows = (
        VillageCommune.objects.values("commune_id", "village__name_key")
        .annotate(villages=Count("village_id", distinct=True))
        .filter(villages__gt=1)
    )
    return {(row["commune_id"], row["village__name_key"]) for row in rows}


def _membership_rows(village: Village) -> list[list]:
    """A village's communes over time as the import compares them: [commune, from, to]."""
    return [[m.commune_id, _iso(m.valid_from), _iso(m.valid_to)] for m in village.memberships.all()]


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


class VillageImport(ImportKind):
    """Villages, each with its commune now and, after the 2025 merger, the commune it was
    in before ("Xã (cũ)"): a row with both sets the village's communes over time (a village
    of a divided commune may go to a commune other than the main successor). A file
    without that column is read as before: the commune the village is recorded in."""

    slug = "thon"
    label = "thôn, bản, tổ dân phố"
    model = Village
    columns = [
        Column(
            "commune",
            "Xã, thị trấn",
            True,
            "02296",
            "Tên hoặc mã ĐVHC của xã hiện nay của thôn. Nếu để trống cột “Xã (cũ)”: "
            "xã của thôn trước 01/07/2025 (hoặc vào ngày “Hiệu lực từ”).",
        ),
        Column("name", "Tên thôn", True, "Nà Cóoc", "Không kèm “thôn”, “bản”."),
        Column("kind", "Loại", False, "Thôn", "Thôn, Bản hoặc Tổ dân phố."),
        Column("aliases", "Tên khác", False, "Na Cooc", "Các cách viết khác, cách nhau bằng dấu ;"),
        Column(
            "valid_from",
            "Hiệu lực từ",
            False,
            "",
            "Để trống nếu có từ trước 01/07/2025 (thôn thuộc xã trước sáp nhập).",
        ),
        Column(
            "former",
            FORMER,
            False,
            "02290",
            "Xã trước sáp nhập (đến 30/06/2025), nếu thôn chuyển sang xã ở cột "
            "“Xã, thị trấn” từ 01/07/2025. Để trống nếu thôn không đổi xã.",
        ),
    ]
    tracked_fields = ["kind", "aliases", "valid_from"]

    def prepare(self):
        self.communes = CommuneMatcher()
        self.by_name: dict[str, list[Village]] = {}
        for village in Village.objects.select_related("commune").prefetch_related("memberships"):
            self.by_name.setdefault(village.name_key, []).append(village)

    def parse(self, row, errors):
        valid_from = self.cell(row, errors, "Hiệu lực từ", parse_date)
        former = self.cell(row, errors, FORMER, self.communes.match, on=BEFORE_MERGER)
        # Without a former commune a village belongs to its commune as it was before the
        # merger (or on its first day); with one, the commune is the one it went to.
        day = former.valid_to + datetime.timedelta(days=1) if former and former.valid_to else None
        commune = self.cell(
            row,
            errors,
            "Xã, thị trấn",
            self.communes.match,
            required=True,
            on=day or valid_from or BEFORE_MERGER,
        )
        name = self.cell(row, errors, "Tên thôn", parse_text, required=True)
        aliases = self.cell(row, errors, "Tên khác", parse_long_text) or ""
        data = {
            "commune_id": (former or commune).pk if commune else None,
            "name": name,
            "kind": self.cell(row, errors, "Loại", parse_choice, choices=choices(Village.Kind))
            or Village.Kind.THON,
            "aliases": "\n".join(a for a in _SPLIT.split(aliases) if a),
            "valid_from": valid_from,
        }
        if former and commune and former.pk != commune.pk:
            data["memberships"] = self.moved(row, errors, former=former, commune=commune)
        if former or commune is None or name is None:
            return f"{data['commune_id']}|{name_key(name or '')}", data
        return self.key_in_commune(row, errors, commune, name, valid_from), data

    @staticmethod
    def moved(row, errors, *, former: Commune, commune: Commune) -> list[list]:
        """The communes of a village that went from `former` to `commune`."""
        if former.valid_to is None:
            errors.add(
                FORMER,
                row.values.get(FORMER),
                f"{former.full_name.capitalize()} vẫn còn hiệu lực; chỉ ghi “{FORMER}” khi "
                "thôn đã chuyển sang xã mới.",
            )
            return []
        moved_on = former.valid_to + datetime.timedelta(days=1)
        return [
            [former.pk, _iso(former.valid_from), _iso(former.valid_to)],
            [commune.pk, _iso(moved_on), _iso(commune.valid_to)],
        ]

    def key_in_commune(self, row, errors, commune: Commune, name: str, valid_from) -> str:
        """The key of the village of that name in `commune` on the row's day, found by its
        communes over time (Nà Cóoc is in the new Bình An too); a new one if none."""
        day = valid_from or BEFORE_MERGER
        found = [
            v
            for v in self.by_name.get(name_key(name), [])
            if v.belongs_during(commune.pk, day, day)
        ]
        if len(found) > 1:
            places = "; ".join(f"{v.name} ({v.commune.full_name})" for v in found)
            errors.add(
                "Tên thôn",
                name,
                f"Có {len(found)} thôn “{name}” ở {commune.full_name}: {places}. "
                f"Ghi “{FORMER}” để phân biệt.",
            )
        if len(found) == 1:
            return f"{found[0].commune_id}|{found[0].name_key}"
        return f"{commune.pk}|{name_key(name)}"

    def existing(self, keys):
        villages = Village.objects.prefetch_related("memberships")
        return {f"{v.commune_id}|{v.name_key}": v for v in villages}

    def changes(self, obj, data):
        changed = super().changes(obj, data)
        old = _membership_rows(obj)
        if "memberships" in data and old != data["memberships"]:
            changed["memberships"] = (old, data["memberships"])
        return changed

    def snapshot(self, obj):
        # The communes over time too, so that undo puts back periods a row corrected. Read
        # where they were fetched with the village (an update's and undo's): a village the
        # import creates is deleted whole by undo.
        values = super().snapshot(obj)
        if "memberships" in getattr(obj, "_prefetched_objects_cache", {}):
            values["memberships"] = _membership_rows(obj)
        return values

    def stored(self, pks):
        return super().stored(pks).prefetch_related("memberships")

    def restore(self, obj, old):
        old = dict(old)
        memberships = old.pop("memberships", None)
        super().restore(obj, old)
        if memberships is not None:
            self.set_memberships([(obj, {"memberships": memberships})])

    def create(self, rows, *, user):
        # Bulk inserts skip save() and pre_save: fill the comparison key and the communes.
        objects = [
            Village(
                **{k: v for k, v in row.data.items() if k != "memberships"},
                name_key=name_key(row.data["name"]),
            )
            for row in rows
        ]
        created = Village.objects.bulk_create(objects)
        self.set_memberships(zip(created, (row.data for row in rows), strict=True))
        village_communes_follow_merger(Village.objects.filter(pk__in=[v.pk for v in created]))
        return created

    def update(self, rows, *, user):
        super().update(rows, user=user)
        self.set_memberships((row.stored, row.data) for row in rows)

    @staticmethod
    def set_memberships(pairs) -> None:
        """Replace the communes over time of the villages whose row gives them."""
        moved = {v.pk: data["memberships"] for v, data in pairs if "memberships" in data}
        VillageCommune.objects.filter(village_id__in=list(moved)).delete()
        VillageCommune.objects.bulk_create(
            VillageCommune(
                village_id=pk,
                commune_id=commune_id,
                valid_from=datetime.date.fromisoformat(start) if start else None,
                valid_to=datetime.date.fromisoformat(end) if end else None,
            )
            for pk, rows in moved.items()
            for commune_id, start, end in rows
        )

    def export_rows(self, queryset):
        communes = list(Commune.objects.all())
        by_pk = {c.pk: c for c in communes}
        for v in queryset.select_related("commune").prefetch_related("memberships"):
            # The commune it belongs to last; the one it is recorded in when it moved.
            last = by_pk[v.memberships.all()[len(v.memberships.all()) - 1].commune_id]
            moved = last.pk != v.commune_id
            yield [
                commune_label(last if moved else v.commune, communes),
                v.name,
                v.get_kind_display(),
                "; ".join(v.alias_list),
                _day(v.valid_from),
                commune_label(v.commune, communes) if moved else "",
            ]


class UnitImport(ImportKind):
    """Organisations and units. The tree and validity columns are optional: a file without
    them (the former template) imports as before and leaves those values as they are."""

    slug = "don-vi"
    label = "tổ chức, đơn vị"
    model = PartyUnit
    columns = [
        Column("code", "Mã", True, "db-co-quan-chinh-quyen", "Chữ thường không dấu, gạch nối."),
        Column("name", "Tên", True, "Đảng bộ cơ quan chính quyền huyện"),
        Column("short_name", "Tên viết tắt", True, "ĐB cơ quan chính quyền"),
        Column(
            "kind",
            "Loại",
            False,
            "Đảng bộ cơ quan",
            "Tỉnh ủy, Ban của Tỉnh ủy, Đảng bộ trực thuộc Tỉnh ủy, Huyện ủy, Đảng ủy xã, "
            "phường, Đảng bộ cơ quan, Chi bộ hoặc Cơ quan, đơn vị.",
        ),
        Column(
            "parent",
            "Mã cấp trên",
            False,
            "",
            "Mã của tổ chức cấp trên đã có, ví dụ huyen-uy-lam-binh.",
        ),
        Column("valid_from", "Hiệu lực từ", False, ""),
        Column("valid_to", "Hiệu lực đến", False, "30/06/2025", "Để trống nếu còn hoạt động."),
        Column(
            "commune",
            "Xã",
            False,
            "",
            "Chỉ ghi cho Đảng ủy xã và chi bộ thuộc xã: xã của tổ chức (không cần phân công).",
        ),
    ]
    tracked_fields = [
        "name",
        "short_name",
        "kind",
        "parent_id",
        "valid_from",
        "valid_to",
        "commune_id",
    ]

    def prepare(self):
        self.parents = {u.code: u.pk for u in PartyUnit.objects.only("code")}
        self.communes = CommuneMatcher()

    def parse(self, row, errors):
        code = self.cell(row, errors, "Mã", parse_text, required=True)
        if code and not re.fullmatch(r"[-a-z0-9_]+", code):
            errors.add("Mã", code, "Mã chỉ gồm chữ thường không dấu, số và dấu gạch nối.")
        data = {
            "code": code,
            "name": self.cell(row, errors, "Tên", parse_text, required=True),
            "short_name": self.cell(row, errors, "Tên viết tắt", parse_text, required=True),
            "kind": self.cell(row, errors, "Loại", parse_choice, choices=choices(PartyUnit.Kind))
            or PartyUnit.Kind.CHI_BO,
        }
        return code, data | self.tree_values(row, errors, code)

    def tree_values(self, row, errors, code: str | None) -> dict:
        """The optional columns the file has (one it lacks leaves the stored value)."""
        present = row.values.keys()
        data: dict = {}
        if "Hiệu lực từ" in present:
            data["valid_from"] = self.cell(row, errors, "Hiệu lực từ", parse_date)
        if "Hiệu lực đến" in present:
            data["valid_to"] = self.cell(row, errors, "Hiệu lực đến", parse_date)
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            errors.add(
                "Hiệu lực đến",
                row.values.get("Hiệu lực đến"),
                "Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.",
            )
        if "Mã cấp trên" in present:
            data["parent_id"] = self.cell(row, errors, "Mã cấp trên", self.parent_of, code=code)
        if "Xã" in present:
            commune = self.cell(row, errors, "Xã", self.communes.match, on=start or end)
            data["commune_id"] = commune.pk if commune else None
        return data

    def parent_of(self, value, *, code: str | None) -> int:
        parent_code = parse_text(value)
        if parent_code == code:
            raise CellError("Một tổ chức không thể là cấp trên của chính nó.")
        if parent_code not in self.parents:
            raise CellError(
                f"Chưa có tổ chức mã “{parent_code}”. Nhập tổ chức cấp trên trước (lần nhập "
                "trước hoặc thêm trong trang quản trị)."
            )
        return self.parents[parent_code]

    def existing(self, keys):
        return {u.code: u for u in PartyUnit.objects.all()}

    def create(self, rows, *, user):
        objects = [PartyUnit(**row.data, name_key=name_key(row.data["name"])) for row in rows]
        return PartyUnit.objects.bulk_create(objects)

    def export_rows(self, queryset):
        for u in queryset.select_related("parent", "commune"):
            yield [
                u.code,
                u.name,
                u.short_name,
                u.get_kind_display(),
                u.parent.code if u.parent else "",
                u.valid_from,
                u.valid_to,
                u.commune.code if u.commune else "",
            ]


class AssignmentImport(ImportKind):
    slug = "phan-cong"
    label = "phân công phụ trách"
    model = Assignment
    columns = [
        Column("unit", "Đơn vị", True, "Đảng bộ cơ quan chính quyền huyện"),
        Column("commune", "Xã, thị trấn", True, "Bình An"),
        Column("decision_number", "Số quyết định", False, "125-QĐ/HU"),
        Column("decision_date", "Ngày quyết định", False, "01/09/2021"),
        Column("start", "Từ ngày", True, "10/09/2021"),
        Column("end", "Đến ngày", False, "30/06/2025"),
        FORMER_DISTRICT_COLUMN,  # last: files laid out before it keep their columns
    ]
    tracked_fields = ["decision_number", "decision_date", "end"]

    def prepare(self):
        self.units = UnitMatcher()
        self.communes = CommuneMatcher()

    def parse(self, row, errors):
        start = self.cell(row, errors, "Từ ngày", parse_date, required=True)
        unit = self.cell(row, errors, "Đơn vị", self.units.match, required=True)
        commune = self.cell(
            row,
            errors,
            "Xã, thị trấn",
            self.communes.match,
            required=True,
            on=start,
            district=former_district(row),
        )
        data = {
            "unit_id": unit.pk if unit else None,
            "commune_id": commune.pk if commune else None,
            "decision_number": self.cell(row, errors, "Số quyết định", parse_text) or "",
            "decision_date": self.cell(row, errors, "Ngày quyết định", parse_date),
            "start": start,
            "end": self.cell(row, errors, "Đến ngày", parse_date),
        }
        if start and data["end"] and data["end"] < start:
            errors.add(
                "Đến ngày", row.values.get("Đến ngày"), "“Đến ngày” phải sau hoặc bằng “Từ ngày”."
            )
        return f"{data['unit_id']}|{data['commune_id']}|{start}", data

    def existing(self, keys):
        return {f"{a.unit_id}|{a.commune_id}|{a.start}": a for a in Assignment.objects.all()}

    def create(self, rows, *, user):
        return Assignment.objects.bulk_create([Assignment(**row.data) for row in rows])

    def export_rows(self, queryset):
        for a in queryset.select_related("unit", "commune"):
            yield [
                a.unit.code,
                a.commune.code,
                a.decision_number,
                _day(a.decision_date),
                _day(a.start),
                _day(a.end),
                a.commune.district,
            ]


class ActivityImport(ImportKind):
    slug = "hoat-dong"
    label = "hoạt động"
    model = Activity
    columns = [
        Column(
            "import_key",
            "Mã dòng",
            False,
            "HD-2024-001",
            "Không bắt buộc. Mã riêng của dòng: nhập lại tệp sẽ cập nhật đúng dòng này.",
        ),
        Column("date", "Ngày", True, "15/06/2024", "Ngày/tháng/năm."),
        Column(
            "unit",
            "Đơn vị",
            True,
            "Đảng bộ cơ quan chính quyền huyện",
            "Tên, tên viết tắt hoặc mã đơn vị.",
        ),
        Column("commune", "Xã, thị trấn", True, "Bình An", "Tên hoặc mã ĐVHC."),
        Column(
            "villages",
            "Thôn, bản",
            True,
            "Nà Cóoc",
            "Một hoặc nhiều thôn của xã, cách nhau bằng dấu ;",
        ),
        Column("activity_type", "Loại hoạt động", True, "Làm đường bê tông thôn, bản"),
        Column("description", "Nội dung", False, "Đổ bê tông đường thôn"),
        *_figure_columns(),
        Column(
            "confirm_duplicate",
            CONFIRM,
            False,
            "",
            "Để trống. Ghi “x” (hoặc “có”) chỉ khi bản xem trước báo dòng có thể trùng với "
            "một hoạt động đã có (cùng ngày, xã, đơn vị, loại hoạt động) và đây đúng là một "
            "hoạt động khác, như “Vẫn lưu” trên trang thêm hoạt động.",
        ),
    ]
    tracked_fields = [
        "date",
        "unit_id",
        "commune_id",
        "activity_type_id",
        "description",
        *FIELDS,
    ]

    def prepare(self):
        self.units = UnitMatcher()
        self.communes = CommuneMatcher()
        self.villages = VillageMatcher()
        self.types = {}
        for kind in ActivityType.objects.all():
            self.types[name_key(kind.name)] = kind
            self.types[kind.code] = kind
        self.assignments = rules.LoadedAssignments()
        self.today = local_today()
        self.unit_names = dict(PartyUnit.objects.values_list("pk", "short_name"))
        self.commune_names = dict(Commune.objects.values_list("pk", "name"))

    def describe(self, obj) -> str:
        return (
            f"{obj.date:%d/%m/%Y} · {self.unit_names.get(obj.unit_id, '')} · "
            f"{self.commune_names.get(obj.commune_id, '')}"
        )

    @staticmethod
    def _quiet(match, value):
        try:
            return match(value) if value not in (None, "") else None
        except MatchError:
            return None

    def match_type(self, value) -> ActivityType:
        text = parse_text(value)
        kind = self.types.get(name_key(text)) or self.types.get(text)
        if kind is None:
            names = "; ".join(sorted({t.name for t in self.types.values()}))
            raise MatchError(f"Không có loại hoạt động này. Các loại hiện có: {names}.")
        return kind

    def parse_villages(self, row, errors, commune, day) -> list[Village]:
        """The row's villages, each of the commune on the activity's day."""
        villages = []
        names = [n for n in _SPLIT.split(parse_text(row.values.get("Thôn, bản"))) if n]
        if not names:
            errors.add("Thôn, bản", None, "Cột “Thôn, bản” không được để trống.")
        for village_name in names if commune else []:  # without a commune, said already
            try:
                villages.append(self.villages.match(village_name, commune=commune, on=day))
            except MatchError as exc:
                errors.add("Thôn, bản", village_name, str(exc))
        return villages

    def check_rules(self, row, errors, *, data, unit, commune, kind, villages) -> None:
        """The form's rules (activities.rules), each message under its column; what the
        cells could not read is None, said already and not judged again."""
        data_errors = rules.activity_rules_check(
            unit=unit,
            day=data["date"],
            commune=commune,
            villages=villages,
            figures={f.field: data[f.field] for f in FIGURES},
            # Without a type (said already) there is no usual unit to fall back on.
            output_quantity=data["output_quantity"] if kind else None,
            output_unit=data["output_unit"],
            today=self.today,
            assignments=self.assignments,
        )
        said = {p.column for p in errors.problems}
        for name, messages in data_errors.items():
            header = RULE_COLUMNS[name]
            if name == "villages" and (commune is None or header in said):
                continue
            for message in messages:
                errors.add(header, row.values.get(header), message)

    def parse(self, row, errors):
        """The row's activity, read in steps: where and when, what, the figures; then the
        form's rules and the row's key."""
        day, unit, commune = self.parse_place(row, errors)
        kind = self.cell(row, errors, "Loại hoạt động", self.match_type, required=True)
        villages = self.parse_villages(row, errors, commune, day)
        data = {
            "date": day,
            "unit_id": unit.pk if unit else None,
            "commune_id": commune.pk if commune else None,
            "activity_type_id": kind.pk if kind else None,
            "description": self.cell(row, errors, "Nội dung", parse_long_text) or "",
            **self.parse_figures(row, errors, kind),
            "villages": sorted({v.pk for v in villages}),
            CONFIRM_KEY: bool(self.cell(row, errors, CONFIRM, parse_confirm)),
        }
        self.check_rules(
            row, errors, data=data, unit=unit, commune=commune, kind=kind, villages=villages
        )
        return self.row_key(row, errors, data), data

    def parse_place(self, row, errors) -> tuple:
        """(day, unit, commune); a commune is matched as it was on the day."""
        day = self.cell(row, errors, "Ngày", parse_date, required=True)
        unit = self.cell(row, errors, "Đơn vị", self.units.match, required=True)
        if day is None and row.values.get("Ngày") not in (None, ""):
            # The date is wrong (already said): a commune that needs it to be told apart
            # from its namesake is not a second error.
            commune = self._quiet(self.communes.match, row.values.get("Xã, thị trấn"))
        else:
            commune = self.cell(
                row,
                errors,
                "Xã, thị trấn",
                self.communes.match,
                required=True,
                on=day,
                district=former_district(row),
            )
        return day, unit, commune

    def parse_figures(self, row, errors, kind) -> dict:
        """Each figure's cell by Activity field, and an output's unit of measure: the one
        written, else the type's usual unit."""
        values = {}
        for figure in FIGURES:
            value = self.parse_figure(row, errors, figure)
            values[figure.field] = value
            if figure.unit_field:
                header = UNIT_COLUMNS[figure.unit_field].header
                written = self.cell(row, errors, header, parse_text) or ""
                values[figure.unit_field] = rules.output_unit_for(
                    quantity=value, unit=written, kind=kind
                )
        return values

    def parse_figure(self, row, errors, figure: Figure):
        """One figure's cell: money, a decimal or a whole number within the figure's bound;
        empty is its default (0), or an error if it is required."""
        parser: Callable[..., object]
        if figure.is_money:
            parser, options = parse_money, {}
        elif figure.places:
            parser, options = parse_decimal, {"places": figure.places, "maximum": figure.maximum}
        else:
            parser, options = parse_int, {"maximum": figure.maximum}
        value = self.cell(
            row, errors, figure.import_header, parser, required=figure.required, **options
        )
        if figure.default is None:
            return value
        return value or figure.default

    def row_key(self, row, errors, data: dict) -> str:
        """The key that finds the row again on the next import: its own "Mã dòng", the one
        an export wrote, else a digest of what makes the outing."""
        own_key = self.cell(row, errors, "Mã dòng", parse_text)
        if own_key and len(own_key) > 60:
            errors.add("Mã dòng", own_key, "Mã dòng dài quá 60 ký tự.")
        if own_key and own_key.startswith(("#", "f:", "h:")):
            return own_key  # a key this application wrote on export
        if own_key:
            return f"f:{own_key}"
        # The same values as ever, so that a file imported before finds its rows again.
        return "h:" + digest(
            data["unit_id"],
            data["date"],
            data["commune_id"],
            data["villages"],
            data["activity_type_id"],
            data["cadre_participations"],
            data["people_participations"],
            data["description"],
        )

    def review(self, rows: list[RowOutcome]) -> None:
        """The possible duplicate, as the form's "Vẫn lưu": a row that would create (or move
        a stored activity onto) the same unit, day, commune and type as a stored activity or
        an earlier row of the file is refused until its "Vẫn nhập" cell confirms it."""
        moved_fields = {"date", "unit_id", "commune_id", "activity_type_id"}
        first_row: dict[rules.DuplicateKey, int] = {}
        checked: list[tuple[RowOutcome, rules.DuplicateKey]] = []
        for row in rows:
            key = rules.duplicate_key(
                unit_id=row.data["unit_id"],
                day=row.data["date"],
                commune_id=row.data["commune_id"],
                activity_type_id=row.data["activity_type_id"],
            )
            earlier = first_row.setdefault(key, row.number)
            moves = row.existing is None or moved_fields.intersection(row.changes)
            if not moves or row.data[CONFIRM_KEY]:
                continue
            if earlier != row.number:
                message = rules.import_sibling_message(number=earlier, confirm_header=CONFIRM)
                row.problems.append(Problem(CONFIRM, None, message))
            else:
                checked.append((row, key))
        # An activity the file moves elsewhere (or back onto itself) is no duplicate.
        stored = rules.possible_duplicates(
            [key for _, key in checked],
            exclude_pks=[row.existing.pk for row, _ in checked if row.existing is not None],
        )
        for row, key in checked:
            if key in stored:
                message = rules.import_duplicate_message(
                    activity=stored[key], confirm_header=CONFIRM
                )
                row.problems.append(Problem(CONFIRM, None, message))

    def existing(self, keys):
        links = Prefetch(
            "village_links", queryset=ActivityVillage.objects.only("activity_id", "village_id")
        )
        return find_by_keys(Activity.objects.all().prefetch_related(links), keys)

    def snapshot(self, obj):
        values = super().snapshot(obj)
        # Just created: the villages are known, no need to ask the database for each row.
        known = getattr(obj, "_imported_villages", None)
        values["villages"] = (
            known
            if known is not None
            else sorted(link.village_id for link in obj.village_links.all())
        )
        return values

    def changes(self, obj, data):
        changed = super().changes(obj, data)
        old = sorted(link.village_id for link in obj.village_links.all())
        if old != data["villages"]:
            changed["villages"] = (old, data["villages"])
        return changed

    def create(self, rows, *, user):
        objects = []
        for row in rows:
            values = {k: v for k, v in row.data.items() if k not in ("villages", CONFIRM_KEY)}
            key = None if row.key.startswith("#") else row.key
            activity = Activity(**values, import_key=key, created_by=user)
            vars(activity)["_imported_villages"] = row.data["villages"]
            objects.append(activity)
        Activity.objects.bulk_create(objects, batch_size=1000)
        ActivityVillage.objects.bulk_create(
            [
                ActivityVillage(activity_id=activity.pk, village_id=village_id)
                for activity, row in zip(objects, rows, strict=True)
                for village_id in row.data["villages"]
            ],
            batch_size=2000,
        )
        return objects

    def update(self, rows, *, user):
        for row in rows:
            row.existing.version += 1
        super().update(rows, user=user)
        Activity.objects.bulk_update([row.existing for row in rows], ["version"], batch_size=1000)
        moved = [row for row in rows if "villages" in row.changes]
        ActivityVillage.objects.filter(activity_id__in=[r.existing.pk for r in moved]).delete()
        ActivityVillage.objects.bulk_create(
            [
                ActivityVillage(activity_id=row.existing.pk, village_id=village_id)
                for row in moved
                for village_id in row.data["villages"]
            ]
        )

    def restore(self, obj, old):
        villages = old.pop("villages", None)
        obj.version += 1  # undoing an import is a save too
        super().restore(obj, old)
        if villages is not None:
            obj.villages.set(villages)

    def export_rows(self, queryset):
        activities = queryset.select_related("unit", "commune", "activity_type").prefetch_related(
            "villages"
        )
        shared = _shared_village_names()
        for a in activities.order_by("date", "id").iterator(chunk_size=2000):
            yield [
                a.import_key or f"#{a.pk}",
                _day(a.date),
                a.unit.code,
                a.commune.code,
                "; ".join(
                    village_label(v, (a.commune_id, v.name_key) in shared) for v in a.villages.all()
                ),
                a.activity_type.name,
                a.description,
                *_figure_cells(a),
                None,  # "Vẫn nhập": a stored activity needs no confirmation
            ]
