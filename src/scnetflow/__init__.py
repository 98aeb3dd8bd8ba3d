"""scnetflow: scNET (Sheinin, Sharan & Madi, Nature Methods 2025) as a library, CLIs and a pipeline."""

__version__ = "0.1.0"
