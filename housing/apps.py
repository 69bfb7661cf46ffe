from django.apps import AppConfig


class HousingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "housing"
    verbose_name = "Hỗ trợ nhà ở"

    def ready(self) -> None:
        # The activity form's housing case is linked by housing's own service.
        from activities.services import activity_form_saved
        from housing.services import activity_form_case_link

        activity_form_saved.connect(
            activity_form_case_link, dispatch_uid="housing.activity_form_case_link"
        )
