"""Reference data (communes, villages, party units, assignments) and "3 cùng" activities."""

from __future__ import annotations

import datetime
from typing import cast

from auditlog.registry import auditlog
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Coalesce

from activities.figures import FIGURES, Figure
from activities.periods import RECORD_YEARS, WEEKEND_WEEK_DAYS
from activities.text import (
    LONG_TEXT_MAX,
    SHORT_TEXT_MAX,
    NameKeyField,
    NFCCharField,
    NFCTextField,
)

# Stands in for "valid since before our records" when a period has no start.
_BEGINNING = datetime.date(1900, 1, 1)


def user_reference(verbose_name) -> models.ForeignKey:
    """Who did something; kept as empty if the account is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


def ordered_dates(start: str, end: str) -> Q:
    """A check that `end` is not before `start` when both are known."""
    return (
        Q(**{f"{start}__isnull": True})
        | Q(**{f"{end}__isnull": True})
        | Q(**{f"{end}__gte": F(start)})
    )


class ValidityQuerySet(models.QuerySet):
    """Rows with a validity period [valid_from, valid_to]; open ends mean "still valid"."""

    def valid_during(self, start: datetime.date, end: datetime.date) -> ValidityQuerySet:
        """Valid on at least one day of [start, end]."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=end),
            Q(valid_to__isnull=True) | Q(valid_to__gte=start),
        )

    def valid_on(self, day: datetime.date) -> ValidityQuerySet:
        return self.valid_during(day, day)


class Commune(models.Model):
    """A commune-level unit (xã, thị trấn, phường) as the GSO lists it for a period."""

    class Kind(models.TextChoices):
        XA = "xa", "Xã"
        THI_TRAN = "thi_tran", "Thị trấn"
        PHUONG = "phuong", "Phường"

    code = models.CharField(
        "mã ĐVHC",
        max_length=5,
        validators=[RegexValidator(r"^\d{5}$", "Mã ĐVHC gồm đúng 5 chữ số, ví dụ 02290.")],
        help_text=(
            "Mã đơn vị hành chính của Tổng cục Thống kê. Mã có thể được dùng lại "
            "sau sáp nhập, nên một xã được xác định bằng mã cùng thời kỳ hiệu lực."
        ),
    )
    name = NFCCharField("tên", max_length=100, help_text="Không kèm “xã”, “thị trấn”.")
    kind = models.CharField("loại", max_length=10, choices=Kind.choices, default=Kind.XA)
    district = NFCCharField("huyện", max_length=100, blank=True)
    province = NFCCharField("tỉnh", max_length=100)
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="main_predecessors",
        verbose_name="sáp nhập vào",
        help_text=(
            "Xã chính mà xã này sáp nhập vào: báo cáo gộp theo xã sau sáp nhập tính xã này "
            "vào đó. Xã bị chia cho nhiều xã có đủ các xã ấy ở “các xã kế thừa”."
        ),
    )
    # Every commune a former one went into (a divided commune has several); `successor` is
    # the main one of them.
    successors = models.ManyToManyField(
        "self",
        symmetrical=False,
        related_name="predecessors",
        blank=True,
        verbose_name="các xã kế thừa",
    )

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = "xã, phường, thị trấn"
        verbose_name_plural = "xã, phường, thị trấn"
        ordering = ["valid_from", "name"]
        constraints = [
            models.UniqueConstraint(
                F("code"),
                Coalesce("valid_from", Value(_BEGINNING, output_field=models.DateField())),
                name="commune_code_period_unique",
                violation_error_message="Đã có xã mang mã này trong cùng thời kỳ hiệu lực.",
            ),
            models.CheckConstraint(
                condition=ordered_dates("valid_from", "valid_to"),
                name="commune_validity_ordered",
                violation_error_message="Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.",
            ),
            models.CheckConstraint(
                condition=~Q(successor=F("id")),
                name="commune_not_own_successor",
                violation_error_message="Một xã không thể sáp nhập vào chính nó.",
            ),
        ]

    def __str__(self) -> str:
        return self.label_of(self.kind, self.name, self.valid_from, self.valid_to)

    @classmethod
    def label_of(
        cls,
        kind: str,
        name: str,
        valid_from: datetime.date | None,
        valid_to: datetime.date | None,
    ) -> str:
        """How a commune is named in a list ("Xã Bình An (từ 01/07/2025)"), from its fields
        read as values: a select of a province's communes builds no instances."""
        label = f"{_COMMUNE_KINDS.get(kind, kind)} {name}"
        if valid_to:
            return f"{label} (đến {valid_to:%d/%m/%Y})"
        if valid_from:
            return f"{label} (từ {valid_from:%d/%m/%Y})"
        return label

    @property
    def full_name(self) -> str:
        """ "xã Bình An", "thị trấn Lăng Can": the form used inside a sentence."""
        return f"{_COMMUNE_KINDS.get(self.kind, self.kind).lower()} {self.name}"


