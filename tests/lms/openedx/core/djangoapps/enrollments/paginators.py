from rest_framework.pagination import CursorPagination


class CourseEnrollmentsApiListPagination(CursorPagination):
    """Paginator for the staff enrollment list (cursor, 100 a page, newest first)."""

    page_size = 100
