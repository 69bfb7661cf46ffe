"""Template context shared by every page."""

from activities import access


def roles(request) -> dict:
    return {"can_read_everything": access.can_read_everything(request.user)}