# Commune.Kind's labels, read as get_kind_display() would, once: a province's tables name
# hundreds of communes.
_COMMUNE_KINDS = dict(Commune.Kind.choices)


class VillageQuerySet(ValidityQuerySet):
    """Villages by the commune they belong to on given days (their `VillageCommune` rows)."""

    def in_commune_during(
        self, commune: Commune | int, start: datetime.date, end: datetime.date
    ) -> VillageQuerySet:
        """Valid on a day of [start, end] and a village of `commune` on a day of it: the one
        definition of "the villages of that commune" (`Village.belongs_during` in Python)."""
        member = VillageCommune.objects.valid_during(start, end).filter(
            village=OuterRef("pk"), commune=commune
        )
        return cast("VillageQuerySet", self.valid_during(start, end).filter(Exists(member)))

    def of_commune_on(self, commune: Commune | int, day: datetime.date) -> VillageQuerySet:
        return self.in_commune_during(commune, day, day)


def commune_kinds_text(kinds) -> str:
    """What communes of these kinds are, in the order the law lists them: "xã, thị trấn" for
    Lâm Bình's ten before 07/2025, "xã, phường" for today's province (the reorganisation ended
    the thị trấn), "xã" for one xã or none."""
    order = (Commune.Kind.XA, Commune.Kind.PHUONG, Commune.Kind.THI_TRAN)
    present = set(kinds)
    return ", ".join(str(Commune.Kind(k).label).lower() for k in order if k in present) or "xã"


