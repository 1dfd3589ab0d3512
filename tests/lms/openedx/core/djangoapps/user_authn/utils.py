"""openedx.core.djangoapps.user_authn.utils: the piece manage_user needs."""

import secrets
import string


def generate_password(length=12, chars=string.ascii_letters + string.digits):
    """A random password with at least one letter and one digit."""
    if length < 8:
        raise ValueError("password must be at least 8 characters")
    password = [secrets.choice(string.ascii_letters), secrets.choice(string.digits)]
    password += [secrets.choice(chars) for _ in range(length - 2)]
    secrets.SystemRandom().shuffle(password)
    return "".join(password)
