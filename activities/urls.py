"""Staff pages: a unit's month, and adding, editing and deleting its activities."""

from django.urls import path

from activities import views

app_name = "activities"

MONTH = "don-vi/<int:unit_id>/thang/<int:year>/<int:month>/"

urlpatterns = [
    path("thang/", views.month_redirect, name="month_redirect"),
    path(MONTH, views.month_view, name="month"),
    path(MONTH + "gui/", views.month_submit, name="month_submit"),
    path(MONTH + "mo-lai/", views.month_reopen, name="month_reopen"),
    path("don-vi/<int:unit_id>/hoat-dong/them/", views.activity_create, name="activity_create"),
    path("hoat-dong/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("hoat-dong/<int:pk>/sua/", views.activity_update, name="activity_update"),
    path("hoat-dong/<int:pk>/xoa/", views.activity_delete, name="activity_delete"),
]
