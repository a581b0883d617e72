from django.db import models
from django.utils import timezone


class Message(models.Model):
    """One chat message; rooms exist only as the values of `room`."""

    # Room names are case-sensitive, as are the channel groups named after
    # them, while the platform's MySQL databases default to a case-insensitive
    # collation that would merge "Lobby" into "lobby".
    room = models.CharField(max_length=64, db_index=True, db_collation="utf8mb4_bin")
    author = models.CharField(max_length=64)
    text = models.TextField()
    created = models.DateTimeField(default=timezone.now)

    def as_json(self):
        """The message object shared by the HTTP API and the websocket."""
        return {
            "id": self.id,
            "room": self.room,
            "author": self.author,
            "text": self.text,
            # USE_TZ is on, so `created` is an aware UTC datetime.
            "created": self.created.isoformat().replace("+00:00", "Z"),
        }
