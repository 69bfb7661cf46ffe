"""Who may see and change what: the three roles, the units a user works for, and the part
of the province a user's organisation reaches.

Views call these helpers instead of checking groups themselves, so every page applies the
same rules: staff see and edit their own units; officials read what their organisation
reaches (`reach_of`) and edit nothing; admins do everything within their reach. A view
says who may open it with one decorator (role_required,
readers_only, editors_only, admins_only, file_for_readers) and gets the unit or case it is
about from a getter that refuses (get_unit; housing.selectors.housing_case_get).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import TypeGuard

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from activities import roles
from activities.models import Account, Assignment, Commune, PartyUnit

# A request's user, signed in or not: what every helper here and every service takes. The role
# tests below are TypeGuards: a user who has a role is signed in, a User.
AnyUser = User | AnonymousUser


def _groups(user: AnyUser) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        vars(user)["_role_groups"] = cached
    return cached


def is_admin(user: AnyUser) -> TypeGuard[User]:
    return user.is_authenticated and (user.is_superuser or roles.ADMINS in _groups(user))


def is_official(user: AnyUser) -> TypeGuard[User]:
    return roles.OFFICIALS in _groups(user) and not is_admin(user)


def is_staff_member(user: AnyUser) -> TypeGuard[User]:
    return roles.STAFF in _groups(user) and not is_admin(user)


# --- What a user's organisation reaches ------------------------------------------------

# Organisations whose officials and admins read the whole province and its history.
PROVINCE_WIDE = {PartyUnit.Kind.TINH_UY, PartyUnit.Kind.BAN}


@dataclass(frozen=True)
class Reach:
    """The part of the province a reader sees: everything (`communes` and `units` None), or
    the activities in `communes` and those of `units`, wherever they were.

    A commune's own organisations (Đảng ủy xã and its chi bộ) reach the commune and the
    former communes merged into it, with every organisation's work there; any other
    organisation below the province reaches its own work and its units'."""

    label: str  # "Toàn tỉnh", "Xã Bình An", "Huyện Lâm Bình (cũ)", an organisation's name
    issuing_body: str  # "BAN TUYÊN GIÁO VÀ DÂN VẬN TỈNH ỦY", "ĐẢNG ỦY XÃ BÌNH AN"
    place: str  # where its reports are signed: "Tuyên Quang", "Bình An"
    organisation: PartyUnit | None = None
    communes: frozenset[int] | None = None
    units: frozenset[int] | None = None

    @property
    def whole(self) -> bool:
        return self.communes is None and self.units is None

    def q(self, prefix: str = "") -> Q:
        """The condition on a row with `unit` and `commune` (an activity, a summary row)."""
        if self.whole:
            return Q()
        return Q(**{f"{prefix}commune__in": self.communes or ()}) | Q(
            **{f"{prefix}unit__in": self.units or ()}
        )

    def commune_q(self, field: str = "pk") -> Q:
        """The condition on a commune (or a row's commune, `field`) being in reach; with no
        communes of its own, none is."""
        if self.communes is None:
            return Q()
        return Q(**{f"{field}__in": self.communes})

    def unit_q(self, field: str = "pk") -> Q:
        """Organisations in reach: its own, and those of its communes."""
        if self.whole:
            return Q()
        commune = "commune" if field == "pk" else f"{field}__commune"
        return Q(**{f"{field}__in": self.units or ()}) | Q(
            **{f"{commune}__in": self.communes or ()}
        )

    def communes_worked_q(self, field: str) -> Q:
        """A row's commune (`field`) is one of the reach's, or one its organisations were
        ever assigned to: where its housing cases are."""
        if self.whole:
            return Q()
        related = "" if field == "pk" else f"{field}__"
        return Q(**{f"{field}__in": self.communes or ()}) | Q(
            **{f"{related}assignments__unit__in": self.units or ()}
        )


NOTHING = Reach(label="", issuing_body="", place="", communes=frozenset(), units=frozenset())


def province_reach(organisation: PartyUnit | None = None) -> Reach:
    return Reach(
        label="Toàn tỉnh",
        issuing_body=organisation.name.upper() if organisation else settings.ISSUING_BODY,
        place=settings.PROVINCE_NAME,
        organisation=organisation,
    )


