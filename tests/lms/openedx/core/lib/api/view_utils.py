"""DeveloperErrorViewMixin (openedx/core/lib/api/view_utils.py): errors as {"developer_message"}."""

from django.core.exceptions import NON_FIELD_ERRORS, ObjectDoesNotExist, ValidationError
from django.http import Http404
from rest_framework.exceptions import APIException
from rest_framework.response import Response


class DeveloperErrorResponseException(Exception):
    def __init__(self, response):
        super().__init__()
        self.response = response


class DeveloperErrorViewMixin:
    @classmethod
    def api_error(cls, status_code, developer_message, error_code=None):
        return DeveloperErrorResponseException(cls._make_error_response(status_code, developer_message, error_code))

    @classmethod
    def _make_error_response(cls, status_code, developer_message, error_code=None):
        error_data = {"developer_message": developer_message}
        if error_code is not None:
            error_data["error_code"] = error_code
        return Response(error_data, status=status_code)

    @classmethod
    def _make_validation_error_response(cls, validation_error):
        if hasattr(validation_error, "message_dict"):
            response_obj = {}
            message_dict = dict(validation_error.message_dict)
            non_field_error_list = message_dict.pop(NON_FIELD_ERRORS, []) + message_dict.pop("non_field_errors", [])
            if non_field_error_list:
                response_obj["developer_message"] = non_field_error_list[0]
            if message_dict:
                response_obj["field_errors"] = {
                    field: {"developer_message": message_dict[field][0]} for field in message_dict
                }
            return Response(response_obj, status=400)
        return cls._make_error_response(400, validation_error.messages[0])

    def handle_exception(self, exc):
        if isinstance(exc, DeveloperErrorResponseException):
            return exc.response
        if isinstance(exc, APIException):
            response = self._make_error_response(exc.status_code, exc.detail)
            if getattr(exc, "wait", None):
                response["Retry-After"] = f"{int(exc.wait)}"
            return response
        if isinstance(exc, (Http404, ObjectDoesNotExist)):
            return self._make_error_response(404, str(exc) or "Not found.")
        if isinstance(exc, ValidationError):
            return self._make_validation_error_response(exc)
        raise exc
