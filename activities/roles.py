"""The three roles, as Django groups (created by migration activities/0002)."""

ADMINS = "Quản trị"
OFFICIALS = "Lãnh đạo"
STAFF = "Cán bộ nhập liệu"

ALL = (ADMINS, OFFICIALS, STAFF)
