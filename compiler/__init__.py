"""campaign-compiler: marketing operations as code."""

__version__ = "0.1.0"
