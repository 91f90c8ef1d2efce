"""The Delighted-compatible API's URLs (namespace "delighted"), included by nps/urls.py at /v1/."""

from django.urls import path, re_path

from . import autopilot, metrics, people, responses, unsubscribes
from .protocol import endpoint, unknown


def _with_and_without_json(route: str, view, name: str) -> list:
    """Delighted answers /v1/people and /v1/people.json alike (its clients leave the suffix out)."""
    return [path(route, view, name=name), path(f"{route}.json", view, name=f"{name}_json")]


people_view = endpoint(get=people.list_people, post=people.create_person)
person_view = endpoint(delete=people.delete_person)
pending_view = endpoint(delete=people.delete_pending)
survey_responses_view = endpoint(get=responses.list_responses, post=responses.create_response)
survey_response_view = endpoint(get=responses.retrieve_response, put=responses.update_response)
metrics_view = endpoint(get=metrics.metrics)
unsubscribes_view = endpoint(get=unsubscribes.list_unsubscribes, post=unsubscribes.create_unsubscribe)
bounces_view = endpoint(get=unsubscribes.list_bounces)
autopilot_view = endpoint(get=autopilot.autopilot_configuration)
memberships_view = endpoint(
    get=autopilot.list_memberships, post=autopilot.add_membership, delete=autopilot.remove_membership
)

app_name = "delighted"
urlpatterns = [
    *_with_and_without_json("people", people_view, "people"),
    *_with_and_without_json("people/<str:identifier>/survey_requests/pending", pending_view, "pending"),
    # The identifier may end in ".json"; the view strips it.
    path("people/<str:identifier>", person_view, name="person"),
    *_with_and_without_json("survey_responses", survey_responses_view, "survey_responses"),
    path("survey_responses/<str:response_id>", survey_response_view, name="survey_response"),
    *_with_and_without_json("metrics", metrics_view, "metrics"),
    *_with_and_without_json("unsubscribes", unsubscribes_view, "unsubscribes"),
    *_with_and_without_json("bounces", bounces_view, "bounces"),
    *_with_and_without_json("autopilot/<str:platform>/memberships", memberships_view, "memberships"),
    path("autopilot/<str:platform>", autopilot_view, name="autopilot"),
    # Anything else under /v1/ answers Delighted's JSON 404, not an HTML page.
    re_path(r"^.*$", unknown, name="unknown"),
]
