"""Who may see and change what: the three roles and the units a user works for.

Views call these helpers instead of checking groups themselves, so every page applies the
same rules: staff see and edit their own units; officials read everything and edit nothing;
admins do everything. A view says who may open it with one decorator (role_required,
readers_only, editors_only, admins_only, file_for_readers) and gets the unit or case it is
about from a getter that refuses (get_unit; housing.selectors.housing_case_get).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from functools import wraps
from typing import TypeGuard

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from activities import roles
from activities.models import Assignment, Commune, PartyUnit

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


def can_read_everything(user: AnyUser) -> TypeGuard[User]:
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
    if can_read_everything(user):
        return PartyUnit.objects.all()
    if is_staff_member(user):
        return PartyUnit.objects.filter(staff=user)
    return PartyUnit.objects.none()


def editable_units(user: AnyUser) -> QuerySet[PartyUnit]:
    if is_admin(user):
        return PartyUnit.objects.all()
    if is_staff_member(user):
        return PartyUnit.objects.filter(staff=user)
    return PartyUnit.objects.none()


def staff_communes(user: AnyUser) -> QuerySet[Commune]:
    """Communes whose housing cases the user may see: all for readers; for staff every commune
    their units have ever been assigned to, so that the history stays readable."""
    if can_read_everything(user):
        return Commune.objects.all()
    return Commune.objects.filter(assignments__unit__in=editable_units(user)).distinct()


def writable_communes(user: AnyUser, *, on: datetime.date | None = None) -> QuerySet[Commune]:
    """Communes whose housing cases the user may change on `on` (today): all for admins; for
    staff those their units' assignments in force that day cover; none for officials."""
    if is_admin(user):
        return Commune.objects.all()
    if not is_staff_member(user):
        return Commune.objects.none()
    in_force = Assignment.objects.filter(unit__in=editable_units(user)).active_on(
        on or timezone.localdate()
    )
    return Commune.objects.filter(pk__in=in_force.values("commune"))


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
