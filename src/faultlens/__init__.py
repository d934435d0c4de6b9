"""faultlens: explain why a test run or a deployment failed."""

__version__ = "0.1.0"
