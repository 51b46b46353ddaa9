"""The version of hindsite, where every stage can read it without importing the package face."""

__version__ = "0.1.0"
