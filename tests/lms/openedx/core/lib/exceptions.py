"""openedx.core.lib.exceptions"""


class CourseNotFoundError(Exception):
    """The course does not exist."""
