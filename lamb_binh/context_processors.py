"""Template context shared by every page."""

from django.conf import settings

from activities import access


def roles(request) -> dict:
    return {
        "can_read_everything": access.can_read_everything(request.user),
        "province_name": settings.PROVINCE_NAME,  # the site's name: "“3 cùng” Tuyên Quang"
    }
