"""
DOP scopes are an integer bitmask. edx-oauth2-provider's names (edx_oauth2_provider/
constants.py): openid 1, profile 2, email 4, permissions 32 (course_staff 8 and
course_instructor 16 are never granted here). Names come out in the order DOP lists them,
which is why a client-credentials token reads "profile openid email permissions".
"""

SCOPE_NAMES = (
    ("profile", 2),
    ("openid", 1),
    ("email", 4),
    ("course_staff", 8),
    ("course_instructor", 16),
    ("permissions", 32),
)

# ClientCredentialsGrantForm: openid + profile + email + permissions, whatever was asked.
CLIENT_CREDENTIALS_SCOPE = 1 | 2 | 4 | 32
OPEN_ID = 1


def to_names(value):
    return [name for name, bit in SCOPE_NAMES if value & bit == bit]


def check(wanted, has):
    return wanted & has == wanted
