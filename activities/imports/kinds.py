"""What can be imported from spreadsheets in the activities app, column by column."""

from __future__ import annotations

import datetime
import re

from django.db.models import Prefetch

from activities import rules
from activities.imports.engine import (
    Column,
    ImportKind,
    Problem,
    RowErrors,
    RowOutcome,
    digest,
    find_by_keys,
)
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
from activities.models import (
    Activity,
    ActivityType,
    ActivityVillage,
    Assignment,
    Commune,
    PartyUnit,
    Village,
)
from activities.numbers import vn_number
from activities.periods import MERGER_DATE
from activities.rules import MAX_CADRES, MAX_PEOPLE
from activities.services import local_today
from activities.text import name_key

BEFORE_MERGER = MERGER_DATE - datetime.timedelta(days=1)

# The column that confirms a possible duplicate, as "Vẫn lưu" does on the form.
CONFIRM = "Vẫn nhập"
CONFIRM_KEY = "confirm_duplicate"
# Where each rule's message goes (activities.rules names the form's fields).
RULE_COLUMNS = {
    "date": "Ngày",
    "commune": "Xã, thị trấn",
    "villages": "Thôn, bản",
    "cadre_participations": "Lượt cán bộ, đảng viên",
    "people_participations": "Lượt nhân dân",
    "output_unit": "Đơn vị tính",
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


def _day(value) -> str | None:
    return value.strftime("%d/%m/%Y") if value else None


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


class VillageImport(ImportKind):
    slug = "thon"
    label = "thôn, bản, tổ dân phố"
    model = Village
    columns = [
        Column("commune", "Xã, thị trấn", True, "02290", "Tên hoặc mã ĐVHC của xã."),
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
    ]
    tracked_fields = ["kind", "aliases", "valid_from"]

    def prepare(self):
        self.communes = CommuneMatcher()

    def parse(self, row, errors):
        valid_from = self.cell(row, errors, "Hiệu lực từ", parse_date)
        # Without a date a village belongs to its commune as it was before the merger.
        commune = self.cell(
            row,
            errors,
            "Xã, thị trấn",
            self.communes.match,
            required=True,
            on=valid_from or BEFORE_MERGER,
        )
        name = self.cell(row, errors, "Tên thôn", parse_text, required=True)
        aliases = self.cell(row, errors, "Tên khác", parse_long_text) or ""
        data = {
            "commune_id": commune.pk if commune else None,
            "name": name,
            "kind": self.cell(row, errors, "Loại", parse_choice, choices=choices(Village.Kind))
            or Village.Kind.THON,
            "aliases": "\n".join(a for a in _SPLIT.split(aliases) if a),
            "valid_from": valid_from,
        }
        return f"{data['commune_id']}|{name_key(name or '')}", data

    def existing(self, keys):
        return {f"{v.commune_id}|{v.name_key}": v for v in Village.objects.all()}

    def create(self, rows, *, user):
        # Bulk inserts skip pre_save: fill the comparison key here.
        objects = [Village(**row.data, name_key=name_key(row.data["name"])) for row in rows]
        return Village.objects.bulk_create(objects)

    def export_rows(self, queryset):
        communes = list(Commune.objects.all())
        for v in queryset.select_related("commune"):
            yield [
                commune_label(v.commune, communes),
                v.name,
                v.get_kind_display(),
                "; ".join(v.alias_list),
            ]


class UnitImport(ImportKind):
    slug = "don-vi"
    label = "đơn vị"
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
            "Chi bộ, Đảng bộ cơ quan hoặc Cơ quan, đơn vị.",
        ),
    ]
    tracked_fields = ["name", "short_name", "kind"]

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
        return code, data

    def existing(self, keys):
        return {u.code: u for u in PartyUnit.objects.all()}

    def create(self, rows, *, user):
        objects = [PartyUnit(**row.data, name_key=name_key(row.data["name"])) for row in rows]
        return PartyUnit.objects.bulk_create(objects)

    def export_rows(self, queryset):
        for u in queryset:
            yield [u.code, u.name, u.short_name, u.get_kind_display()]


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
    ]
    tracked_fields = ["decision_number", "decision_date", "end"]

    def prepare(self):
        self.units = UnitMatcher()
        self.communes = CommuneMatcher()

    def parse(self, row, errors):
        start = self.cell(row, errors, "Từ ngày", parse_date, required=True)
        unit = self.cell(row, errors, "Đơn vị", self.units.match, required=True)
        commune = self.cell(
            row, errors, "Xã, thị trấn", self.communes.match, required=True, on=start
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
        Column("cadre_participations", "Lượt cán bộ, đảng viên", True, 12),
        Column("people_participations", "Lượt nhân dân", False, 35),
        Column("workdays", "Ngày công", False, "47,5"),
        Column("output_quantity", "Khối lượng", False, "120"),
        Column(
            "output_unit",
            "Đơn vị tính",
            False,
            "m",
            "Để trống thì lấy đơn vị tính của loại hoạt động.",
        ),
        Column("money_contributed", "Tiền đóng góp (đồng)", False, "1.500.000"),
        Column("money_mobilised", "Tiền vận động (đồng)", False, "5 triệu"),
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
        "cadre_participations",
        "people_participations",
        "workdays",
        "output_quantity",
        "output_unit",
        "money_contributed",
        "money_mobilised",
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

    def parse_villages(self, row, errors, commune) -> list[Village]:
        villages = []
        names = [n for n in _SPLIT.split(parse_text(row.values.get("Thôn, bản"))) if n]
        if not names:
            errors.add("Thôn, bản", None, "Cột “Thôn, bản” không được để trống.")
        for village_name in names if commune else []:  # without a commune, said already
            try:
                villages.append(self.villages.match(village_name, commune=commune))
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
            cadres=data["cadre_participations"],
            people=data["people_participations"],
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
        cell = self.cell
        day = cell(row, errors, "Ngày", parse_date, required=True)
        unit = cell(row, errors, "Đơn vị", self.units.match, required=True)
        if day is None and row.values.get("Ngày") not in (None, ""):
            # The date is wrong (already said): a commune that needs it to be told apart
            # from its namesake is not a second error.
            commune = self._quiet(self.communes.match, row.values.get("Xã, thị trấn"))
        else:
            commune = cell(row, errors, "Xã, thị trấn", self.communes.match, required=True, on=day)
        kind = cell(row, errors, "Loại hoạt động", self.match_type, required=True)
        villages = self.parse_villages(row, errors, commune)
        quantity = cell(row, errors, "Khối lượng", parse_decimal, places=2)
        output_unit = rules.output_unit_for(
            quantity=quantity, unit=cell(row, errors, "Đơn vị tính", parse_text) or "", kind=kind
        )
        data = {
            "date": day,
            "unit_id": unit.pk if unit else None,
            "commune_id": commune.pk if commune else None,
            "activity_type_id": kind.pk if kind else None,
            "description": cell(row, errors, "Nội dung", parse_long_text) or "",
            "cadre_participations": cell(
                row, errors, "Lượt cán bộ, đảng viên", parse_int, required=True, maximum=MAX_CADRES
            ),
            "people_participations": cell(
                row, errors, "Lượt nhân dân", parse_int, maximum=MAX_PEOPLE
            )
            or 0,
            "workdays": cell(row, errors, "Ngày công", parse_decimal, places=1) or 0,
            "output_quantity": quantity,
            "output_unit": output_unit,
            "money_contributed": cell(row, errors, "Tiền đóng góp (đồng)", parse_money) or 0,
            "money_mobilised": cell(row, errors, "Tiền vận động (đồng)", parse_money) or 0,
            "villages": sorted({v.pk for v in villages}),
            CONFIRM_KEY: bool(cell(row, errors, CONFIRM, parse_confirm)),
        }
        self.check_rules(
            row, errors, data=data, unit=unit, commune=commune, kind=kind, villages=villages
        )
        own_key = cell(row, errors, "Mã dòng", parse_text)
        if own_key and len(own_key) > 60:
            errors.add("Mã dòng", own_key, "Mã dòng dài quá 60 ký tự.")
        if own_key and own_key.startswith(("#", "f:", "h:")):
            key = own_key  # a key this application wrote on export
        elif own_key:
            key = f"f:{own_key}"
        else:
            key = "h:" + digest(
                data["unit_id"],
                day,
                data["commune_id"],
                data["villages"],
                data["activity_type_id"],
                data["cadre_participations"],
                data["people_participations"],
                data["description"],
            )
        return key, data

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
        return find_by_keys(Activity.objects.prefetch_related(links), keys)

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
            activity._imported_villages = row.data["villages"]
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
        for a in activities.order_by("date", "id").iterator(chunk_size=2000):
            yield [
                a.import_key or f"#{a.pk}",
                _day(a.date),
                a.unit.code,
                a.commune.code,
                "; ".join(v.name for v in a.villages.all()),
                a.activity_type.name,
                a.description,
                a.cadre_participations,
                a.people_participations,
                vn_number(a.workdays),
                vn_number(a.output_quantity) if a.output_quantity is not None else None,
                a.output_unit,
                a.money_contributed,
                a.money_mobilised,
                None,  # "Vẫn nhập": a stored activity needs no confirmation
            ]