class Village(models.Model):
    """A village (thôn, bản) or residential group (tổ dân phố), one record for its whole life.

    `commune` is the commune it was first recorded in (its name is unique there); which
    commune it belongs to on a day is in its `memberships` (`VillageCommune`): the former
    commune until 30/06/2025, the commune it merged into from 01/07/2025.
    """

    class Kind(models.TextChoices):
        THON = "thon", "Thôn"
        BAN = "ban", "Bản"
        TO_DAN_PHO = "to_dan_pho", "Tổ dân phố"

    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="villages", verbose_name="xã"
    )
    name = NFCCharField("tên", max_length=100, help_text="Không kèm “thôn”, “bản”.")
    name_key = NameKeyField(source="name")
    kind = models.CharField("loại", max_length=12, choices=Kind.choices, default=Kind.THON)
    aliases = NFCTextField(
        "tên khác",
        blank=True,
        max_length=SHORT_TEXT_MAX,
        help_text="Các cách viết khác của tên (Uỷ/Ủy, Hoà/Hòa...), mỗi dòng một tên.",
    )
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)

    objects = VillageQuerySet.as_manager()

    class Meta:
        verbose_name = "thôn, bản, tổ dân phố"
        verbose_name_plural = "thôn, bản, tổ dân phố"
        ordering = ["commune__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "name_key"],
                name="village_name_unique_in_commune",
                violation_error_message="Xã này đã có thôn, bản mang tên này.",
            ),
            models.CheckConstraint(
                condition=ordered_dates("valid_from", "valid_to"),
                name="village_validity_ordered",
                violation_error_message="Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"

    def save(self, *args, **kwargs) -> None:
        """A new village belongs to the commune it is recorded in, and to what that commune
        merged into (`memberships_following`); an import may correct it afterwards."""
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:
            VillageCommune.objects.bulk_create(memberships_following(self))

    @property
    def alias_list(self) -> list[str]:
        return [line for line in (s.strip() for s in self.aliases.splitlines()) if line]

    def _valid_during(self, start: datetime.date, end: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= end) and (
            self.valid_to is None or self.valid_to >= start
        )

    def belongs_during(self, commune_id: int, start: datetime.date, end: datetime.date) -> bool:
        """`VillageQuerySet.in_commune_during` for a village already read (its memberships
        prefetched, for a form or a whole file)."""
        return self._valid_during(start, end) and any(
            m.commune_id == commune_id and m.overlaps(start, end) for m in self.memberships.all()
        )

    def commune_on(self, day: datetime.date) -> Commune | None:
        """The commune the village belongs to on `day`; None when it is not valid then."""
        if not self._valid_during(day, day):
            return None
        return next((m.commune for m in self.memberships.all() if m.overlaps(day, day)), None)


def memberships_following(village: Village) -> list[VillageCommune]:
    """The village's communes over time, from the one it is recorded in: that commune for
    its validity, then, if it merged, its (main) successor from the day after it ended.
    The migration 0013 keeps a copy of this for the villages recorded before it."""
    commune = village.commune
    rows = [
        VillageCommune(
            village=village,
            commune=commune,
            valid_from=commune.valid_from,
            valid_to=commune.valid_to,
        )
    ]
    successor = commune.successor
    if successor is not None and successor.pk != commune.pk and commune.valid_to is not None:
        rows.append(
            VillageCommune(
                village=village,
                commune=successor,
                valid_from=commune.valid_to + datetime.timedelta(days=1),
                valid_to=successor.valid_to,
            )
        )
    return rows


class VillageCommune(models.Model):
    """Which commune a village belongs to for a period; a village's periods do not overlap."""

    village = models.ForeignKey(
        Village, on_delete=models.CASCADE, related_name="memberships", verbose_name="thôn"
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="village_memberships", verbose_name="xã"
    )
    valid_from = models.DateField("thuộc xã từ", null=True, blank=True)
    valid_to = models.DateField("thuộc xã đến", null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        verbose_name = "xã của thôn"
        verbose_name_plural = "xã của thôn theo thời kỳ"
        ordering = [F("valid_from").asc(nulls_first=True)]
        constraints = [
            models.CheckConstraint(
                condition=ordered_dates("valid_from", "valid_to"),
                name="village_commune_period_ordered",
                violation_error_message="Ngày cuối phải sau hoặc bằng ngày đầu thời kỳ.",
            ),
            models.UniqueConstraint(
                F("village"),
                Coalesce("valid_from", Value(_BEGINNING, output_field=models.DateField())),
                name="village_commune_start_unique",
                violation_error_message="Thôn đã thuộc một xã từ cùng ngày này.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village} → {self.commune}"

    def overlaps(self, start: datetime.date, end: datetime.date) -> bool:
        """`ValidityQuerySet.valid_during` for a row already read."""
        return (self.valid_from is None or self.valid_from <= end) and (
            self.valid_to is None or self.valid_to >= start
        )

    def clean(self) -> None:
        """Two periods of one village may not overlap: on each day it has one commune (not
        expressible as a constraint on every database, so checked here and by the import)."""
        super().clean()
        if self.village_id is None:
            return
        others = VillageCommune.objects.filter(village_id=self.village_id).exclude(pk=self.pk)
        start = self.valid_from or _BEGINNING
        end = self.valid_to or datetime.date.max
        clash = others.valid_during(start, end).select_related("commune").first()
        if clash is not None:
            raise ValidationError(
                f"Thời kỳ này trùng với thời kỳ thôn thuộc {clash.commune.full_name}."
            )


class PartyUnitQuerySet(ValidityQuerySet):
    """Organisations by validity, and those working in a commune of their own."""

    def in_own_commune_during(self, start: datetime.date, end: datetime.date) -> PartyUnitQuerySet:
        """Having an own commune, with a day in [start, end] when both are valid: pairwise
        overlapping periods (the organisation's, its commune's, [start, end]) share a day."""
        valid = cast(PartyUnitQuerySet, self.valid_during(start, end))
        return valid.filter(
            Q(commune__valid_from__isnull=True) | Q(commune__valid_from__lte=end),
            Q(commune__valid_to__isnull=True) | Q(commune__valid_to__gte=start),
            _periods_overlap("valid_from", "valid_to", "commune__valid_from", "commune__valid_to"),
            commune__isnull=False,
        )

    def in_own_commune_on(self, day: datetime.date | OuterRef) -> PartyUnitQuerySet:
        """Working in their own commune on `day`; `PartyUnit.in_own_commune_on` in Python."""
        return self.in_own_commune_during(day, day)  # type: ignore[arg-type]


def _periods_overlap(a_from: str, a_to: str, b_from: str, b_to: str) -> Q:
    """Two periods with open ends share at least one day."""
    return ordered_dates(b_from, a_to) & ordered_dates(a_from, b_to)


class PartyUnit(models.Model):
    """A party organisation or unit, in a tree: Tỉnh ủy → its ban and đảng bộ trực thuộc →
    Đảng ủy xã → chi bộ; before 01/07/2025 Huyện ủy Lâm Bình → its units.

    Kept under its first name (PartyUnit, the table of the district's units) so that
    activities, assignments, reports and staff stay attached to the same rows.

    `commune` is set on a commune's own party committee (the Đảng ủy xã) and on each of its
    chi bộ that belongs to that commune, each on its own row, never inherited from `parent`:
    such an organisation records activities in that commune without an assignment, while it
    and the commune are both valid. Everywhere else (provincial bodies, the former district
    units) a commune comes only from an `Assignment`.

    `is_active` stays a stored switch, separate from validity: "used in this application"
    (listed on the dashboard and in the forms). Validity says on which days the organisation
    existed; a unit that ended keeps is_active so its past months still show.
    """

    class Kind(models.TextChoices):
        TINH_UY = "tinh_uy", "Tỉnh ủy"
        BAN = "ban", "Ban của Tỉnh ủy"
        DANG_BO_TINH = "dang_bo_tinh", "Đảng bộ trực thuộc Tỉnh ủy"
        HUYEN_UY = "huyen_uy", "Huyện ủy"
        DANG_UY_XA = "dang_uy_xa", "Đảng ủy xã, phường"
        DANG_BO = "dang_bo", "Đảng bộ cơ quan"
        CHI_BO = "chi_bo", "Chi bộ"
        DON_VI = "don_vi", "Cơ quan, đơn vị"

    code = models.SlugField("mã", max_length=30, unique=True)
    name = NFCCharField("tên", max_length=255)
    name_key = NameKeyField(source="name")
    short_name = NFCCharField("tên viết tắt", max_length=100)
    kind = models.CharField("loại", max_length=12, choices=Kind.choices, default=Kind.CHI_BO)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="cấp trên",
    )
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    continued_by = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="continues",
        verbose_name="tiếp nối bởi",
        help_text="Tổ chức nhận lại nhiệm vụ khi tổ chức này kết thúc.",
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_units",
        verbose_name="xã của tổ chức",
        help_text=(
            "Chỉ ghi cho Đảng ủy xã, phường và các chi bộ thuộc xã đó: tổ chức được nhập "
            "hoạt động tại xã này mà không cần phân công, khi cả hai còn hiệu lực."
        ),
    )
    is_active = models.BooleanField("đang hoạt động", default=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="party_units",
        verbose_name="cán bộ nhập liệu",
        help_text="Tài khoản được nhập hoạt động của tổ chức, đơn vị này.",
    )

    objects = PartyUnitQuerySet.as_manager()

    class Meta:
        verbose_name = "tổ chức, đơn vị"
        verbose_name_plural = "tổ chức, đơn vị"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name_key"],
                name="party_unit_name_unique",
                violation_error_message="Đã có đơn vị mang tên này.",
            ),
            models.CheckConstraint(
                condition=ordered_dates("valid_from", "valid_to"),
                name="party_unit_validity_ordered",
                violation_error_message="Ngày hết hiệu lực phải sau ngày bắt đầu hiệu lực.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="party_unit_not_own_parent",
                violation_error_message="Một tổ chức không thể là cấp trên của chính nó.",
            ),
            models.CheckConstraint(
                condition=~Q(continued_by=F("id")),
                name="party_unit_not_own_continuation",
                violation_error_message="Một tổ chức không thể tiếp nối chính nó.",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name

    def in_own_commune_during(self, start: datetime.date, end: datetime.date) -> bool:
        """`PartyUnitQuerySet.in_own_commune_during` for a row already read (reads its
        commune when not already loaded): the three periods have a day in common."""
        if self.commune_id is None:
            return False
        commune = self.commune
        assert commune is not None
        first = max(d for d in (start, self.valid_from, commune.valid_from) if d is not None)
        last = min(d for d in (end, self.valid_to, commune.valid_to) if d is not None)
        return first <= last

    def in_own_commune_on(self, day: datetime.date) -> bool:
        return self.in_own_commune_during(day, day)

    def own_commune_start(self) -> datetime.date | None:
        """The first day it works in its own commune (None: it has none; `_BEGINNING`: since
        before our records)."""
        if self.commune_id is None:
            return None
        commune = self.commune
        assert commune is not None
        starts = [d for d in (self.valid_from, commune.valid_from) if d is not None]
        return max(starts, default=_BEGINNING)

    def subtree(self) -> list[PartyUnit]:
        """This organisation and everything under it, level by level (one query a level;
        the tree has at most four)."""
        found = [self]
        level = [self.pk]
        seen = {self.pk}
        while level:
            children = [u for u in PartyUnit.objects.filter(parent__in=level) if u.pk not in seen]
            seen.update(u.pk for u in children)
            found.extend(children)
            level = [u.pk for u in children]
        return found

    def descendants(self) -> list[PartyUnit]:
        """Everything under this organisation, itself left out."""
        return self.subtree()[1:]


class Account(models.Model):
    """The organisation an account belongs to. It sets what the account reaches
    (`activities.access.reach_of`): the whole province for the Tỉnh ủy and its ban, a
    commune with its history for a commune's own organisations, an organisation's own work
    for any other. Staff enter for the units they are staff of (`PartyUnit.staff`)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account",
        verbose_name="tài khoản",
    )
    organisation = models.ForeignKey(
        PartyUnit,
        on_delete=models.PROTECT,
        related_name="accounts",
        verbose_name="thuộc tổ chức",
        help_text=(
            "Lãnh đạo xem và quản trị quản lý những gì thuộc tổ chức này: Tỉnh ủy, các ban "
            "của Tỉnh ủy: toàn tỉnh; Đảng ủy xã và chi bộ của xã: xã đó và các xã cũ hợp "
            "thành; tổ chức khác: hoạt động của tổ chức và các đơn vị trực thuộc."
        ),
    )

    class Meta:
        verbose_name = "tổ chức của tài khoản"
        verbose_name_plural = "tổ chức của tài khoản"

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation}"


class AssignmentQuerySet(models.QuerySet):
    """Assignments by their period [start, end]; no end means "until further notice"."""

    def overlapping(
        self, start: datetime.date | OuterRef, end: datetime.date | OuterRef
    ) -> AssignmentQuerySet:
        """In force on at least one day of [start, end]; `Assignment.overlaps` in Python."""
        return self.filter(Q(end__isnull=True) | Q(end__gte=start), start__lte=end)

    def active_on(self, day: datetime.date | OuterRef) -> AssignmentQuerySet:
        """In force on `day`; `Assignment.covers` in Python."""
        return self.overlapping(day, day)


class Assignment(models.Model):
    """A decision that puts a party unit in charge of a commune for a period."""

    unit = models.ForeignKey(
        PartyUnit, on_delete=models.PROTECT, related_name="assignments", verbose_name="đơn vị"
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="assignments", verbose_name="xã"
    )
    decision_number = NFCCharField("số quyết định", max_length=50, blank=True)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)
    start = models.DateField("từ ngày")
    end = models.DateField("đến ngày", null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = "phân công phụ trách"
        verbose_name_plural = "phân công phụ trách"
        ordering = ["unit__name", "start"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "commune", "start"],
                name="assignment_unique_start",
                violation_error_message="Đơn vị đã được phân công xã này từ cùng ngày.",
            ),
            models.CheckConstraint(
                condition=ordered_dates("start", "end"),
                name="assignment_period_ordered",
                violation_error_message="“Đến ngày” phải sau hoặc bằng “Từ ngày”.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} → {self.commune}"

    def overlaps(self, start: datetime.date, end: datetime.date) -> bool:
        """`AssignmentQuerySet.overlapping` for assignments already read (a whole file, the
        rule matrix): in force on at least one day of [start, end]."""
        return self.start <= end and (self.end is None or self.end >= start)

    def covers(self, day: datetime.date) -> bool:
        """In force on `day`: `AssignmentQuerySet.active_on` in Python."""
        return self.overlaps(day, day)


class ActivityType(models.Model):
    """A kind of work (road, bridge, canal, house...), with its usual unit of measure."""

    code = models.SlugField("mã", max_length=30, unique=True)
    name = NFCCharField("tên", max_length=150, unique=True)
    default_unit = NFCCharField(
        "đơn vị tính mặc định", max_length=30, blank=True, help_text="Ví dụ: m, cầu, kg."
    )
    order = models.PositiveSmallIntegerField("thứ tự", default=0)
    is_active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "loại hoạt động"
        verbose_name_plural = "loại hoạt động"
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


# An activity dated a Saturday or a Sunday, as a condition: `on_weekends()`, and the counts
# that need it inside an aggregate (a filter=) rather than on the queryset.
ON_WEEKEND = Q(date__week_day__in=WEEKEND_WEEK_DAYS)


class ActivityQuerySet(models.QuerySet):
    def in_period(self, start: datetime.date, end: datetime.date) -> ActivityQuerySet:
        """Dated from `start` to `end`, both days included."""
        return self.filter(date__range=(start, end))

    def on_weekends(self) -> ActivityQuerySet:
        return self.filter(ON_WEEKEND)


class Activity(models.Model):
    """One "3 cùng" outing of a party unit to a commune: who came, what was done."""

    unit = models.ForeignKey(
        PartyUnit, on_delete=models.PROTECT, related_name="activities", verbose_name="đơn vị"
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="activities", verbose_name="xã"
    )
    villages: models.ManyToManyField[Village, ActivityVillage] = models.ManyToManyField(
        Village,
        through="ActivityVillage",
        related_name="activities",
        verbose_name="thôn, bản",
    )
    # Indexed: reports read whole months from the summary tables and only the days at the
    # edges of a period from here, by date.
    date = models.DateField("ngày", db_index=True)
    activity_type = models.ForeignKey(
        ActivityType,
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name="loại hoạt động",
    )
    description = NFCTextField("nội dung", blank=True, max_length=LONG_TEXT_MAX)
    cadre_participations = models.PositiveIntegerField(
        "lượt cán bộ, đảng viên",
        help_text="Mỗi người mỗi lần tham gia là một lượt.",
    )
    people_participations = models.PositiveIntegerField("lượt nhân dân", default=0)
    workdays = models.DecimalField("ngày công", max_digits=9, decimal_places=1, default=0)
    output_quantity = models.DecimalField(
        "khối lượng", max_digits=12, decimal_places=2, null=True, blank=True
    )
    output_unit = NFCCharField("đơn vị tính", max_length=30, blank=True)
    households_helped = models.PositiveIntegerField("số hộ được giúp đỡ", default=0)
    money_contributed = models.PositiveBigIntegerField("tiền đóng góp (đồng)", default=0)
    money_mobilised = models.PositiveBigIntegerField("tiền vận động (đồng)", default=0)
    # Counts the saves, so that a save based on an older copy is refused rather than
    # silently overwriting someone else's (two staff editing the same activity).
    version = models.PositiveIntegerField("phiên bản", default=1, db_default=1, editable=False)
    # Set by spreadsheet imports: the file's own row id, or a digest of the row, so that
    # importing the same file again finds the same activities instead of adding them twice.
    import_key = models.CharField(
        "mã dòng khi nhập", max_length=64, null=True, blank=True, unique=True, editable=False
    )
    created_by = user_reference("người nhập")
    created_at = models.DateTimeField("nhập lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = "hoạt động"
        verbose_name_plural = "hoạt động"
        # An organisation's latest activity (the dashboard of one organisation ends there):
        # without it PostgreSQL walks the date index back through everyone else's.
        indexes = [models.Index(fields=["unit", "date"], name="activity_unit_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(workdays__gte=0),
                name="activity_workdays_not_negative",
                violation_error_message="Số ngày công không được âm.",
            ),
            models.CheckConstraint(
                condition=Q(output_quantity__isnull=True) | Q(output_quantity__gte=0),
                name="activity_output_not_negative",
                violation_error_message="Khối lượng không được âm.",
            ),
            models.CheckConstraint(
                condition=Q(output_quantity__isnull=True) | ~Q(output_unit=""),
                name="activity_output_has_unit",
                violation_error_message="Khối lượng cần có đơn vị tính.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} · {self.unit} · {self.commune.name}"

    @property
    def figures(self) -> list[tuple[Figure, object, str]]:
        """(figure, value, what follows the value) in display order, for the activity page:
        an output's own unit of measure, "đ" after money."""
        return [
            (f, getattr(self, f.field), getattr(self, f.unit_field) if f.unit_field else f.symbol)
            for f in FIGURES
        ]


class ActivityVillage(models.Model):
    """A village reached by an activity (an activity may reach several)."""

    activity = models.ForeignKey(
        Activity,
        on_delete=models.CASCADE,
        related_name="village_links",
        verbose_name="hoạt động",
    )
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="activity_links", verbose_name="thôn"
    )

    class Meta:
        verbose_name = "thôn của hoạt động"
        verbose_name_plural = "thôn của hoạt động"
        constraints = [
            models.UniqueConstraint(fields=["activity", "village"], name="activity_village_once"),
        ]

    def __str__(self) -> str:
        return str(self.village)


class MonthReport(models.Model):
    """A unit's monthly report: submitted (locked), declared empty, or reopened by an admin.

    No row, or a reopened one, means the month is not yet reported.
    """

    class State(models.TextChoices):
        SUBMITTED = "submitted", "Đã báo cáo"
        NO_ACTIVITY = "no_activity", "Không có hoạt động"
        REOPENED = "reopened", "Đã mở lại"

    unit = models.ForeignKey(
        PartyUnit, on_delete=models.PROTECT, related_name="month_reports", verbose_name="đơn vị"
    )
    year = models.PositiveSmallIntegerField("năm")
    month = models.PositiveSmallIntegerField("tháng")
    state = models.CharField("trạng thái", max_length=12, choices=State.choices)
    submitted_by = user_reference("người gửi")
    submitted_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    reopened_by = user_reference("người mở lại")
    reopened_at = models.DateTimeField("mở lại lúc", null=True, blank=True)
    reopen_reason = NFCTextField("lý do mở lại", blank=True, max_length=SHORT_TEXT_MAX)

    class Meta:
        verbose_name = "báo cáo tháng"
        verbose_name_plural = "báo cáo tháng"
        ordering = ["-year", "-month", "unit__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "month"],
                name="month_report_once_per_unit_month",
                violation_error_message="Đơn vị đã có báo cáo cho tháng này.",
            ),
            models.CheckConstraint(
                condition=Q(month__range=(1, 12)) & Q(year__range=RECORD_YEARS),
                name="month_report_month_sane",
                violation_error_message="Tháng phải từ 1 đến 12.",
            ),
            models.CheckConstraint(
                condition=~Q(state="reopened") | ~Q(reopen_reason=""),
                name="month_report_reopen_has_reason",
                violation_error_message="Mở lại tháng cần có lý do.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.month:02d}/{self.year}"

    @property
    def is_locked(self) -> bool:
        return self.state in (self.State.SUBMITTED, self.State.NO_ACTIVITY)


# The audit trail: every create, update and delete with who, when and old → new values.
auditlog.register(
    Activity, m2m_fields={"villages"}, exclude_fields=["created_at", "updated_at", "version"]
)
auditlog.register(Assignment)
auditlog.register(MonthReport)


# --- Summary tables -------------------------------------------------------------------
# Written only by database triggers (activities/stats.py), so they stay exact after every
# write, whichever way it comes (pages, admin, imports, raw SQL). Reports read them.


def _stat_key(name: str) -> dict:
    return {
        "on_delete": models.DO_NOTHING,
        "db_constraint": False,
        "related_name": "+",
        "db_index": False,
        "verbose_name": name,
    }


class _Key(models.Model):
    """What a summary row is about: a unit, a commune and a type (and a month or a day)."""

    unit = models.ForeignKey(PartyUnit, **_stat_key("đơn vị"))
    commune = models.ForeignKey(Commune, **_stat_key("xã"))
    activity_type = models.ForeignKey(ActivityType, **_stat_key("loại hoạt động"))
    activities: int  # the count field of _Sums or _Reached, which every key table has

    class Meta:
        abstract = True


class _MonthKey(_Key):
    month = models.DateField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} · {self.activities}"


class _DayKey(_Key):
    """Reports read the days of a period outside its whole months (its edges) from these."""

    date = models.DateField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} · {self.activities}"


