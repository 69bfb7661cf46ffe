"""Housing-support cases (xóa nhà tạm, nhà dột nát), their funding and their progress."""

from __future__ import annotations

from auditlog.registry import auditlog
from django.db import models
from django.db.models import Q

from activities.models import Activity, PartyUnit, Village, ordered_dates, user_reference
from activities.periods import RECORD_YEARS
from activities.text import LONG_TEXT_MAX, NFCCharField, NFCTextField


class Programme(models.Model):
    """A support scheme; its amounts are the usual ones, each case stores its own."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = NFCCharField("tên", max_length=255, unique=True)
    short_name = NFCCharField("tên ngắn", max_length=100)
    start_year = models.PositiveSmallIntegerField("từ năm")
    end_year = models.PositiveSmallIntegerField("đến năm")
    new_build_amount = models.PositiveBigIntegerField("mức hỗ trợ xây mới (đồng)", default=0)
    repair_amount = models.PositiveBigIntegerField("mức hỗ trợ sửa chữa (đồng)", default=0)

    class Meta:
        verbose_name = "chương trình, đề án"
        verbose_name_plural = "chương trình, đề án"
        ordering = ["start_year", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")),
                name="programme_years_ordered",
                violation_error_message="“Đến năm” phải sau hoặc bằng “Từ năm”.",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name


# The date field each status step records, in lifecycle order.
STEP_DATES = {
    "surveyed": "surveyed_on",
    "approved": "approved_on",
    "started": "started_on",
    "completed": "completed_on",
    "handed_over": "handed_over_on",
}


def _status_date_checks() -> list[models.CheckConstraint]:
    """Each status past "surveyed" must carry the date of its step."""
    return [
        models.CheckConstraint(
            condition=~Q(status=status) | Q(**{f"{field}__isnull": False}),
            name=f"housing_case_{status}_has_date",
            violation_error_message="Tình trạng này cần có ngày của bước tương ứng.",
        )
        for status, field in list(STEP_DATES.items())[1:]
    ]


class HousingCaseQuerySet(models.QuerySet):
    def in_communes(self, communes) -> HousingCaseQuerySet:
        return self.filter(village__commune__in=communes)


class HousingCase(models.Model):
    """A household helped to build or repair its house, and how far the work has got."""

    class Gender(models.TextChoices):
        MALE = "nam", "Nam"
        FEMALE = "nu", "Nữ"

    class Category(models.TextChoices):
        POOR = "ho_ngheo", "Hộ nghèo"
        NEAR_POOR = "can_ngheo", "Hộ cận nghèo"
        MERIT = "co_cong", "Người có công với cách mạng"
        HARDSHIP = "kho_khan", "Hộ khó khăn về nhà ở"
        OTHER = "khac", "Khác"

    class WorkKind(models.TextChoices):
        NEW_BUILD = "xay_moi", "Xây mới"
        REPAIR = "sua_chua", "Sửa chữa"

    class Status(models.TextChoices):
        # The order is the lifecycle: a case moves one step at a time.
        SURVEYED = "surveyed", "Đã khảo sát"
        APPROVED = "approved", "Đã phê duyệt"
        STARTED = "started", "Đang thi công"
        COMPLETED = "completed", "Đã hoàn thành"
        HANDED_OVER = "handed_over", "Đã bàn giao"

    STEP_DATES = STEP_DATES

    household_head = NFCCharField("chủ hộ", max_length=150)
    birth_year = models.PositiveSmallIntegerField("năm sinh", null=True, blank=True)
    gender = models.CharField("giới tính", max_length=3, choices=Gender.choices, blank=True)
    ethnicity = NFCCharField("dân tộc", max_length=50, blank=True)
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, related_name="housing_cases", verbose_name="thôn"
    )
    category = models.CharField(
        "đối tượng", max_length=12, choices=Category.choices, default=Category.POOR
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="cases", verbose_name="chương trình"
    )
    work_kind = models.CharField(
        "hình thức", max_length=10, choices=WorkKind.choices, default=WorkKind.NEW_BUILD
    )
    support_amount = models.PositiveBigIntegerField(
        "mức hỗ trợ (đồng)",
        default=0,
        help_text="Mức theo chương trình và năm, ví dụ 50.000.000 hoặc 25.000.000.",
    )
    status = models.CharField(
        "tình trạng", max_length=12, choices=Status.choices, default=Status.SURVEYED
    )
    surveyed_on = models.DateField("ngày khảo sát", null=True, blank=True)
    approved_on = models.DateField("ngày phê duyệt", null=True, blank=True)
    started_on = models.DateField("ngày khởi công", null=True, blank=True)
    expected_completion = models.DateField("dự kiến hoàn thành", null=True, blank=True)
    completed_on = models.DateField("ngày hoàn thành", null=True, blank=True)
    handed_over_on = models.DateField("ngày bàn giao", null=True, blank=True)
    workdays = models.DecimalField("ngày công hỗ trợ", max_digits=9, decimal_places=1, default=0)
    helping_units = models.ManyToManyField(
        PartyUnit, blank=True, related_name="housing_cases", verbose_name="đơn vị giúp đỡ"
    )
    activities = models.ManyToManyField(
        Activity, blank=True, related_name="housing_cases", verbose_name="hoạt động liên quan"
    )
    notes = NFCTextField("ghi chú", blank=True, max_length=LONG_TEXT_MAX)
    # Counts the saves of the case and of what belongs to it (funding rows, links), so that
    # a save based on an older copy is refused rather than silently putting old values back.
    version = models.PositiveIntegerField("phiên bản", default=1, db_default=1, editable=False)
    # Set by spreadsheet imports, so that importing the same file again finds the same case.
    import_key = models.CharField(
        "mã dòng khi nhập", max_length=64, null=True, blank=True, unique=True, editable=False
    )
    created_by = user_reference("người nhập")
    created_at = models.DateTimeField("nhập lúc", auto_now_add=True)
    updated_at = models.DateTimeField("sửa lúc", auto_now=True)

    objects = HousingCaseQuerySet.as_manager()

    class Meta:
        verbose_name = "hộ được hỗ trợ nhà ở"
        verbose_name_plural = "hộ được hỗ trợ nhà ở"
        ordering = ["village__commune__name", "village__name", "household_head"]
        constraints = [
            models.CheckConstraint(
                condition=Q(workdays__gte=0),
                name="housing_case_workdays_not_negative",
                violation_error_message="Số ngày công không được âm.",
            ),
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True) | Q(birth_year__range=(1900, 2100)),
                name="housing_case_birth_year_sane",
                violation_error_message="Năm sinh phải trong khoảng 1900–2100.",
            ),
            models.CheckConstraint(
                condition=ordered_dates("surveyed_on", "approved_on")
                & ordered_dates("approved_on", "started_on")
                & ordered_dates("started_on", "completed_on")
                & ordered_dates("completed_on", "handed_over_on"),
                name="housing_case_steps_ordered",
                violation_error_message=(
                    "Các mốc phải theo thứ tự: khảo sát, phê duyệt, khởi công, hoàn thành, "
                    "bàn giao."
                ),
            ),
            # Each status past "surveyed" carries the date of its step.
            *_status_date_checks(),
        ]

    def __str__(self) -> str:
        return f"{self.household_head} ({self.village})"


class Funding(models.Model):
    """Money a case received from one source in one year."""

    class Source(models.TextChoices):
        CENTRAL = "trung_uong", "Ngân sách trung ương"
        PROVINCE = "tinh", "Ngân sách tỉnh"
        DISTRICT = "huyen", "Ngân sách huyện"
        COMMUNE = "xa", "Ngân sách xã"
        SOCIAL = "xa_hoi_hoa", "Huy động xã hội hóa"
        LOAN = "vay", "Vốn vay ưu đãi"
        HOUSEHOLD = "ho_gia_dinh", "Hộ gia đình tự có"
        OTHER = "khac", "Nguồn khác"

    case = models.ForeignKey(
        HousingCase, on_delete=models.CASCADE, related_name="funding", verbose_name="hộ"
    )
    source = models.CharField("nguồn", max_length=12, choices=Source.choices)
    year = models.PositiveSmallIntegerField("năm")
    amount = models.PositiveBigIntegerField("số tiền (đồng)")
    note = NFCCharField("ghi chú", max_length=255, blank=True)

    class Meta:
        verbose_name = "nguồn kinh phí"
        verbose_name_plural = "nguồn kinh phí"
        ordering = ["year", "source"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "source", "year"],
                name="funding_once_per_source_year",
                violation_error_message="Hộ này đã có khoản kinh phí từ nguồn này trong năm.",
            ),
            models.CheckConstraint(
                condition=Q(year__range=RECORD_YEARS),
                name="funding_year_sane",
                violation_error_message="Năm phải trong khoảng 2000–2100.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.year}"

    def get_additional_data(self) -> dict:
        # Lets the case page find the audit entries of its funding rows, deleted ones too.
        return {"case_id": self.case_id}


auditlog.register(
    HousingCase,
    m2m_fields={"helping_units", "activities"},
    exclude_fields=["created_at", "updated_at", "version"],
)
auditlog.register(Funding)
