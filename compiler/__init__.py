"""campaign-compiler: marketing operations as code."""