def organisation_reach(organisation: PartyUnit) -> Reach:
    """What an organisation's officials read (see `Reach`)."""
    if organisation.kind in PROVINCE_WIDE:
        return province_reach(organisation)
    units = frozenset(u.pk for u in organisation.subtree())
    body = organisation.name.upper()
    commune = organisation.commune
    if commune is not None:
        before = commune.predecessors.values_list("pk", flat=True)
        merged = commune.main_predecessors.values_list("pk", flat=True)
        communes = frozenset([commune.pk, *before, *merged])
        return Reach(
            label=commune.full_name[:1].upper() + commune.full_name[1:],
            issuing_body=body,
            place=commune.name,
            organisation=organisation,
            communes=communes,
            units=units,
        )
    if organisation.kind == PartyUnit.Kind.HUYEN_UY:
        # A former district's committee: the communes its units were assigned to.
        assigned = Commune.objects.filter(assignments__unit__in=units).distinct()
        districts = sorted(set(assigned.values_list("district", flat=True)) - {""})
        label = organisation.name
        if len(districts) == 1:
            label = f"Huyện {districts[0]} (cũ)"
        return Reach(
            label=label,
            issuing_body=body,
            place=districts[0] if len(districts) == 1 else settings.PROVINCE_NAME,
            organisation=organisation,
            communes=frozenset(assigned.values_list("pk", flat=True)),
            units=units,
        )
    return Reach(
        label=organisation.name,
        issuing_body=body,
        place=settings.PROVINCE_NAME,
        organisation=organisation,
        communes=frozenset(),
        units=units,
    )


def organisation_of(user: AnyUser) -> PartyUnit | None:
    if not user.is_authenticated:
        return None
    account = Account.objects.filter(user=user).select_related("organisation__commune").first()
    return account.organisation if account else None


def reach_of(user: AnyUser) -> Reach:
    """What the user reads: an official's or admin's organisation's reach (an account not
    yet given an organisation reads the whole province, as before organisations existed);
    staff, their units' work; anyone else, nothing. Computed once per request's user."""
    cached = vars(user).get("_reach") if user.is_authenticated else None
    if cached is not None:
        return cached
    if is_admin(user) or is_official(user):
        organisation = organisation_of(user)
        reach = organisation_reach(organisation) if organisation else province_reach()
    elif is_staff_member(user):
        units = PartyUnit.objects.filter(staff=user)
        reach = Reach(
            label="; ".join(u.name for u in units),
            issuing_body="",
            place=settings.PROVINCE_NAME,
            communes=frozenset(),
            units=frozenset(u.pk for u in units),
        )
    else:
        return NOTHING
    vars(user)["_reach"] = reach
    return reach


def can_read_everything(user: AnyUser) -> TypeGuard[User]:
    """Officials and admins: the readers of reports (of what their organisation reaches)."""
    return is_admin(user) or is_official(user)


def can_edit(user: AnyUser) -> TypeGuard[User]:
    """Staff (their own units' data) and admins; officials only read."""
    return is_admin(user) or is_staff_member(user)


def role_label(user: AnyUser) -> str:
    if is_admin(user):
        return roles.ADMINS
    if is_official(user):
        return roles.OFFICIALS
    if is_staff_member(user):
        return roles.STAFF
    return ""


def readable_units(user: AnyUser) -> QuerySet[PartyUnit]:
    """Staff: their units. Readers: the units in their reach (its own organisations and
    those of its communes; all for the province)."""
    if can_read_everything(user):
        return PartyUnit.objects.filter(reach_of(user).unit_q())
    if is_staff_member(user):
        return PartyUnit.objects.filter(staff=user)
    return PartyUnit.objects.none()


def editable_units(user: AnyUser) -> QuerySet[PartyUnit]:
    if is_admin(user):
        return PartyUnit.objects.filter(reach_of(user).unit_q())
    if is_staff_member(user):
        return PartyUnit.objects.filter(staff=user)
    return PartyUnit.objects.none()


def readable_activities(user: AnyUser, queryset: QuerySet) -> QuerySet:
    """`queryset` (of activities, or rows with `unit` and `commune`) cut to what the user
    reads: a reader's reach; staff, their units' rows."""
    if can_read_everything(user):
        return queryset.filter(reach_of(user).q())
    if is_staff_member(user):
        return queryset.filter(unit__in=editable_units(user))
    return queryset.none()


def _with_predecessors(communes: QuerySet[Commune]) -> QuerySet[Commune]:
    """The communes and the former ones merged into them: a case's village is recorded under
    the commune it was in when first written down."""
    ids = communes.values("pk")
    return Commune.objects.filter(Q(pk__in=ids) | Q(successors__in=ids) | Q(successor__in=ids))


