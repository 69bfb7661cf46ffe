"""Admin for reference data and activities (Vietnamese, searchable, no N+1 on lists)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from activities import access, services
from activities.forms import VersionField, version_errors_above
from activities.imports import kinds as imports
from activities.imports.admin import (
    AdminMixinBase,
    GuardedChangeListMixin,
    ListExportMixin,
    SpreadsheetAdminMixin,
)
from activities.imports.registry import kind_for
from activities.models import (
    Account,
    Activity,
    ActivityType,
    ActivityVillage,
    Assignment,
    Commune,
    ImportBatch,
    MonthReport,
    PartyUnit,
    Village,
    VillageCommune,
)
from activities.text import CleanTextFormField, name_key


class VersionedAdminForm(forms.ModelForm):
    """A change form that carries the version of the row it was opened on: saving it after
    someone else saved the row (here or on the staff pages) is refused with a form error,
    the same message the staff pages give. Subclasses name the row in `version_noun`."""

    version_noun = "bản ghi"
    version = VersionField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["version"].required = True
            self.initial["version"] = self.versioned_row().version

    def versioned_row(self):
        """The row whose version the form carries (a part of a case carries the case's)."""
        return self.instance

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        version_errors_above(self)
        if self.instance.pk is not None and cleaned.get("version") is not None:
            row = self.versioned_row()
            # Locks the row until the admin's transaction ends: the save below is the only one.
            self.next_version = services.version_claim(
                model=type(row), pk=row.pk, version=cleaned["version"], noun=self.version_noun
            )
        return cleaned


class VersionedAdminMixin(AdminMixinBase):
    """Saves a change with the version its form claimed (see VersionedAdminForm)."""

    # The model field is not editable; the form's own hidden field stands for it.
    exclude = ["version"]

    def save_model(self, request, obj, form, change):
        if change:
            obj.version = form.next_version
        super().save_model(request, obj, form, change)


class _UniqueNameForm(forms.ModelForm):
    """Refuses a name another row already has once NFC-normalised and case-folded, with the
    Vietnamese message, before the database's unique key would answer with an error page."""

    def name_clash(self, key: str, cleaned: dict):
        raise NotImplementedError

    @staticmethod
    def clash_message(clash) -> str:
        raise NotImplementedError

    def clean(self):
        super().clean()
        cleaned = self.cleaned_data
        name = cleaned.get("name")
        if name:
            clash = self.name_clash(name_key(name), cleaned)
            if clash is not None:
                self.add_error("name", self.clash_message(clash))
        return cleaned


class VillageAdminForm(_UniqueNameForm):
    def name_clash(self, key, cleaned):
        if cleaned.get("commune") is None:
            return None
        same = Village.objects.filter(commune=cleaned["commune"], name_key=key)
        return same.exclude(pk=self.instance.pk).first()

    @staticmethod
    def clash_message(clash: Village) -> str:
        commune = clash.commune.full_name
        return (
            f"{commune[:1].upper()}{commune[1:]} đã có {clash.get_kind_display().lower()} "
            f"“{clash.name}” (tên trùng khi không phân biệt chữ hoa, chữ thường)."
        )


class PartyUnitAdminForm(_UniqueNameForm):
    def name_clash(self, key, cleaned):
        return PartyUnit.objects.filter(name_key=key).exclude(pk=self.instance.pk).first()

    @staticmethod
    def clash_message(clash: PartyUnit) -> str:
        return f"Đã có đơn vị “{clash.name}” (tên trùng khi không phân biệt chữ hoa, chữ thường)."


class ActivityAdminForm(VersionedAdminForm):
    version_noun = "hoạt động"


class ValidityFilter(admin.SimpleListFilter):
    title = "hiệu lực"
    parameter_name = "hieu_luc"

    def lookups(self, request, model_admin):
        return [("con", "Còn hiệu lực"), ("het", "Hết hiệu lực")]

    def queryset(self, request, queryset):
        if self.value() == "con":
            return queryset.filter(valid_to__isnull=True)
        if self.value() == "het":
            return queryset.filter(valid_to__isnull=False)
        return queryset


class ReachAdminMixin:
    """What an admin limited to a commune (an account of a Đảng ủy xã) sees and changes: the
    rows in its reach, in lists, by id and in the choices of a form; province-wide admins
    (and accounts without an organisation) everything. `reach_q` says which rows."""

    def reach_q(self, reach: access.Reach) -> Q:
        return reach.q()

    def get_queryset(self, request):
        queryset = super().get_queryset(request)  # type: ignore[misc]
        reach = access.reach_of(request.user)
        if reach.whole:
            return queryset
        # By id, so that a join through a many-valued relation neither repeats rows nor
        # multiplies a list's sums.
        inside = queryset.model._default_manager.filter(self.reach_q(reach)).values("pk")
        return queryset.filter(pk__in=inside)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        reach = access.reach_of(request.user)
        if not reach.whole and db_field.name in {"unit", "organisation", "parent"}:
            kwargs["queryset"] = PartyUnit.objects.filter(reach.unit_q())
        elif not reach.whole and db_field.name == "commune":
            kwargs["queryset"] = access.staff_communes(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


@admin.register(Commune)
class CommuneAdmin(SpreadsheetAdminMixin, admin.ModelAdmin):
    import_kind = imports.CommuneImport
    list_display = [
        "name",
        "kind",
        "code",
        "district",
        "province",
        "valid_from",
        "valid_to",
        "successor",
        "successor_names",
        "village_count",
    ]
    list_filter = [ValidityFilter, "kind", "province", "district"]
    search_fields = ["name", "code"]
    list_select_related = ["successor"]
    autocomplete_fields = ["successor", "successors"]
    ordering = ["valid_from", "name"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).annotate(_village_count=Count("villages"))
        return queryset.prefetch_related("successors")

    @admin.display(description="các xã kế thừa")
    def successor_names(self, obj: Commune) -> str:
        """Every commune it went into: a divided commune lists several."""
        successors = sorted(obj.successors.all(), key=lambda c: c.code)
        return ", ".join(f"{c.name} ({c.code})" for c in successors)

    @admin.display(description="số thôn", ordering="_village_count")
    def village_count(self, obj: Commune) -> int:
        return getattr(obj, "_village_count", 0)


class VillageCommuneInline(admin.TabularInline):
    """The village's communes over time (each row checks it overlaps no other)."""

    model = VillageCommune
    extra = 0
    autocomplete_fields = ["commune"]


@admin.register(Village)
class VillageAdmin(ReachAdminMixin, SpreadsheetAdminMixin, admin.ModelAdmin):
    import_kind = imports.VillageImport
    form = VillageAdminForm
    list_display = ["name", "kind", "commune", "aliases", "valid_from", "valid_to"]
    list_filter = [ValidityFilter, "kind", "commune"]
    search_fields = ["name", "aliases", "commune__name"]
    list_select_related = ["commune"]
    autocomplete_fields = ["commune"]
    inlines = [VillageCommuneInline]

    def reach_q(self, reach: access.Reach) -> Q:
        return Q(memberships__commune__in=reach.communes or ())

    def get_inline_instances(self, request, obj=None):
        # A new village gets its communes from the one it is recorded in (Village.save).
        return super().get_inline_instances(request, obj) if obj is not None else []


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    autocomplete_fields = ["commune"]


@admin.register(PartyUnit)
class PartyUnitAdmin(ReachAdminMixin, SpreadsheetAdminMixin, admin.ModelAdmin):
    import_kind = imports.UnitImport
    form = PartyUnitAdminForm
    list_display = [
        "name",
        "short_name",
        "code",
        "kind",
        "parent",
        "commune",
        "valid_from",
        "valid_to",
        "is_active",
    ]
    list_filter = [ValidityFilter, "kind", "is_active"]
    list_select_related = ["parent", "commune"]
    search_fields = ["name", "short_name", "code"]
    prepopulated_fields = {"code": ["short_name"]}
    autocomplete_fields = ["parent", "continued_by", "commune"]
    filter_horizontal = ["staff"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "code", "kind", "is_active"]}),
        (
            "Vị trí và hiệu lực",
            {"fields": ["parent", "commune", "valid_from", "valid_to", "continued_by"]},
        ),
        ("Cán bộ nhập liệu", {"fields": ["staff"]}),
    ]
    inlines = [AssignmentInline]

    def reach_q(self, reach: access.Reach) -> Q:
        return reach.unit_q()


