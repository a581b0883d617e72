"""HTTP middleware for the BuzzChat sample."""
from django.conf import settings


class ReplicaHeaderMiddleware:
    """Tags every response with the replica that produced it.

    Listed first in MIDDLEWARE so that error responses carry the header too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.BUZZTALK_REPLICA:
            response["X-BuzzTalk-Replica"] = settings.BUZZTALK_REPLICA
        return response
