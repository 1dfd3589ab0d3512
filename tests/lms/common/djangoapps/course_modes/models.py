"""CourseMode: the enrollment modes (audit, verified, ...) a course run offers."""

from collections import namedtuple
from datetime import datetime, timezone

from django.db import models
from opaque_keys.edx.django.models import CourseKeyField

Mode = namedtuple(
    "Mode",
    [
        "slug",
        "name",
        "min_price",
        "suggested_prices",
        "currency",
        "expiration_datetime",
        "description",
        "sku",
        "android_sku",
        "ios_sku",
        "bulk_sku",
    ],
)


class CourseMode(models.Model):
    """One mode of one course run (upstream keys it by course; here by course_id)."""

    course_id = CourseKeyField(max_length=255, db_index=True, verbose_name="Course")
    mode_slug = models.CharField(max_length=100, verbose_name="Mode")
    mode_display_name = models.CharField(max_length=255, verbose_name="Display Name")
    min_price = models.IntegerField(default=0, verbose_name="Price")
    currency = models.CharField(default="usd", max_length=8)
    expiration_datetime = models.DateTimeField(default=None, null=True, blank=True, verbose_name="Upgrade Deadline")
    expiration_datetime_is_explicit = models.BooleanField(default=False)
    suggested_prices = models.CharField(max_length=255, blank=True, default="")
    description = models.TextField(null=True, blank=True)
    sku = models.CharField(max_length=255, null=True, blank=True, verbose_name="SKU")
    android_sku = models.CharField(max_length=255, null=True, blank=True)
    ios_sku = models.CharField(max_length=255, null=True, blank=True)
    bulk_sku = models.CharField(max_length=255, null=True, blank=True, default=None)

    HONOR = "honor"
    PROFESSIONAL = "professional"
    VERIFIED = "verified"
    AUDIT = "audit"
    NO_ID_PROFESSIONAL_MODE = "no-id-professional"
    CREDIT_MODE = "credit"
    MASTERS = "masters"
    EXECUTIVE_EDUCATION = "executive-education"

    DEFAULT_MODE = Mode(AUDIT, "Audit", 0, "", "usd", None, None, None, None, None, None)
    DEFAULT_MODE_SLUG = AUDIT

    # Modes a learner cannot pick on their own (upstream: CREDIT_MODES)
    UNSELECTABLE_MODES = [CREDIT_MODE]

    class Meta:
        app_label = "course_modes"
        unique_together = ("course_id", "mode_slug", "currency")

    def __str__(self):
        return f"{self.course_id} : {self.mode_slug}, min={self.min_price}"

    def to_tuple(self):
        return Mode(
            self.mode_slug,
            self.mode_display_name,
            self.min_price,
            self.suggested_prices,
            self.currency,
            self.expiration_datetime,
            self.description,
            self.sku,
            self.android_sku,
            self.ios_sku,
            self.bulk_sku,
        )

    @classmethod
    def modes_for_course(cls, course_id, include_expired=False, only_selectable=True):
        """The course's modes as Mode tuples; a course without any gets [DEFAULT_MODE]."""
        now = datetime.now(timezone.utc)
        found = cls.objects.filter(course_id=course_id).order_by("id")
        if not include_expired:
            found = found.filter(models.Q(expiration_datetime__isnull=True) | models.Q(expiration_datetime__gte=now))
        modes = [mode.to_tuple() for mode in found]
        if only_selectable:
            modes = [mode for mode in modes if mode.slug not in cls.UNSELECTABLE_MODES]
        if not modes:
            modes = [cls.DEFAULT_MODE]
        return modes

    @classmethod
    def mode_for_course(cls, course_id, mode_slug, modes=None, include_expired=False):
        modes = modes or cls.modes_for_course(course_id, include_expired=include_expired, only_selectable=False)
        for mode in modes:
            if mode.slug == mode_slug:
                return mode
        return None

    @classmethod
    def get_default_mode_slug(cls):
        return cls.DEFAULT_MODE_SLUG