class _Totals(models.Model):
    """The sums of the activities a row is about: the count, then a column per figure
    (added below from activities.figures)."""

    activities = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


# One column per figure: its sum, decimals as whole tenths or hundredths (Figure.scale),
# so that they add up exactly everywhere. Added before the tables below inherit them.
for _figure in FIGURES:
    _Totals.add_to_class(_figure.column, models.BigIntegerField(default=0))


class _Sums(_Totals):
    """The sums per unit of measure of the output (m of road, kg of waste...)."""

    output_unit = models.CharField(max_length=30)

    class Meta:
        abstract = True


class _Reached(models.Model):
    """How many of the activities a row is about reached a village."""

    village = models.ForeignKey(Village, **_stat_key("thôn"))
    activities = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


def _stat_unique(period: str, last: str, name: str) -> list[models.BaseConstraint]:
    return [
        models.UniqueConstraint(
            fields=[period, "unit", "commune", "activity_type", last], name=name
        )
    ]


def _by_area(period: str, name: str) -> list[models.Index]:
    return [
        models.Index(fields=["commune", period], name=f"{name}_stat_commune"),
        models.Index(fields=["unit", period], name=f"{name}_stat_unit"),
    ]


class ActivityMonthStat(_MonthKey, _Sums):
    """Sums of the activities of one month, unit, commune, type and unit of measure."""

    class Meta:
        verbose_name = "tổng hợp tháng"
        verbose_name_plural = "tổng hợp tháng"
        constraints = _stat_unique("month", "output_unit", "activity_month_stat_key")
        # A commune's or a unit's figures by type read their few rows, not the whole cube.
        indexes = _by_area("month", "month")


