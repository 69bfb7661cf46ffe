"""Settings for the test suite: the production settings with a test key and a fast hasher."""

import os

os.environ.setdefault("DEBUG", "on")

from lamb_binh.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
