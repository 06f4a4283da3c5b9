from django.urls import path

from . import views

app_name = "compute"

P = "programmes/<slug:slug>/compute/"

urlpatterns = [
    path(P, views.overview, name="overview"),
    path(P + "export/", views.export, name="export"),
    path(P + "resources/new/", views.resource_form, name="resource_create"),
    path(P + "resources/<int:resource_id>/", views.resource_form, name="resource_edit"),
    path(P + "pools/new/", views.pool_form, name="pool_create"),
    path(P + "pools/<int:pool_id>/", views.pool_detail, name="pool_detail"),
    path(P + "pools/<int:pool_id>/edit/", views.pool_form, name="pool_edit"),
    path(P + "pools/<int:pool_id>/bulk/", views.pool_bulk, name="pool_bulk"),
    path(P + "pools/<int:pool_id>/upload/", views.pool_upload, name="pool_upload"),
    path(
        P + "allocations/<int:allocation_id>/",
        views.allocation_detail,
        name="allocation_detail",
    ),
    path(
        P + "allocations/<int:allocation_id>/adjust/",
        views.allocation_adjust,
        name="allocation_adjust",
    ),
    path(
        P + "allocations/<int:allocation_id>/suspend/",
        views.allocation_suspend,
        name="allocation_suspend",
    ),
    path(
        P + "allocations/<int:allocation_id>/resume/",
        views.allocation_resume,
        name="allocation_resume",
    ),
    path(P + "requests/", views.request_list, name="request_list"),
    path(P + "requests/<int:request_id>/decide/", views.request_decide, name="request_decide"),
    path(P + "tokens/", views.token_list, name="token_list"),
    path(P + "tokens/new/", views.token_create, name="token_create"),
    path(P + "tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    # The participant's own compute, in every programme they take part in.
    path("compute/", views.mine, name="mine"),
    path(
        "compute/allocations/<int:allocation_id>/request/",
        views.topup_request,
        name="topup_request",
    ),
]
