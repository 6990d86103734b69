"""Qt item models over the app's data (tokens, the request log); no widgets here."""

from .request_log_model import RequestLogFilter, RequestLogModel
from .tokens_model import TokensModel

__all__ = ["RequestLogFilter", "RequestLogModel", "TokensModel"]
