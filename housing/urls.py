"""Staff pages for housing-support cases, mounted at /ho-tro-nha-o/."""

from django.urls import path

from housing import views

app_name = "housing"

CASE = "<int:pk>/"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("them/", views.case_create, name="case_create"),
    path(CASE, views.case_detail, name="case_detail"),
    path(CASE + "sua/", views.case_update, name="case_update"),
    path(CASE + "chuyen-buoc/", views.case_advance, name="case_advance"),
    path(CASE + "lui-buoc/", views.case_step_back, name="case_step_back"),
    path(CASE + "kinh-phi/them/", views.funding_add, name="funding_add"),
    path(CASE + "kinh-phi/<int:funding_id>/xoa/", views.funding_delete, name="funding_delete"),
    path(CASE + "hoat-dong/", views.case_activities, name="case_activities"),
]
