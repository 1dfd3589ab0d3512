"""Query-string validation of the staff enrollment list (enrollments/forms.py)."""

import re

from django.core.exceptions import ValidationError
from django.forms import CharField, Form
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

USERNAME_RE = re.compile(r"^[\w.@+-]+\Z")


def validate_username(username):
    if not USERNAME_RE.match(username or ""):
        raise ValidationError(
            "Usernames can only contain letters (A-Z, a-z), numerals (0-9), underscores (_), and hyphens (-)."
        )


class CourseEnrollmentsApiListForm(Form):
    MAX_INPUT_COUNT = 100
    username = CharField(required=False)
    course_id = CharField(required=False)
    course_ids = CharField(required=False)
    email = CharField(required=False)

    def clean_course_id(self):
        course_id = self.cleaned_data.get("course_id")
        if course_id:
            try:
                return CourseKey.from_string(course_id)
            except InvalidKeyError:
                raise ValidationError(f"'{course_id}' is not a valid course id.") from None
        return course_id

    def clean_course_ids(self):
        course_ids = self.cleaned_data.get("course_ids")
        if course_ids:
            course_ids = course_ids.split(",")
            if len(course_ids) > self.MAX_INPUT_COUNT:
                raise ValidationError(
                    f"Too many course ids in a single request - {len(course_ids)}. "
                    f"A maximum of {self.MAX_INPUT_COUNT} is allowed"
                )
            return course_ids
        return course_ids

    def clean_username(self):
        usernames_csv_string = self.cleaned_data.get("username")
        if usernames_csv_string:
            usernames = usernames_csv_string.split(",")
            if len(usernames) > self.MAX_INPUT_COUNT:
                raise ValidationError(
                    f"Too many usernames in a single request - {len(usernames)}. "
                    f"A maximum of {self.MAX_INPUT_COUNT} is allowed"
                )
            for username in usernames:
                validate_username(username)
            return usernames
        return usernames_csv_string

    def clean_email(self):
        emails_csv_string = self.cleaned_data.get("email")
        if emails_csv_string:
            emails = emails_csv_string.split(",")
            if len(emails) > self.MAX_INPUT_COUNT:
                raise ValidationError(
                    f"Too many emails in a single request - {len(emails)}. "
                    f"A maximum of {self.MAX_INPUT_COUNT} is allowed"
                )
            return emails
        return emails_csv_string
