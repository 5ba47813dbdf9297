"""``jupyter_server.services``: the managers behind the REST API, from the service wheels."""
