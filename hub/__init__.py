"""Schakel: the information-exchange hub of the Zorg- en Veiligheidshuizen."""

__version__ = "1.0.0"
"""The one version of the package and of its API (`schakel --version`, the OpenAPI document, the `API-Version`
header). Semantic versioning: see CHANGELOG.md."""
