from django.urls import path

from .views import participant, public, staff

app_name = "certificates"

C = "programmes/<slug:slug>/cohorts/<slug:cohort_slug>/certificates/"
PERSON = C + "people/<int:user_id>/"

urlpatterns = [
    # A cohort's certificates, for the programme's staff and admins.
    path(C, staff.board, name="board"),
    path(C + "rule/", staff.rule, name="rule"),
    path(C + "issue/", staff.issue_all, name="issue_all"),
    path(C + "runs/<int:run_id>/", staff.run, name="run"),
    path(PERSON, staff.person, name="person"),
    path(PERSON + "waive/", staff.waive, name="waive"),
    path(PERSON + "sign-off/", staff.sign_off, name="sign_off"),
    path(PERSON + "issue/", staff.issue_one, name="issue_one"),
    path("programmes/<slug:slug>/certificates/<str:code>/revoke/", staff.revoke, name="revoke"),
    # Each holder's own certificates.
    path("certificates/", participant.mine, name="mine"),
    path("certificates/<str:code>/certificate.pdf", participant.pdf, name="pdf"),
    # Public: verification without an account.
    path("verify/status/<int:number>.json", public.status_list, name="status_list"),
    path("verify/<str:code>/", public.verify, name="verify"),
    path("verify/<str:code>/credential.json", public.credential, name="credential"),
    path(".well-known/did.json", public.did, name="did"),
]
