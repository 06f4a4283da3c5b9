"""The reviewer's own pages: the queue and the scoring page."""

from django.urls import path

from .views import reviews

app_name = "reviews"

urlpatterns = [
    path("", reviews.review_queue, name="queue"),
    path("<int:assignment_id>/", reviews.review_score, name="score"),
    path("<int:assignment_id>/conflict/", reviews.review_flag_conflict, name="flag_conflict"),
    path("<int:assignment_id>/files/<slug:key>/", reviews.review_file, name="file"),
]
