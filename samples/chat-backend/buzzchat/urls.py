from django.urls import path, re_path

from rooms import views

# As with the websocket route, the room segment takes anything so that a bad
# room name gets a 400 from the view instead of a 404.
urlpatterns = [
    path("health", views.health),
    re_path(r"^api/rooms/(?P<room>.*)/messages$", views.room_messages),
    re_path(r"", views.not_found),
]

handler400 = views.bad_request
handler500 = views.server_error
