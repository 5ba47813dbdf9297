"""``jupyter_server.services.contents``: contents managers and checkpoints (the contents wheel)."""
