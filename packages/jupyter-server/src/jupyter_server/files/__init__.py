"""``jupyter_server.files``: the ``/files/`` handler (the contents wheel's)."""