@admin.register(Assignment)
class AssignmentAdmin(ReachAdminMixin, SpreadsheetAdminMixin, admin.ModelAdmin):
    import_kind = imports.AssignmentImport
    list_display = ["unit", "commune", "decision_number", "decision_date", "start", "end"]
    list_filter = ["commune", "unit"]
    search_fields = ["unit__name", "unit__short_name", "commune__name", "decision_number"]
    list_select_related = ["unit", "commune"]
    autocomplete_fields = ["unit", "commune"]
    date_hierarchy = "start"


@admin.register(ActivityType)
class ActivityTypeAdmin(ListExportMixin, admin.ModelAdmin):
    list_display = ["name", "default_unit", "order", "is_active"]
    list_editable = ["order", "is_active"]
    search_fields = ["name", "code"]
    prepopulated_fields = {"code": ["name"]}


class ActivityVillageInline(admin.TabularInline):
    model = ActivityVillage
    extra = 1
    autocomplete_fields = ["village"]
    verbose_name = "thôn, bản"
    verbose_name_plural = "thôn, bản"


@admin.register(Activity)
class ActivityAdmin(ReachAdminMixin, VersionedAdminMixin, SpreadsheetAdminMixin, admin.ModelAdmin):
    import_kind = imports.ActivityImport
    form = ActivityAdminForm
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