def staff_communes(user: AnyUser) -> QuerySet[Commune]:
    """Communes whose housing cases the user may see: a reader's reach's, and those its
    organisations were ever assigned to; for staff every commune their units have ever been
    assigned to or work in as its own committee, with the communes merged into those, so
    that the history stays readable."""
    if can_read_everything(user):
        return Commune.objects.filter(reach_of(user).communes_worked_q("pk")).distinct()
    units = editable_units(user)
    worked = Commune.objects.filter(Q(assignments__unit__in=units) | Q(party_units__in=units))
    return _with_predecessors(worked).distinct()


def writable_communes(user: AnyUser, *, on: datetime.date | None = None) -> QuerySet[Commune]:
    """Communes whose housing cases the user may change on `on` (today): those in an admin's
    reach; for staff those their units work in that day (an assignment in force, or as the
    commune's own committee), with the communes merged into them; none for officials."""
    if is_admin(user):
        return staff_communes(user)
    if not is_staff_member(user):
        return Commune.objects.none()
    day = on or timezone.localdate()
    units = editable_units(user)
    in_force = Assignment.objects.filter(unit__in=units).active_on(day)
    own = PartyUnit.objects.filter(pk__in=units.values("pk")).in_own_commune_on(day)
    working = Commune.objects.filter(
        Q(pk__in=in_force.values("commune")) | Q(pk__in=own.values("commune"))
    )
    return _with_predecessors(working)


def get_unit(user: AnyUser, pk: int, *, write: bool = False) -> PartyUnit:
    """The unit, if the user may read it (or write to it); 404 hides others' units from staff."""
    unit = readable_units(user).filter(pk=pk).first()
    if unit is None:
        raise Http404("Không tìm thấy đơn vị.")
    if write and not editable_units(user).filter(pk=pk).exists():
        raise PermissionDenied("Bạn chỉ được xem, không được sửa dữ liệu của đơn vị này.")
    return unit


def require_editor(user: AnyUser) -> User:
    """The user, known from here on to be signed in: what a service records as the author."""
    if not can_edit(user):
        raise PermissionDenied("Tài khoản của bạn chỉ được xem, không được sửa dữ liệu.")
    return user


def require_admin(user: AnyUser) -> User:
    if not is_admin(user):
        raise PermissionDenied("Chỉ quản trị mới được làm việc này.")
    return user


def require_role(user: AnyUser) -> None:
    if not role_label(user):
        raise PermissionDenied("Tài khoản của bạn chưa được phân quyền. Liên hệ quản trị.")


def require_reader(user: AnyUser) -> User:
    """Officials and admins: the summary tables of the whole district are theirs."""
    if not can_read_everything(user):
        raise PermissionDenied("Bảng tổng hợp dành cho lãnh đạo và quản trị.")
    return user


def require_signed_in(user: AnyUser) -> None:
    if not user.is_authenticated:
        raise PermissionDenied("Cần đăng nhập.")


# --- Who may open a page: one decorator per view ---------------------------------------
# Views never check roles themselves: a page says who it is for with one of the decorators
# below, and an object's page gets the object through a getter that refuses (get_unit, the
# housing case getter). Each refusal is a 403 whose message says why.

View = Callable[..., HttpResponse]
Requirement = Callable[[AnyUser], object]


class SignedInRequest(HttpRequest):
    """The request a view behind one of these decorators gets: its user is signed in. Only a
    type for the checker (the view hands `request.user` on as an author); Django's request
    is a plain HttpRequest."""

    user: User


def _guard(*requirements: Requirement, login: bool = True) -> Callable[[View], View]:
    """A decorator running `requirements` on the user before the view; each raises its 403.
    With `login`, anonymous users go to the login page first."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            for require in requirements:
                require(request.user)
            return view(request, *args, **kwargs)

        return login_required(wrapper) if login else wrapper

    return decorator


# Anyone with a role (staff, officials, admins).
role_required = _guard(require_role)
# Officials and admins: the dashboard and its printed report.
readers_only = _guard(require_role, require_reader)
# Staff and admins: the pages that change data (officials only read).
editors_only = _guard(require_role, require_editor)
# Admins only.
admins_only = _guard(require_role, require_admin)
# A file for officials and admins, not a page: an anonymous request gets a 403, not the
# login page (a download link has no page to come back to).
file_for_readers = _guard(require_signed_in, require_role, require_reader, login=False)
