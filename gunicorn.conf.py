"""gunicorn settings for the web dyno, taken from the product's configuration.

Workers and port follow Heroku's ``WEB_CONCURRENCY`` and ``PORT``; the timeout stays
well under the router's 30 s limit and both logs go to stdout, Heroku's log stream.
"""

from config import Config

_config = Config.from_env()

bind = f"0.0.0.0:{_config.port}"
workers = _config.web_concurrency
threads = 4
timeout = 20
graceful_timeout = 10
keepalive = 5
accesslog = "-"
# No control socket: its default path is one per user, so a second dashboard on the
# same machine (another PORT) would take it over, and stopping either deletes it.
control_socket_disable = True
errorlog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
