"""``python -m jupyter_server``: the same as ``jupyter server``."""

from jupyter_server_core._serverapp import main

if __name__ == "__main__":
    main()
