"""credmint: an AWS-compatible Security Token Service with IAM and S3 behind it."""

__version__ = "0.1.0"
