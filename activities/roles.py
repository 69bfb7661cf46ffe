"""The three roles, as Django groups (created by migration activities/0002)."""

ADMINS = "Quản trị"
OFFICIALS = "Lãnh đạo"
STAFF = "Cán bộ nhập liệu"

ALL = (ADMINS, OFFICIALS, STAFF)

# The Django permissions of the admin group (granted by migration activities/0010), by app:
# every permission of the data, the accounts and the login lockouts; only "view" on the two
# audit trails (django-auditlog's and the admin's own log), so that nobody erases the trace
# of a change. A model added later needs a migration granting its permissions too:
# tests/test_admin_group.py fails until it has one.
ADMIN_APPS_EVERYTHING = ("activities", "housing", "auth", "axes")
ADMIN_APPS_READ_ONLY = ("auditlog", "admin")