class VillageMonthStat(_MonthKey, _Reached):
    """How many activities of a month, unit, commune and type reached a village."""

    class Meta:
        verbose_name = "thôn đã đến theo tháng"
        verbose_name_plural = "thôn đã đến theo tháng"
        constraints = _stat_unique("month", "village", "village_month_stat_key")


class ActivityDayStat(_DayKey, _Sums):
    """Sums of the activities of one day, unit, commune, type and unit of measure."""

    class Meta:
        verbose_name = "tổng hợp ngày"
        verbose_name_plural = "tổng hợp ngày"
        constraints = _stat_unique("date", "output_unit", "activity_day_stat_key")
        # A commune's or a unit's figures by type read their few rows, not the whole cube.
        indexes = _by_area("date", "day")


class VillageDayStat(_DayKey, _Reached):
    """How many activities of a day, unit, commune and type reached a village."""

    class Meta:
        verbose_name = "thôn đã đến theo ngày"
        verbose_name_plural = "thôn đã đến theo ngày"
        constraints = _stat_unique("date", "village", "village_day_stat_key")


class WeekendDayStat(models.Model):
    """Activities of a unit in a commune on one Saturday or Sunday (the monthly rule)."""

    date = models.DateField()
    unit = models.ForeignKey(PartyUnit, **_stat_key("đơn vị"))
    commune = models.ForeignKey(Commune, **_stat_key("xã"))
    activities = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "hoạt động cuối tuần"
        verbose_name_plural = "hoạt động cuối tuần"
        constraints = [
            models.UniqueConstraint(fields=["date", "unit", "commune"], name="weekend_day_stat_key")
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} · {self.activities}"


