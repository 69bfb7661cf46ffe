"""Admin for reference data and activities (Vietnamese, searchable, no N+1 on lists)."""

from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from activities.models import (
    Activity,
    ActivityType,
    ActivityVillage,
    Assignment,
    Commune,
    PartyUnit,
    Village,
)


class ValidityFilter(admin.SimpleListFilter):
    title = _("hiệu lực")
    parameter_name = "hieu_luc"

    def lookups(self, request, model_admin):
        return [("con", _("Còn hiệu lực")), ("het", _("Hết hiệu lực"))]

    def queryset(self, request, queryset):
        if self.value() == "con":
            return queryset.filter(valid_to__isnull=True)
        if self.value() == "het":
            return queryset.filter(valid_to__isnull=False)
        return queryset


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "kind",
        "code",
        "district",
        "province",
        "valid_from",
        "valid_to",
        "successor",
        "village_count",
    ]
    list_filter = [ValidityFilter, "kind", "province", "district"]
    search_fields = ["name", "code"]
    list_select_related = ["successor"]
    autocomplete_fields = ["successor"]
    ordering = ["valid_from", "name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_village_count=Count("villages"))

    @admin.display(description=_("số thôn"), ordering="_village_count")
    def village_count(self, obj: Commune) -> int:
        return obj._village_count


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "commune", "aliases", "valid_from", "valid_to"]
    list_filter = [ValidityFilter, "kind", "commune"]
    search_fields = ["name", "aliases", "commune__name"]
    list_select_related = ["commune"]
    autocomplete_fields = ["commune"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["commune"]


@admin.register(PartyUnit)
class PartyUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "code", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "code"]
    prepopulated_fields = {"code": ["short_name"]}
    filter_horizontal = ["staff"]
    inlines = [AssignmentInline]


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["unit", "commune", "decision_number", "decision_date", "start", "end"]
    list_filter = ["commune", "unit"]
    search_fields = ["unit__name", "unit__short_name", "commune__name", "decision_number"]
    list_select_related = ["unit", "commune"]
    autocomplete_fields = ["unit", "commune"]
    date_hierarchy = "start"


@admin.register(ActivityType)
class ActivityTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "default_unit", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


class ActivityVillageInline(admin.TabularInline):
    model = ActivityVillage
    extra = 1
    autocomplete_fields = ["village"]
    verbose_name = _("thôn, bản")
    verbose_name_plural = _("thôn, bản")


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = [
        "date",
        "unit",
        "commune",
        "activity_type",
        "cadre_participations",
        "people_participations",
        "workdays",
        "created_by",
    ]
    list_filter = ["activity_type", "commune", "unit"]
    search_fields = ["description", "unit__name", "unit__short_name", "commune__name"]
    list_select_related = ["unit", "commune", "activity_type", "created_by"]
    autocomplete_fields = ["unit", "commune", "activity_type"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    date_hierarchy = "date"
    inlines = [ActivityVillageInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