@admin.register(MonthReport)
class MonthReportAdmin(ReachAdminMixin, ListExportMixin, admin.ModelAdmin):
    """Month reports; they are made and reopened from the unit's month page."""

    list_display = [
        "unit",
        "month",
        "year",
        "state",
        "submitted_by",
        "submitted_at",
        "reopened_by",
        "reopen_reason",
    ]
    list_filter = ["state", "year", "unit"]
    search_fields = ["unit__name", "unit__short_name", "reopen_reason"]
    list_select_related = ["unit", "submitted_by", "reopened_by"]
    readonly_fields = [f.name for f in MonthReport._meta.fields]

    def reach_q(self, reach: access.Reach) -> Q:
        return reach.unit_q("unit")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ImportBatch)
class ImportBatchAdmin(ListExportMixin, admin.ModelAdmin):
    """The imports done so far; an admin can undo one whole."""

    list_display = [
        "created_at",
        "kind_label",
        "file_name",
        "created_by",
        "rows_new",
        "rows_updated",
        "rows_skipped",
        "state",
        "undo_link",
    ]
    list_filter = ["state", "kind"]
    list_select_related = ["created_by", "undone_by"]
    search_fields = ["file_name", "file_hash"]
    readonly_fields = [f.name for f in ImportBatch._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="loại dữ liệu")
    def kind_label(self, obj: ImportBatch) -> str:
        kind = kind_for(obj.kind)
        return kind.label if kind else obj.kind

    @admin.display(description="hoàn tác")
    def undo_link(self, obj: ImportBatch):
        if obj.state != ImportBatch.State.DONE:
            return "—"
        url = reverse("admin:activities_importbatch_undo", args=[obj.pk])
        return format_html('<a class="button" href="{}">Hoàn tác</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:pk>/hoan-tac/",
                self.admin_site.admin_view(self.undo_view),
                name="activities_importbatch_undo",
            ),
        ] + super().get_urls()

    def undo_view(self, request, pk: int):
        if not access.is_admin(request.user):
            raise PermissionDenied
        batch = get_object_or_404(ImportBatch, pk=pk)
        if request.method == "POST":
            from activities.imports.engine import import_undo

            try:
                import_undo(batch=batch, user=request.user)
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, message)
            else:
                messages.success(request, f"Đã hoàn tác lần nhập “{batch.file_name}”.")
            return redirect("admin:activities_importbatch_changelist")
        context = {
            **self.admin_site.each_context(request),
            "batch": batch,
            "opts": self.model._meta,
            "title": "Hoàn tác lần nhập",
        }
        return TemplateResponse(request, "admin/imports/undo_import.html", context)


class AccountInline(admin.StackedInline):
    """The organisation the account belongs to: what an official reads, what an admin
    manages (activities.access.reach_of)."""

    model = Account
    can_delete = False
    max_num = 1
    autocomplete_fields = ["organisation"]


class CleanUserAdmin(ReachAdminMixin, GuardedChangeListMixin, UserAdmin):
    """Django's user admin, with people's names cleaned like every other text (a control or
    invisible character typed into a name would otherwise reach the backup and the audit),
    and with a ceiling for admins who are not superusers: they manage accounts through the
    groups, but cannot make anyone a superuser, grant single permissions, or change a
    superuser's account (its password included)."""

    inlines = [AccountInline]

    def get_inline_instances(self, request, obj=None):
        # The organisation is chosen on the account's page, after the password step.
        return super().get_inline_instances(request, obj) if obj is not None else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A commune's admin creates accounts of its own part: the new one belongs to the
        # admin's organisation (changed on the next page, to one of its units), or the admin
        # could not open what it just made.
        if not change and not access.reach_of(request.user).whole:
            organisation = access.organisation_of(request.user)
            Account.objects.get_or_create(user=obj, defaults={"organisation": organisation})

    def reach_q(self, reach: access.Reach) -> Q:
        """A commune's admin manages the accounts of its organisations and their staff."""
        return reach.unit_q("account__organisation") | reach.unit_q("party_units")

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if request.user.is_superuser:
            return fields
        return (*fields, "is_superuser", "user_permissions")

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name in {"first_name", "last_name"}:
            return CleanTextFormField(
                max_length=db_field.max_length, required=False, label=db_field.verbose_name
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), CleanUserAdmin)