# Narrower tables for the reports that need no more: a province's cube of units × communes ×
# types × months is as large as its activities, while units × communes × months, or types ×
# months, stay small. Reports read the narrowest table that holds their key and filters.


class _Area(models.Model):
    """What a narrow summary row is about: a unit in a commune."""

    unit = models.ForeignKey(PartyUnit, **_stat_key("đơn vị"))
    commune = models.ForeignKey(Commune, **_stat_key("xã"))

    class Meta:
        abstract = True


class AreaMonthStat(_Area, _Totals):
    """Sums of the activities of one month, unit and commune (every type)."""

    month = models.DateField()

    class Meta:
        verbose_name = "tổng hợp tháng theo đơn vị, xã"
        verbose_name_plural = "tổng hợp tháng theo đơn vị, xã"
        constraints = [
            models.UniqueConstraint(fields=["month", "unit", "commune"], name="area_month_stat_key")
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} · {self.activities}"


class AreaDayStat(_Area, _Totals):
    """Sums of the activities of one day, unit and commune (every type)."""

    date = models.DateField()

    class Meta:
        verbose_name = "tổng hợp ngày theo đơn vị, xã"
        verbose_name_plural = "tổng hợp ngày theo đơn vị, xã"
        constraints = [
            models.UniqueConstraint(fields=["date", "unit", "commune"], name="area_day_stat_key")
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} · {self.activities}"


