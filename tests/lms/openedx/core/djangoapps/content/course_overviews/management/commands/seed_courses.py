"""
Stand-in only (no such command upstream, where courses come from Studio): create or
update course runs and their modes. Idempotent.

    seed_courses                                   # the demo course, audit + verified
    seed_courses COURSE_ID [COURSE_ID ...] [--display-name N] [--modes audit,verified:149]
                 [--self-paced] [--invitation-only] [--enrollment-start ISO] [--enrollment-end ISO]
                 [--start ISO] [--end ISO] [--max-enrollments N]

--modes lists slug[:min_price] items; the run ends up with exactly those modes. Prints
nothing on stdout; one line per course on stderr.
"""

from datetime import timezone

from common.djangoapps.course_modes.models import CourseMode
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.dateparse import parse_datetime
from opaque_keys import InvalidKeyError
from opaque_keys.edx.keys import CourseKey

from openedx.core.djangoapps.content.course_overviews.models import CourseOverview

DEMO_COURSE_ID = "course-v1:edX+DemoX+Demo_Course"
DEMO_DISPLAY_NAME = "Demonstration Course"
DEFAULT_MODES = "audit,verified:149"
MODE_NAMES = {
    "audit": "Audit",
    "honor": "Honor",
    "verified": "Verified Certificate",
    "professional": "Professional Education",
    "no-id-professional": "Professional Education",
    "credit": "Credit",
    "masters": "Master's",
}


def _parse_when(value, option):
    if value is None:
        return None
    when = parse_datetime(value)
    if when is None:
        raise CommandError(f"{option}: not an ISO 8601 date and time: {value!r}")
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when


def _parse_modes(text):
    modes = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        slug, __, price = item.partition(":")
        try:
            modes.append((slug, int(price or 0)))
        except ValueError:
            raise CommandError(f"--modes: bad price in {item!r}") from None
    if not modes:
        raise CommandError("--modes: give at least one mode")
    return modes


class Command(BaseCommand):
    help = "Create or update course runs (default: the demo course) and their enrollment modes."

    def add_arguments(self, parser):
        parser.add_argument("course_ids", nargs="*", default=[DEMO_COURSE_ID])
        parser.add_argument("--display-name", dest="display_name")
        parser.add_argument("--modes", default=DEFAULT_MODES)
        parser.add_argument("--self-paced", action="store_true")
        parser.add_argument("--invitation-only", action="store_true")
        parser.add_argument("--start", default="2013-02-05T05:00:00+00:00")
        parser.add_argument("--end")
        parser.add_argument("--enrollment-start", dest="enrollment_start")
        parser.add_argument("--enrollment-end", dest="enrollment_end")
        parser.add_argument("--max-enrollments", dest="max_enrollments", type=int)

    @transaction.atomic
    def handle(self, *args, **options):
        modes = _parse_modes(options["modes"])
        for course_id in options["course_ids"] or [DEMO_COURSE_ID]:
            try:
                course_key = CourseKey.from_string(course_id)
            except InvalidKeyError:
                raise CommandError(f"Invalid course id: {course_id!r}") from None
            display_name = options["display_name"] or (
                DEMO_DISPLAY_NAME if course_id == DEMO_COURSE_ID else course_key.course
            )
            __, created = CourseOverview.objects.update_or_create(
                id=course_key,
                defaults={
                    "display_name": display_name,
                    "display_number_with_default": course_key.course,
                    "display_org_with_default": course_key.org,
                    "org": course_key.org,
                    "start": _parse_when(options["start"], "--start"),
                    "end": _parse_when(options["end"], "--end"),
                    "enrollment_start": _parse_when(options["enrollment_start"], "--enrollment-start"),
                    "enrollment_end": _parse_when(options["enrollment_end"], "--enrollment-end"),
                    "invitation_only": options["invitation_only"],
                    "self_paced": options["self_paced"],
                    "max_student_enrollments_allowed": options["max_enrollments"],
                },
            )
            wanted = [slug for slug, __ in modes]
            CourseMode.objects.filter(course_id=course_key).exclude(mode_slug__in=wanted).delete()
            for slug, price in modes:
                CourseMode.objects.update_or_create(
                    course_id=course_key,
                    mode_slug=slug,
                    currency="usd",
                    defaults={"mode_display_name": MODE_NAMES.get(slug, slug.title()), "min_price": price},
                )
            verb = "Created" if created else "Updated"
            self.stderr.write(f"{verb} course {course_key} with modes {wanted}")
