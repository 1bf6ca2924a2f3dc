"""The dashboard served by gunicorn: ``gunicorn app:server`` (see the Procfile).

Configuration comes from the environment (see ``config.py``); the pages live in
``pages/`` and register themselves.
"""

import logging

from config import Config
from web.factory import create_app

config = Config.from_env()
logging.basicConfig(
    level=config.log_level.upper(),
    format="%(asctime)s %(levelname)s %(name)s: %(message)s",
)
app = create_app(config)
server = app.server

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=config.port, debug=config.development)
