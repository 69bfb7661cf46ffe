"""Site URLs: login/logout, home, the staff pages of each app, and the admin."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from lamb_binh import views
from lamb_binh.dashboard import exports
from lamb_binh.dashboard import views as dashboard
from lamb_binh.middleware import HEALTH_PATH

admin.site.site_header = "Quản trị — Theo dõi “3 cùng” Lâm Bình"
admin.site.site_title = "Quản trị “3 cùng”"
admin.site.index_title = "Dữ liệu"

# A 503 "try again" page when the database is away; the 500 page otherwise.
handler500 = "lamb_binh.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path(HEALTH_PATH.lstrip("/"), views.health, name="health"),
    path(
        "dang-nhap/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("dang-xuat/", views.logout, name="logout"),
    path("doi-mat-khau/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "doi-mat-khau/xong/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("tong-hop/", dashboard.dashboard, name="dashboard"),
    path("tong-hop/in/", dashboard.dashboard_print, name="dashboard_print"),
    path("tong-hop/xuat/<slug:table>/", exports.dashboard_export, name="dashboard_export"),
    # The activities behind a dashboard figure (same period and filters).
    path("hoat-dong/", dashboard.activity_list, name="activity_list"),
    path("", include("activities.urls")),
    path("ho-tro-nha-o/", include("housing.urls")),
    path("quan-tri/", admin.site.urls),
]
