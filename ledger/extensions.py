"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf import CSRFProtect

login_manager = LoginManager()
csrf = CSRFProtect()
#: Counts in Redis when ``REDIS_URL`` is set (every worker sees the same counts), else in the
#: process's memory: ``web/limits.py`` configures it.
limiter = Limiter(key_func=get_remote_address, default_limits=[])
babel = Babel()