class TypeMonthStat(_Sums):
    """Sums of the activities of one month, type and unit of measure (every unit, commune)."""

    month = models.DateField()
    activity_type = models.ForeignKey(ActivityType, **_stat_key("loại hoạt động"))

    class Meta:
        verbose_name = "tổng hợp tháng theo loại"
        verbose_name_plural = "tổng hợp tháng theo loại"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "activity_type", "output_unit"], name="type_month_stat_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} · {self.activities}"


class TypeDayStat(_Sums):
    """Sums of the activities of one day, type and unit of measure (every unit, commune)."""

    date = models.DateField()
    activity_type = models.ForeignKey(ActivityType, **_stat_key("loại hoạt động"))

    class Meta:
        verbose_name = "tổng hợp ngày theo loại"
        verbose_name_plural = "tổng hợp ngày theo loại"
        constraints = [
            models.UniqueConstraint(
                fields=["date", "activity_type", "output_unit"], name="type_day_stat_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} · {self.activities}"


class WeekendMonthStat(_Area):
    """Saturday and Sunday activities of a unit in a commune in one month (the monthly rule,
    where the unit was in charge of the commune all month)."""

    month = models.DateField()
    activities = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = "hoạt động cuối tuần theo tháng"
        verbose_name_plural = "hoạt động cuối tuần theo tháng"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "unit", "commune"], name="weekend_month_stat_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} · {self.activities}"


class _VillageReach(_Area):
    """How many activities of a unit in a commune reached a village (every type): in all,
    and in each part of the row's period, one column per part."""

    village = models.ForeignKey(Village, **_stat_key("thôn"))
    activities = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


def part_column(prefix: str, number: int) -> str:
    """The column of month `number` of a year (m01–m12) or day of a month (d01–d31)."""
    return f"{prefix}{number:02d}"


class VillageYearStat(_VillageReach):
    """A year's row, with a column per month: the villages reached in any whole months of a
    year are read from one row per village, unit and commune."""

    year = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = "thôn đã đến theo năm"
        verbose_name_plural = "thôn đã đến theo năm"
        constraints = [
            models.UniqueConstraint(
                fields=["year", "unit", "commune", "village"], name="village_year_stat_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.activities}"


class VillageMonthDaysStat(_VillageReach):
    """A month's row, with a column per day: the days of a period outside its whole months."""

    month = models.DateField()

    class Meta:
        verbose_name = "thôn đã đến theo ngày trong tháng"
        verbose_name_plural = "thôn đã đến theo ngày trong tháng"
        constraints = [
            models.UniqueConstraint(
                fields=["month", "unit", "commune", "village"], name="village_month_days_stat_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.month:%m/%Y} · {self.activities}"


for _number in range(1, 13):
    VillageYearStat.add_to_class(part_column("m", _number), models.IntegerField(default=0))
for _number in range(1, 32):
    VillageMonthDaysStat.add_to_class(part_column("d", _number), models.IntegerField(default=0))


class ImportBatch(models.Model):
    """One confirmed spreadsheet import: who, when, which file, what it did. Undone whole."""

    class State(models.TextChoices):
        DONE = "done", "Đã nhập"
        UNDONE = "undone", "Đã hoàn tác"

    kind = models.CharField("loại dữ liệu", max_length=30)
    file_name = NFCCharField("tên tệp", max_length=255)
    file_hash = models.CharField("mã băm SHA-256", max_length=64)
    created_by = user_reference("người nhập")
    created_at = models.DateTimeField("nhập lúc", auto_now_add=True)
    rows_total = models.PositiveIntegerField("số dòng", default=0)
    rows_new = models.PositiveIntegerField("thêm mới", default=0)
    rows_updated = models.PositiveIntegerField("cập nhật", default=0)
    rows_skipped = models.PositiveIntegerField("bỏ qua (không đổi)", default=0)
    state = models.CharField("trạng thái", max_length=10, choices=State.choices, default=State.DONE)
    undone_by = user_reference("người hoàn tác")
    undone_at = models.DateTimeField("hoàn tác lúc", null=True, blank=True)

    class Meta:
        verbose_name = "lần nhập dữ liệu"
        verbose_name_plural = "lịch sử nhập dữ liệu"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d/%m/%Y %H:%M})"


class ImportBatchItem(models.Model):
    """A row an import created or changed, with the values it replaced (for undo)."""

    class Action(models.TextChoices):
        CREATED = "created", "Thêm mới"
        UPDATED = "updated", "Cập nhật"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="items")
    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=10, choices=Action.choices)
    old_values = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = "dòng đã nhập"
        verbose_name_plural = "dòng đã nhập"
        indexes = [models.Index(fields=["batch", "content_type"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} #{self.object_id}"
