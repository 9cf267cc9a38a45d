"""A stateful mock of the Camunda 7 engine REST API's batch operations."""

from .app import create_app
from .config import MockConfig

__all__ = ["MockConfig", "create_app"]
__version__ = "0.1.0"
