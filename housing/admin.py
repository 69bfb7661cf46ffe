"""Admin for housing-support cases, their funding and the programmes."""

from django.contrib import admin
from django.db.models import Q, Sum

from activities.access import Reach
from activities.admin import ReachAdminMixin, VersionedAdminForm, VersionedAdminMixin
from activities.imports.admin import ListExportMixin, SpreadsheetAdminMixin
from activities.services import version_bump
from housing.imports import HousingCaseImport
from housing.models import Funding, HousingCase, Programme
from housing.services import CASE_NOUN


@admin.register(Programme)
class ProgrammeAdmin(ListExportMixin, admin.ModelAdmin):
    list_display = ["short_name", "start_year", "end_year", "new_build_amount", "repair_amount"]
    search_fields = ["name", "short_name", "code"]
    prepopulated_fields = {"code": ["short_name"]}


class FundingInline(admin.TabularInline):
    model = Funding
    extra = 1


class HousingCaseAdminForm(VersionedAdminForm):
    version_noun = CASE_NOUN


@admin.register(HousingCase)
class HousingCaseAdmin(
    ReachAdminMixin, VersionedAdminMixin, SpreadsheetAdminMixin, admin.ModelAdmin
):
    """The case with its funding rows: one version covers both (staff add and remove funding
    rows on the case page), so a change form opened before another save is refused."""

    def reach_q(self, reach: Reach) -> Q:
        return reach.communes_worked_q("village__commune")

    import_kind = HousingCaseImport
    form = HousingCaseAdminForm
    list_display = [
        "household_head",
        "village",
        "commune",
        "category",
        "programme",
        "work_kind",
        "status",
        "expected_completion",
        "support_amount",
        "funding_total",
    ]
    list_filter = ["status", "category", "work_kind", "programme", "village__commune"]
    search_fields = ["household_head", "village__name", "village__commune__name"]
    list_select_related = ["village__commune", "programme"]
    autocomplete_fields = ["village", "programme", "helping_units", "activities"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [FundingInline]
    fieldsets = [
        (
            "Hộ gia đình",
            {
                "fields": [
                    "household_head",
                    "birth_year",
                    "gender",
                    "ethnicity",
                    "village",
                    "category",
                ]
            },
        ),
        (
            "Hỗ trợ",
            {
                "fields": [
                    "programme",
                    "work_kind",
                    "support_amount",
                    "workdays",
                    "helping_units",
                    "activities",
                    "notes",
                ]
            },
        ),
        (
            "Tiến độ",
            {
                "fields": [
                    "status",
                    "surveyed_on",
                    "approved_on",
                    "started_on",
                    "expected_completion",
                    "completed_on",
                    "handed_over_on",
                ]
            },
        ),
        ("Theo dõi", {"fields": ["created_by", "created_at", "updated_at", "version"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_funding_total=Sum("funding__amount"))

    @admin.display(description="xã", ordering="village__commune__name")
    def commune(self, obj: HousingCase):
        return obj.village.commune

    @admin.display(description="tổng kinh phí (đồng)", ordering="_funding_total")
    def funding_total(self, obj: HousingCase) -> int:
        return getattr(obj, "_funding_total", None) or 0

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class FundingAdminForm(VersionedAdminForm):
    """A funding row is part of its case: its change form carries the case's version."""

    version_noun = CASE_NOUN

    def versioned_row(self):
        return self.instance.case


@admin.register(Funding)
class FundingAdmin(ReachAdminMixin, ListExportMixin, admin.ModelAdmin):
    form = FundingAdminForm
    fields = ["case", "source", "year", "amount", "note", "version"]
    list_display = ["case", "source", "year", "amount"]
    list_filter = ["source", "year"]
    search_fields = ["case__household_head"]
    list_select_related = ["case__village"]
    autocomplete_fields = ["case"]

    def reach_q(self, reach: Reach) -> Q:
        return reach.communes_worked_q("case__village__commune")

    def save_model(self, request, obj, form, change):
        before = Funding.objects.filter(pk=obj.pk).values_list("case", flat=True).first()
        super().save_model(request, obj, form, change)
        # Its case (and the one it left, if moved) counts the change as a save.
        for case_id in {before, obj.case_id} - {None}:
            version_bump(HousingCase(pk=case_id))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        version_bump(HousingCase(pk=obj.case_id))

    def delete_queryset(self, request, queryset):
        case_ids = set(queryset.values_list("case", flat=True))
        super().delete_queryset(request, queryset)
        for case_id in case_ids:
            version_bump(HousingCase(pk=case_id))
