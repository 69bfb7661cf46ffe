"""Who may see and change what: the three roles and the units a user works for.

Views call these helpers instead of checking groups themselves, so every page applies the
same rules: staff see and edit their own units; officials read everything and edit nothing;
admins do everything.
"""

from __future__ import annotations

import datetime
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from activities import roles
from activities.models import Assignment, Commune, PartyUnit


def _groups(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_role_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_groups = cached
    return cached


def is_admin(user) -> bool:
    return user.is_authenticated and (user.is_superuser or roles.ADMINS in _groups(user))


def is_official(user) -> bool:
    return roles.OFFICIALS in _groups(user) and not is_admin(user)


def is_staff_member(user) -> bool:
    return roles.STAFF in _groups(user) and not is_admin(user)


def can_read_everything(user) -> bool:
    return is_admin(user) or is_official(user)


def role_label(user: AnonymousUser) -> str:
    if is_admin(user):
        return roles.ADMINS
    if is_official(user):
        return roles.OFFICIALS
    if is_staff_member(user):
        return roles.STAFF
    return ""


def readable_units(user) -> QuerySet[PartyUnit]:
    if can_read_everything(user):
        return PartyUnit.objects.all()
    if is_staff_member(user):
        return PartyUnit.objects.filter(staff=user)
    return PartyUnit.objects.none()


def editable_units(user) -> QuerySet[PartyUnit]:
    if is_admin(user):
        return PartyUnit.objects.all()
    if is_staff_member(user):
        return PartyUnit.objects.filter(staff=user)
    return PartyUnit.objects.none()


def staff_communes(user) -> QuerySet[Commune]:
    """Communes whose housing cases the user may see: all for readers; for staff every commune
    their units have ever been assigned to, so that the history stays readable."""
    if can_read_everything(user):
        return Commune.objects.all()
    return Commune.objects.filter(assignments__unit__in=editable_units(user)).distinct()


def writable_communes(user, *, on: datetime.date | None = None) -> QuerySet[Commune]:
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


def get_unit(user, pk: int, *, write: bool = False) -> PartyUnit:
    """The unit, if the user may read it (or write to it); 404 hides others' units from staff."""
    unit = readable_units(user).filter(pk=pk).first()
    if unit is None:
        raise Http404("Không tìm thấy đơn vị.")
    if write and not editable_units(user).filter(pk=pk).exists():
        raise PermissionDenied("Bạn chỉ được xem, không được sửa dữ liệu của đơn vị này.")
    return unit


def require_editor(user) -> None:
    if not (is_admin(user) or is_staff_member(user)):
        raise PermissionDenied("Tài khoản của bạn chỉ được xem, không được sửa dữ liệu.")


def require_admin(user) -> None:
    if not is_admin(user):
        raise PermissionDenied("Chỉ quản trị mới được làm việc này.")


def require_role(user) -> None:
    if not role_label(user):
        raise PermissionDenied("Tài khoản của bạn chưa được phân quyền. Liên hệ quản trị.")


def role_required(view):
    """Pages for people with a role: anonymous users go to login, others without a role get 403."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        require_role(request.user)
        return view(request, *args, **kwargs)

    return login_required(wrapper)
