"""Settings for the test suite: the production settings with a test key and a fast hasher."""

import os

os.environ.setdefault("DEBUG", "on")
# A developer's .env (make run writes one) must not change what the suite tests.
os.environ.setdefault("ENV_FILE", "")

from lamb_binh.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
