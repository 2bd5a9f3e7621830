"""micromoment: small responsible-AI checks for product teams, recorded next to the code."""

__version__ = "0.1.0"
